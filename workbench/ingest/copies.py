"""Private UTF-8 copies of extracts the loader cannot read as they are (cp1252, UTF-16, CR-only line ends).

A copy lives in the temporary folder while its load runs and is removed after it; its name carries the
process id (``workbench-PID-*``), so a copy that a killed load left behind is removed by the next one.
"""

from __future__ import annotations

import codecs
import os
import tempfile
from pathlib import Path

_CHUNK = 4 * 1024 * 1024
TEMP_PREFIX = "workbench-"


def transcode(path: Path, encoding: str, cr_newlines: bool = False) -> tuple[Path, int]:
    """Write a UTF-8 copy (lines ended by \\n when ``cr_newlines``); bytes that do not decode become U+FFFD
    (their rows are rejected later). The copy's name carries this process id, so a copy left by a
    process that was killed is removed by the next one (:func:`remove_stale_copies`)."""
    remove_stale_copies()
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix or ".csv")
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    replaced = 0
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as out, open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            text = decoder.decode(chunk)
            replaced += text.count("\ufffd")
            out.write(text.replace("\r", "\n") if cr_newlines else text)
        tail = decoder.decode(b"", final=True)
        out.write(tail.replace("\r", "\n") if cr_newlines else tail)
    return Path(tmp), replaced


def remove_stale_copies() -> int:
    """Remove transcoded copies (``workbench-PID-*``) whose process is gone; returns how many."""
    removed = 0
    for copy in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*"):
        pid = copy.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid() or not copy.is_file() or _alive(int(pid)):
            continue
        try:
            copy.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True




def replace_spans(path: Path, spans: list[tuple[int, int, bytes]]) -> Path:
    """A private copy of ``path`` with each byte range ``[start, end)`` replaced by its bytes (ranges sorted,
    not overlapping). The bytes outside the ranges are copied in chunks as they are."""
    remove_stale_copies()
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", suffix=path.suffix or ".csv")
    with os.fdopen(fd, "wb") as out, open(path, "rb") as fh:
        at = 0
        for start, end, text in sorted(spans):
            _copy_bytes(fh, out, start - at)
            out.write(text)
            fh.seek(end)
            at = end
        while chunk := fh.read(_CHUNK):
            out.write(chunk)
    return Path(tmp)


def _copy_bytes(src, dst, n: int) -> None:
    while n > 0:
        chunk = src.read(min(_CHUNK, n))
        if not chunk:
            return
        dst.write(chunk)
        n -= len(chunk)
