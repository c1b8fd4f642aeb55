"""The store: one DuckDB file that holds everything workbench knows.

Open it with :class:`Store`; every operation takes a short-lived connection from :meth:`Store.connect`
(read-only for commands that only read) or :meth:`Store.transaction` (one transaction: the database is
left exactly as it was when the block raises). Nothing keeps the file open while idle, so a TUI left open
all day does not stop a scheduled headless export.
"""

from workbench.store.db import MissingDatabaseError, Store, default_db_path
from workbench.store.sql import quote_ident, rows, scalar

__all__ = ["MissingDatabaseError", "Store", "default_db_path", "quote_ident", "rows", "scalar"]
