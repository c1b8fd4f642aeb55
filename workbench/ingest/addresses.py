"""Kept for callers written against the first name: see :mod:`workbench.ingest.derived`."""

from workbench.ingest.derived import ensure_derived, ensure_standard_addresses, pending_work

__all__ = ["ensure_derived", "ensure_standard_addresses", "pending_work"]
