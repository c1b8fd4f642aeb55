"""A note beside the database of every file being written, so that a killed writer leaves nothing behind.

A writer (an export, ``persons --export``, a report) writes into private temporary folders beside its
target (see :mod:`workbench.export.writer`). A kill -9 before the rename would leave a full file of
personal data in such a folder. So each writer first notes, in ``.DBNAME.writing/PID-RANDOM.json`` beside
the database file, the folders it made (and, for a selection export, the files it is about to publish and
the campaign whose commit makes them stand). :func:`sweep` runs whenever the database is opened (by any
command or the TUI): for each note of a process that is gone it removes the temporary folders, and a
published export whose database transaction never committed (the kill came between the rename and the
commit) is taken back: the file is removed, or the file it replaced is put back.

A writer that ends normally, or with an error it handled, removes its note.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

_NOTE = re.compile(r"^(?P<pid>\d+)-[0-9a-f]{32}\.json$")


def journal_dir(database: str | os.PathLike[str]) -> Path:
    db = Path(database).expanduser().absolute()
    return db.parent / f".{db.name}.writing"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Entry:
    """The note of one writer (a no-op when there is no database to put it beside)."""

    def __init__(self, path: Path | None):
        self.path = path
        self.data: dict[str, Any] = {"temps": [], "publish": [], "campaign": None}

    @classmethod
    def begin(cls, database: str | os.PathLike[str] | None) -> Entry:
        if database is None:
            return cls(None)
        folder = journal_dir(database)
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
        except OSError:  # a read-only folder: the writer still removes its own folders on errors
            return cls(None)
        return cls(folder / f"{os.getpid()}-{uuid.uuid4().hex}.json")

    def __enter__(self) -> Entry:
        self._save()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(mode=0o700, exist_ok=True)  # another writer may have just removed it
        temp = self.path.with_suffix(".part")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.data, f)
        os.replace(temp, self.path)

    def add_temp(self, folder: Path) -> None:
        self.data["temps"].append(str(folder))
        self._save()

    def will_publish(self, files: list[Any], campaign: str) -> None:
        """Before the renames of an export whose commit comes after them: the files (PendingFile) and the
        campaign whose ``exports`` row proves the commit happened."""
        self.data["publish"] = [
            {"target": str(p.target), "sha256": p.sha256, "temp": str(p.temp_dir)} for p in files
        ]
        self.data["campaign"] = campaign
        self._save()

    def close(self) -> None:
        if self.path is None:
            return
        for p in (self.path, self.path.with_suffix(".part")):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
        try:
            self.path.parent.rmdir()  # only when empty
        except OSError:
            pass


def _private_temp(folder: Path) -> bool:
    try:
        info = folder.lstat()
    except OSError:
        return False
    return (
        folder.name.startswith(".")
        and folder.name.endswith(".tmp")
        and folder.is_dir()
        and not folder.is_symlink()
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o077
    )


def sweep(database: str | os.PathLike[str], conn: Any = None) -> int:
    """Clean up after writers of this database that were killed (see the module docstring). ``conn``
    answers whether an export committed; without it, notes with files to take back are left for later.
    Returns how many notes were settled."""
    folder = journal_dir(database)
    if not folder.is_dir():
        return 0
    settled = 0
    for note in folder.iterdir():
        m = _NOTE.match(note.name)
        if not m or _alive(int(m.group("pid"))):
            continue
        try:
            data = json.loads(note.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {"temps": [], "publish": []}
        if data.get("publish"):
            if conn is None:
                continue
            committed = _committed(conn, data)
            if committed is None:
                continue
            if not committed:
                for item in data["publish"]:
                    _take_back(Path(item["target"]), item["sha256"], Path(item["temp"]) / ".previous")
        for temp in data.get("temps", []):
            if _private_temp(Path(temp)):
                shutil.rmtree(temp, ignore_errors=True)
        note.unlink(missing_ok=True)
        settled += 1
    for part in folder.glob("*.part"):
        m = re.match(r"^(\d+)-", part.name)
        if m and not _alive(int(m.group(1))):
            part.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass
    return settled


def _committed(conn: Any, data: dict[str, Any]) -> bool | None:
    sha = data["publish"][0]["sha256"]
    try:
        found = conn.execute(
            "SELECT count(*) FROM exports WHERE campaign = ? AND sha256 = ?", [data.get("campaign"), sha]
        ).fetchone()[0]
    except Exception:  # noqa: BLE001 - no exports table yet, or a connection that cannot read: try later
        return None
    return bool(found)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _take_back(target: Path, sha256: str, backup: Path) -> None:
    try:
        if not target.is_file() or target.is_symlink() or _sha256(target) != sha256:
            return  # not the file this export published (replaced since): leave it
        if backup.is_file():
            os.replace(backup, target)
        else:
            target.unlink()
    except OSError:
        pass
