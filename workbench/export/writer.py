"""Writing a file the operator named, safely: every export, ``persons|households|match --export`` and
the profile report go through here.

**Where.** :func:`check_target` is the one check of an output path: the database file (and its
``.wal``), any DuckDB database, a FIFO, socket, device, symbolic link or directory are refused always;
an existing file is refused unless the operator said ``--force`` (the TUI asks "Replace FILE?"). The
commands call it before any work, so a refusal changes nothing.

**How.** By DuckDB ``COPY ... TO`` (or a text write) into a private temporary directory beside the
target (``.NAME.PID.*.tmp``, 0700; the file 0600), then published: a hard link that fails if the name
was taken meanwhile (no clobbering), or with ``--force`` a rename over the old file, kept aside until the
work is committed so it can be put back. A crash or an error before publishing leaves no file under the
final name; the temporary directory is removed on error, and after a kill by the next command that
opens the database (``workbench.store.journal``), or at once by the next write of the same name (the
process id in the name is gone).

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
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


class TargetExistsError(WorkbenchError):
    """The file to write already exists and the operator did not say to replace it (``--force``)."""


@dataclass
class PendingFile:
    """A file written to its temporary place, waiting for :meth:`publish` (or :meth:`discard`)."""

    target: Path
    temp_dir: Path
    temp_path: Path
    rows: int
    sha256: str
    bytes: int
    overwrite: bool = False
    backup: Path | None = None
    published: bool = False

    def hash(self) -> str:
        self.sha256, self.bytes = file_sha256(self.temp_path)
        return self.sha256

    def publish(self) -> Path:
        """Put the file under its name. Without ``overwrite`` this never replaces anything: a file that
        appeared at the target since :func:`check_target` is refused (a hard link fails when the name is
        taken). With ``overwrite`` the previous file is kept aside until :meth:`discard`, so
        :meth:`unpublish` can put it back."""
        if self.target.exists() or self.target.is_symlink():
            if not self.overwrite:
                raise TargetExistsError(f"{self.target} appeared while the file was being written; it was left "
                                        "as it is.", "Choose another file name, or replace it with --force.")
            _check_replaceable(self.target)
            self.backup = self.temp_dir / ".previous"
            try:
                os.link(self.target, self.backup)
            except OSError:
                shutil.copy2(self.target, self.backup)
            os.replace(self.temp_path, self.target)
        else:
            try:
                os.link(self.temp_path, self.target)  # fails if the name was taken meanwhile: no clobbering
                os.unlink(self.temp_path)
            except FileExistsError:
                raise TargetExistsError(f"{self.target} appeared while the file was being written; it was "
                                        "left as it is.", "Choose another file name, or replace it with "
                                        "--force.") from None
            except OSError:  # a file system without hard links
                if self.target.exists():
                    raise
                os.replace(self.temp_path, self.target)
        self.published = True
        return self.target

    def unpublish(self) -> None:
        """Undo :meth:`publish` (the database work it went with failed): the file goes, a replaced file
        comes back."""
        if not self.published:
            return
        if self.backup is not None and self.backup.exists():
            os.replace(self.backup, self.target)
        elif self.target.is_file() and file_sha256(self.target)[0] == self.sha256:
            self.target.unlink()
        self.published = False

    def discard(self) -> None:
        shutil.rmtree(self.temp_dir, ignore_errors=True)


def _is_duckdb_file(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return head[8:12] == b"DUCK"


def _check_replaceable(target: Path) -> None:
    """Refuse anything but a regular file that is not a database (whatever ``--force`` says)."""
    if target.is_symlink():
        raise WorkbenchError(f"{target} is a symbolic link; workbench writes only regular files.",
                             "Name the file itself, or another file.")
    mode = target.lstat().st_mode
    if not stat.S_ISREG(mode):
        kind = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a socket" if stat.S_ISSOCK(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file")
        raise WorkbenchError(f"{target} is {kind}; workbench writes only regular files.",
                             "Choose a file name.")
    if _is_duckdb_file(target):
        raise WorkbenchError(f"{target} is a DuckDB database file; workbench never writes a file over a "
                             "database.", "Choose another file name.")


def _same_file(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    except OSError:
        pass
    return a.resolve() == b.resolve()


def check_target(path: str | os.PathLike[str], force: bool = False,
                 database: str | os.PathLike[str] | None = None, option: str = "--out") -> Path:
    """The absolute path of a file the operator named for writing, or a refusal that changes nothing.

    Refused always: a directory, a folder that does not exist or cannot be written, the database file
    ``database`` (or its ``.wal``), any DuckDB database, a FIFO, socket, device or symbolic link. Refused
    unless ``force``: a file that exists (:class:`TargetExistsError`). Also removes the temporary folders
    that killed writers left for this name."""
    target = Path(path).expanduser().absolute()
    if database is not None:
        db = Path(database).expanduser().absolute()
        for own in (db, Path(str(db) + ".wal")):
            if _same_file(target, own):
                raise WorkbenchError(f"{target} is the database file itself; {option} names the file to "
                                     "write.", "Choose another file name.")
    if target.is_dir() and not target.is_symlink():
        raise WorkbenchError(f"{target} is a directory; {option} names the file to write.")
    if not target.parent.is_dir():
        raise WorkbenchError(f"The folder {target.parent} does not exist.",
                             f"Create it first, or choose another {option}.")
    if not os.access(target.parent, os.W_OK):
        raise WorkbenchError(f"Cannot write in {target.parent} (permission denied).")
    if target.exists() or target.is_symlink():
        _check_replaceable(target)
        if not force:
            raise TargetExistsError(f"{target} already exists; workbench does not replace a file unless told to.",
                                    "Choose another file name, or replace it with --force.")
    from workbench.privacy.files import remove_stale_export_temps

    remove_stale_export_temps(target.parent, target.name, min_age_s=3600)  # left by a killed writer
    return target


def private_temp_dir(target: Path) -> Path:
    """A new directory beside ``target`` that only the owner can enter (mode 0700). Its name carries this
    process's id, so the folder of a killed process is recognised and removed at once."""
    return Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent))


