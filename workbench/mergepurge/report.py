"""The net-name report, as a service bureau prints it: one column per list.

Per list: gross in (the rows of the delivery's file), rejects (rows the load refused, and rows not usable
on the channel), house-file matches, each suppression, duplicates with each other list (the list that
kept the name; the list itself for duplicates inside it), net out, the owner's seeds among the net
names, the billable net (net less the owner's seeds) and its cost at the list's price per thousand.
Always: gross = rejects + house matches + every suppression + every duplicate + net (checked).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import duckdb

from workbench.errors import WorkbenchError
from workbench.store.sql import rows


@dataclass
class ListReport:
    source: str
    rank: int
    keycode: str
    supplier: str | None = None
    one_time: bool = False
    expires: str | None = None
    cpm: float | None = None
    load_id: int | None = None
    file_hash: str = ""
    gross: int = 0
    load_rejects: int = 0
    unusable: int = 0
    house: int = 0
    house_flagged: int = 0
    suppressions: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)  # the list that kept the name -> names
    household_duplicates: int = 0  # of the duplicates, those that were another person of a household kept
    net: int = 0
    owner_seeds: int = 0

    @property
    def rejects(self) -> int:
        return self.load_rejects + self.unusable

    @property
    def billable(self) -> int:
        return self.net - self.owner_seeds

    @property
    def cost(self) -> float | None:
        return None if self.cpm is None else round(self.billable * self.cpm / 1000, 2)

    @property
    def removed(self) -> int:
        return self.rejects + self.house + sum(self.suppressions.values()) + sum(self.duplicates.values())

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.update(rejects=self.rejects, billable=self.billable, cost=self.cost, removed=self.removed)
        return d


def list_reports(conn: duckdb.DuckDBPyConnection, lists: list[ListReport]) -> list[ListReport]:
    """Fill each list's figures from TEMP ``_mp_in`` / ``_mp_out`` (one GROUP BY); check they add up."""
    by = {r.source: r for r in lists}
    for g in rows(
        conn,
        """SELECT i.source, o.outcome, o.step, o.kept_by, i.is_seed, o.person_id IS NOT NULL AS house,
                                  count(*) AS n
                           FROM _mp_in i JOIN _mp_out o USING (id) GROUP BY ALL""",
    ):
        r, n = by[g["source"]], g["n"]
        if g["outcome"] == "reject":
            r.unusable += n
        elif g["outcome"] == "house":
            r.house += n
        elif g["outcome"] == "suppressed":
            r.suppressions[g["step"]] = r.suppressions.get(g["step"], 0) + n
        elif g["outcome"] == "duplicate":
            r.duplicates[g["kept_by"]] = r.duplicates.get(g["kept_by"], 0) + n
            if g["step"] == "household":
                r.household_duplicates += n
        else:
            r.net += n
            r.owner_seeds += n if g["is_seed"] else 0
            r.house_flagged += n if g["house"] else 0
    for r in lists:
        r.suppressions = dict(sorted(r.suppressions.items()))
        if r.gross != r.removed + r.net:
            raise WorkbenchError(
                f"The net-name report of list {r.source!r} does not add up: gross {r.gross:,} but "
                f"{r.removed:,} removed + {r.net:,} net.",
                "Nothing was written. Report this.",
            )
    return lists


def report_dict(lists: list[ListReport]) -> dict[str, Any]:
    total = {
        k: sum(getattr(r, k) for r in lists)
        for k in ("gross", "rejects", "house", "net", "owner_seeds", "billable")
    }
    total["suppressed"] = sum(sum(r.suppressions.values()) for r in lists)
    total["duplicates"] = sum(sum(r.duplicates.values()) for r in lists)
    costs = [r.cost for r in lists if r.cost is not None]
    total["cost"] = round(sum(costs), 2) if costs else None
    return {
        "lists": [r.to_dict() for r in lists],
        "total": total,
        "suppressions": sorted({s for r in lists for s in r.suppressions}),
        "matrix": {r.source: {o.source: r.duplicates.get(o.source, 0) for o in lists} for r in lists},
    }


def report_lines(lists: list[ListReport]) -> list[tuple[str, list[str]]]:
    """(label, one cell per list, then the total) rows of the printed report."""

    def num(values: list[int]) -> list[str]:
        return [f"{v:,}" for v in values] + [f"{sum(values):,}"]

    out: list[tuple[str, list[str]]] = [
        ("gross in", num([r.gross for r in lists])),
        ("rejects", num([r.rejects for r in lists])),
        ("house-file matches", num([r.house for r in lists])),
    ]
    if any(r.house_flagged for r in lists):
        out.append(("  house matches kept (flagged)", num([r.house_flagged for r in lists])))
    for s in sorted({s for r in lists for s in r.suppressions}):
        out.append((f"suppressed: {s}", num([r.suppressions.get(s, 0) for r in lists])))
    for o in lists:
        out.append((f"duplicate of {o.source}", num([r.duplicates.get(o.source, 0) for r in lists])))
    out += [
        ("net out", num([r.net for r in lists])),
        ("  owner seeds kept", num([r.owner_seeds for r in lists])),
        ("billable net", num([r.billable for r in lists])),
        ("cost per thousand", [f"{r.cpm:,.2f}" if r.cpm is not None else "-" for r in lists] + [""]),
        (
            "cost of net names",
            [f"{r.cost:,.2f}" if r.cost is not None else "-" for r in lists]
            + [f"{sum(r.cost or 0 for r in lists):,.2f}"],
        ),
    ]
    return out


def lists_from_dict(report: dict[str, Any]) -> list[ListReport]:
    """The :class:`ListReport` of a stored report (``mergepurge_runs.report``, ``FILE.report.json``)."""
    from dataclasses import fields

    names = {f.name for f in fields(ListReport)}
    return [ListReport(**{k: v for k, v in d.items() if k in names}) for d in report.get("lists", [])]
