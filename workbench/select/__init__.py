"""Selections: who will be contacted, counted step by step (the waterfall).

Public surface:

- :mod:`workbench.select.definition`: :class:`Selection` (and Limit, Cell, Seed), read strictly from
  TOML by :func:`parse_selections_toml` / :func:`parse_selections_text`, written by ``to_toml()``.
- :mod:`workbench.select.counts`: :func:`import_selections` (store, path), :func:`save_edited`,
  :func:`count_selection` (store, name) -> :class:`~workbench.select.waterfall.Waterfall`,
  :func:`count_definition` (store, selection), :func:`attribute_reference`.
- :mod:`workbench.select.saved`: list, get, history of the stored selections.
- :mod:`workbench.select.plan`: :func:`check_selection` (conn, selection) -> Plan (compiled SQL,
  suppressions, the freshness gate); :mod:`workbench.select.waterfall`: :func:`run_waterfall`.
- The where language: :mod:`workbench.select.expression` (checker) over
  :mod:`workbench.select.attributes` (materialised attribute tables) and
  :mod:`workbench.select.functions` (functions; :func:`register_function` to add one).
- Extension points for other capabilities: :mod:`workbench.select.steps` (waterfall steps).
"""
