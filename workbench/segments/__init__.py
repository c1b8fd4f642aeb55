"""Customer value segments (issue 14): RFM per person, overall and per brand, named by TOML rules.

- :func:`compute_rfm(conn, rules=None, force=False) -> RfmRun`: bring ``rfm_scores`` up to date.
- :func:`rfm_summary(conn, brand=None)`: segment sizes and value and the recency x frequency grid.
- :func:`person_rfm(conn, person_id)`: one person's scores (customer view).
- :func:`read_rules(path)`, :func:`default_rules()`: the segment rules.

See docs/segments.md.
"""

from workbench.segments.rfm import ALL_BRANDS, RfmRun, compute_rfm, last_run
from workbench.segments.rules import SegmentRules, default_rules, parse_rules, read_rules
from workbench.segments.view import grid_matrix, person_rfm, rfm_summary

__all__ = [
    "ALL_BRANDS",
    "RfmRun",
    "SegmentRules",
    "compute_rfm",
    "default_rules",
    "grid_matrix",
    "last_run",
    "parse_rules",
    "person_rfm",
    "read_rules",
    "rfm_summary",
]
