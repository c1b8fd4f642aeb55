"""Collects the generated files in memory (path -> bytes), the load schedule and the expected rejects."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime


class RawLine(str):
    """A line written to the file as it is (how a broken row, e.g. with an extra field, gets in)."""


@dataclass
class Output:
    files: dict[str, bytes] = field(default_factory=dict)
    loads: list[tuple[datetime, str, str]] = field(default_factory=list)  # (loaded_at, source, path)
    rejects: list[tuple[str, str, int, str]] = field(default_factory=list)  # (source, path, line, reason)
    rows: dict[str, int] = field(default_factory=dict)  # data rows per path

    def table(
        self,
        path: str,
        header: list[str] | None,
        rows: list,
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        source: str | None = None,
        loaded_at: datetime | None = None,
        bad: dict[int, str] | None = None,
    ) -> None:
        """Write a delimited file; ``bad`` maps a row index to the reason a loader should reject it."""
        buf = io.StringIO()
        writer = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
        if header is not None:
            writer.writerow(header)
        for row in rows:
            if isinstance(row, RawLine):
                buf.write(row + "\n")
            else:
                writer.writerow(row)
        self.files[path] = buf.getvalue().encode(encoding)
        self.rows[path] = len(rows)
        first_line = 2 if header is not None else 1
        for index, reason in sorted((bad or {}).items()):
            self.rejects.append((source or "", path, first_line + index, reason))
        if loaded_at is not None:
            self.loads.append((loaded_at, source or "", path))

    def text(self, path: str, content: str) -> None:
        self.files[path] = content.encode("utf-8")
