"""Errors an operator can act on. Each carries a plain message and the CLI exit code it maps to."""

from __future__ import annotations


class WorkbenchError(Exception):
    """A problem with the operator's input or environment, told in plain words (no traceback)."""

    exit_code = 2

    def __init__(self, message: str, hint: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.field = field  # the input field it is about, when there is one (a form marks it)

    def __str__(self) -> str:
        return f"{self.message}\n  {self.hint}" if self.hint else self.message


class ConfigError(WorkbenchError):
    """A TOML definition (sources, selections, rules) is malformed or names something unknown."""


class InputFileError(WorkbenchError):
    """An extract cannot be read at all (missing, a directory, empty, binary, wrong columns...)."""


class DatabaseBusyError(WorkbenchError):
    """Another process holds the database file for writing."""


class DatabaseFileError(WorkbenchError):
    """The database file is not a DuckDB database, or comes from a newer workbench."""


class NotFoundError(WorkbenchError):
    """A named thing (source, selection, person, campaign) does not exist."""


class RefusedError(WorkbenchError):
    """An operation was refused on purpose (a stale source, a selection that does not check)."""

    exit_code = 1


class Cancelled(WorkbenchError):
    """The operator stopped a job at one of its cancel points; the transaction it ran in was rolled back.

    Raised by a job's progress callback (see :mod:`workbench.progress`) between two stages of the work.
    """

    exit_code = 1
