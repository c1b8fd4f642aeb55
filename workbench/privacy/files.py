"""Files a killed process leaves behind: the private temporary folders of an export that never reached
its rename (``.NAME.*.tmp`` beside the target, mode 0700, see workbench.export.writer).

No partial export ever stands under the final name (the rename is the last step), but a kill -9 between
the write and the rename leaves the hidden folder, readable by the owner only. :func:`remove_stale_export_temps`
removes them; the export should call it on the target's folder before it writes (see docs/trust.md).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

_TEMP = re.compile(r"^\.(?P<name>.+?)\.(?:(?P<pid>\d+)\.)?[^.]*\.tmp$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_export_temps(folder: str | os.PathLike[str], name: str | None = None,
                              min_age_s: float = 0.0) -> int:
    """Remove the hidden temporary folders of unfinished exports in ``folder`` (of target ``name`` only,
    if given): those whose name carries the id of a process that is gone, and the others once older than
    ``min_age_s`` seconds (an export still writing is younger). Only private folders (no access for group
    or others) are touched. Returns how many were removed."""
    removed = 0
    now = time.time()
    for entry in Path(folder).iterdir():
        m = _TEMP.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink() or (name and m.group("name") != name):
            continue
        info = entry.stat()
        if info.st_mode & 0o077 or info.st_uid != os.getuid():
            continue
        pid = m.group("pid")
        stale = (not _alive(int(pid))) if pid else now - info.st_mtime >= min_age_s
        if stale:
            shutil.rmtree(entry, ignore_errors=True)
            removed += not entry.exists()
    return removed
