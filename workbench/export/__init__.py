"""Exports: a counted selection written to a file (CSV or Parquet) with its manifest and contact history.

Public surface: :func:`workbench.export.run.export_selection` (store, name, out, ...) ->
:class:`~workbench.export.run.ExportResult`; :func:`workbench.export.history.list_exports`.
The file rules (atomic rename, 0600, formula injection) are in :mod:`workbench.export.writer`.
"""