def copy_to_pending(conn: duckdb.DuckDBPyConnection, select_sql: str, target: Path, fmt: str,
                    params: list | None = None, hash_now: bool = True, overwrite: bool = False,
                    journal: Any = None) -> PendingFile:
    """``COPY (select_sql) TO`` a temporary file beside ``target``; 0600, not yet renamed; hashed unless
    ``hash_now`` is false (then call :meth:`PendingFile.hash`, e.g. in a thread while the database works).
    ``journal`` (:class:`workbench.store.journal.Entry`) notes the folder so that the next command removes
    it if this process is killed."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"{fmt!r} is not an export format ({', '.join(FORMATS)}).")
    temp_dir = private_temp_dir(target)
    if journal is not None:
        journal.add_temp(temp_dir)
    temp_path = temp_dir / target.name
    options = "FORMAT csv, HEADER true" if fmt == "csv" else "FORMAT parquet, COMPRESSION zstd"
    try:
        n = scalar(conn, f"COPY ({select_sql}) TO {quote_literal(str(temp_path))} ({options})", params)
        os.chmod(temp_path, 0o600)
        pending = PendingFile(target, temp_dir, temp_path, int(n or 0), "", 0, overwrite)
        if hash_now:
            pending.hash()
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    return pending


def write_private_text(target: Path, text: str, overwrite: bool = False, journal: Any = None) -> PendingFile:
    """A small text file (the manifest, a report) written the same way: temporary, 0600, renamed by publish()."""
    temp_dir = private_temp_dir(target)
    if journal is not None:
        journal.add_temp(temp_dir)
    temp_path = temp_dir / target.name
    try:
        fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    except BaseException:
        shutil.rmtree(temp_dir, ignore_errors=True)
        raise
    data = text.encode("utf-8")
    return PendingFile(target, temp_dir, temp_path, 0, hashlib.sha256(data).hexdigest(), len(data), overwrite)


def write_query(conn: duckdb.DuckDBPyConnection, select_sql: str, target: Path, fmt: str = "csv",
                params: list | None = None, overwrite: bool = False, database: Any = None) -> int:
    """One file from one query, start to finish (``persons --export`` and the like): to a private temporary
    file, 0600, then published under ``target`` (checked by :func:`check_target`). Returns the rows. Text
    columns must already be neutralised (:func:`neutralised`)."""
    from workbench.store.journal import Entry

    with Entry.begin(database) as entry:
        pending = copy_to_pending(conn, select_sql, target, fmt, params, overwrite=overwrite, journal=entry)
        try:
            pending.publish()
        finally:
            pending.discard()
    return pending.rows


def write_text(target: Path, text: str, overwrite: bool = False, database: Any = None) -> int:
    """A text file (a report) written the same way as :func:`write_query`; returns its bytes."""
    from workbench.store.journal import Entry

    with Entry.begin(database) as entry:
        pending = write_private_text(target, text, overwrite, journal=entry)
        try:
            pending.publish()
        finally:
            pending.discard()
    return pending.bytes


def file_sha256(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def column_list(names: list[str]) -> str:
    return ", ".join(quote_ident(n) for n in names)
