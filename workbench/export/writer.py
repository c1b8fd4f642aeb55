"""Writing an export file safely: by DuckDB ``COPY ... TO``, into a private temporary directory beside
the target, readable by the owner only (0600), then renamed into place.

A crash or an error before the rename leaves no file under the final name (the hidden temporary
directory ``.NAME.*`` is removed on error; after a crash it may stay, and holds nothing readable by
others). The rename is atomic because the temporary file is on the same filesystem as the target.

**Formula injection.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is written with a single quote in front (``'=1+2``), so a spreadsheet shows it as text instead
of running it (OWASP's advice for CSV). Only text columns are touched: numbers (person_id) and dates
are typed and written as they are. Golden phones are 10 digits without ``+`` and are unaffected;
a phone kept as ``+1 617...`` would be written ``'+1 617...``. Applied to CSV and Parquet alike, so
the two formats hold the same values and a Parquet file converted to CSV later is safe too. The build
of the attribute tables records which text columns hold such a value at all; the others are written
as they are (no test on every row of a large file). Cell names, keycodes and seeds are always checked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from workbench.errors import WorkbenchError
from workbench.select.attributes import FORMULA_FIRST
from workbench.store.sql import quote_ident, quote_literal, scalar

FORMATS = ("csv", "parquet")
DANGEROUS_FIRST = FORMULA_FIRST  # = + - @ tab carriage-return


def neutralised(column_sql: str) -> str:
    """SQL of a text column with formula-starting values prefixed by a single quote (compares the first
    character's code point: cheaper than a substring on every row of a large file)."""
    codes = ", ".join(str(ord(c)) for c in DANGEROUS_FIRST)
    return f"CASE WHEN ascii({column_sql}) IN ({codes}) THEN '''' || {column_sql} ELSE {column_sql} END"


def neutralise_value(value: str | None) -> str | None:
    """The same rule in Python, for values the export takes from the definition (cell names, keycodes)."""
    return "'" + value if value and value.startswith(DANGEROUS_FIRST) else value


@dataclass
class PendingFile:
    """A file written to its temporary place, waiting for :meth:`publish` (or :meth:`discard`)."""

    target: Path
    temp_dir: Path
    temp_path: Path
    rows: int
    sha256: str
    bytes: int

    def hash(self) -> str:
        self.sha256, self.bytes = file_sha256(self.temp_path)
        return self.sha256

    def publish(self) -> Path:
        os.replace(self.temp_path, self.target)
        shutil.rmtree(self.temp_dir, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def check_target(path: str | os.PathLike[str]) -> Path:
    """The absolute target path; refuses a directory or a folder that does not exist."""
    target = Path(path).expanduser().absolute()
    if target.is_dir():
        raise WorkbenchError(f"{target} is a directory; --out names the file to write.")
    if not target.parent.is_dir():
        raise WorkbenchError(f"The folder {target.parent} does not exist.", "Create it first, or choose another --out.")
    if not os.access(target.parent, os.W_OK):
        raise WorkbenchError(f"Cannot write in {target.parent} (permission denied).")
    from workbench.privacy.files import remove_stale_export_temps

    remove_stale_export_temps(target.parent, target.name, min_age_s=3600)  # left by a killed export
    return target


def private_temp_dir(target: Path) -> Path:
    """A new directory beside ``target`` that only the owner can enter (mode 0700)."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))


def copy_to_pending(conn: duckdb.DuckDBPyConnection, select_sql: str, target: Path, fmt: str,
                    params: list | None = None, hash_now: bool = True) -> PendingFile:
    """``COPY (select_sql) TO`` a temporary file beside ``target``; 0600, not yet renamed; hashed unless
    ``hash_now`` is false (then call :meth:`PendingFile.hash`, e.g. in a thread while the database works)."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"{fmt!r} is not an export format ({', '.join(FORMATS)}).")
    temp_dir = private_temp_dir(target)
    temp_path = temp_dir / target.name
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
    try:
        n = scalar(conn, f"COPY ({select_sql}) TO {quote_literal(str(temp_path))} ({options})", params)
        os.chmod(temp_path, 0o600)
        pending = PendingFile(target, temp_dir, temp_path, int(n or 0), "", 0)
        if hash_now:
            pending.hash()
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    return pending


def write_private_text(target: Path, text: str) -> PendingFile:
    """A small text file (the manifest) written the same way: temporary, 0600, renamed by publish()."""
    temp_dir = private_temp_dir(target)
    temp_path = temp_dir / target.name
    fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    data = text.encode("utf-8")
    return PendingFile(target, temp_dir, temp_path, 0, hashlib.sha256(data).hexdigest(), len(data))


def file_sha256(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def column_list(names: list[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)
