"""The customer view as sections of plain-text tables, shared by ``workbench person`` and the TUI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbench.formatting import printable


@dataclass
class Section:
    key: str
    title: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    empty: str = "none"  # what to say when there are no rows
    person_ids: list[int | None] = field(default_factory=list)  # per row: a person one can open from it


def show(value: Any) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if value.time() == datetime.min.time() else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, (float, Decimal)):
        return f"{value:,.2f}" if isinstance(value, Decimal) or abs(value) >= 1 or value == 0 else f"{value:.3f}"
    if isinstance(value, list):
        return ", ".join(show(v) for v in value)
    return printable(str(value))  # extract data may hold terminal escape sequences


def title_line(view: dict[str, Any]) -> str:
    g = view["golden"]
    name = printable(" ".join(x for x in (g.get("first_name"), g.get("last_name")) if x)) or "(no name)"
    origin = view.get("origin")
    came = f"; came from list {origin['source']} (merge/purge run {origin['run_id']})" if origin else ""
    return (f"Person {view['person_id']}: {name}, {g.get('record_count', 0)} record(s) from "
            f"{show(g.get('sources'))}{came}")


def customer_sections(view: dict[str, Any]) -> list[Section]:
    """The view's sections in reading order (golden record first)."""
    out = [Section("golden", "Golden record (and where each field comes from)",
                   ["field", "value", "source", "source key", "as of"],
                   [[g["field"], show(g["value"]), show(g["source"]), show(g["source_key"]), show(g["as_of"])]
                    for g in view["golden_sources"]])]
    out.append(Section("records", "Source records", ["record", "source", "key", "name", "address", "email", "phone",
                                                     "birth date", "as of"],
                       [[show(r["record_id"]), show(r["source"]), show(r["source_key"]),
                         show(" ".join(x for x in (r["first_name"], r["last_name"]) if x)),
                         show(", ".join(x for x in (r["address_line1"], r["address_line2"], r["city"], r["state"],
                                                    r["postal_code"]) if x)),
                         show(r["email"]), show(r["phone"]), show(r["birth_date"]), show(r["as_of"])]
                        for r in view["records"]]))
    hh = view.get("household")
    members = hh["members"] if hh else []
    out.append(Section("household", "Household" + (f" {hh['household_id']}: {show(hh.get('address_line1'))}, "
                                                   f"{show(hh.get('city'))} {show(hh.get('zip5'))}, "
                                                   f"{hh['size']} member(s)" if hh else ""),
                       ["person", "name", "head", "joined by", "orders 12m", "spend 12m"],
                       [[show(m["person_id"]), show(" ".join(x for x in (m["first_name"], m["last_name"]) if x)),
                         show(m["is_head"]), show(m["joined_by"]), show(m["orders_12m"]), show(m["spend_12m"])]
                        for m in members],
                       empty="no households run yet" if not view["available"]["households"] else "not in a household",
                       person_ids=[m["person_id"] for m in members]))
    out.append(Section("brands", "Transactions by brand", ["brand", "orders", "spend", "returns", "first", "last",
                                                          "channels"],
                       [[show(b["brand"]), show(b["orders"]), show(b["spend"]), show(b["returns"]),
                         show(b["first_order"]), show(b["last_order"]), show(b["channels"])]
                        for b in view["transactions_by_brand"]], empty="no orders"))
    out.append(Section("segments", "Value and risk (RFM segment, scores 1-5; churn score)" + _churn_text(view),
        ["brand", "segment", "recency", "frequency", "monetary", "days since", "orders", "value", "as of"],
        [[show(r["brand"]), show(r["segment"]), show(r["recency_score"]), show(r["frequency_score"]),
          show(r["monetary_score"]), show(r["recency_days"]), show(r["frequency"]), show(r["monetary"]),
          show(r["as_of"])] for r in view.get("rfm") or []],
        empty="no segments (no orders, or `workbench segments` not run yet)"))
    out.append(Section("orders", "Latest orders", ["date", "source", "order", "brand", "channel", "category",
                                                  "amount", "returned"],
                       [[show(t["order_date"]), show(t["source"]), show(t["order_id"]), show(t["brand"]),
                         show(t["channel"]), show(t["category"]), show(t["amount"]), show(t["returned"])]
                        for t in view["recent_transactions"]], empty="no orders"))
    out.append(Section("contacts", "Contact history", ["date", "campaign", "brand", "channel", "cell", "keycode",
                                                      "held out", "from"],
                       [[show(c["contact_date"]), show(c["campaign"]), show(c["brand"]), show(c["channel"]),
                         show(c["cell"]), show(c["keycode"]), show(c["is_control"]), show(c["source"])]
                        for c in view["contacts"]], empty="never contacted"))
    deliver = view.get("deliverability")
    sup_rows = [[show(s["channel"]), show(s["brand"]), show(s["suppression"]), show(s["why"]),
                 show(s["effective_date"])] for s in view["suppressions"]]
    if deliver and not deliver["mail_deliverable"]:
        sup_rows.append(["mail", "every brand", "deliverability", show(deliver["reason"]), show(deliver["since"])])
    out.append(Section("suppressions", "Suppressions that apply (and why)", ["channel", "brand", "suppression", "why",
                                                                            "since"], sup_rows,
                       empty="none: may be contacted" if view["available"]["suppressions"]
                       else "suppressions not built yet"))
    out.append(Section("triggers", "Triggers that fire now", ["trigger", "what", "measures"],
                       [[t["trigger"], show(t["description"] or t["definition"]),
                         ", ".join(f"{k} {show(v)}" for k, v in t["measures"].items())] for t in view["triggers"]],
                       empty="none"))
    decisions = [[show(d["decided_at"]), show(d["decision"]), f"{show(d['source_l'])}:{show(d['key_l'])}",
                  f"{show(d['source_r'])}:{show(d['key_r'])}", show(d["other_person_id"]), show(d["reason"]),
                  "undone " + show(d["undone_at"]) if d["undone_at"] else ""] for d in view["merge_decisions"]]
    decisions += [["open", f"candidate ({c['status']})", show(c["record_id_l"]), show(c["record_id_r"]),
                   show(c["other_person_id"]), f"p = {c['probability']:.3f}", ""] for c in view["merge_candidates"]]
    out.append(Section("merges", "Merge decisions and open candidates", ["when", "decision", "record", "other record",
                                                                        "other person", "reason", ""], decisions,
                       empty="none" if view["available"]["identity"] else "no match runs yet",
                       person_ids=[d["other_person_id"] for d in view["merge_decisions"]]
                       + [c["other_person_id"] for c in view["merge_candidates"]]))
    return out


def _churn_text(view: dict[str, Any]) -> str:
    """The person's churn score (all-brands model), then each brand model's (issue 14)."""
    churn = view.get("churn")
    if not churn:
        return ""
    parts = []
    if churn.get("score") is not None:
        parts.append(f"churn {churn['score']:.2f}, decile {churn['decile']} of 10, model {churn['model_id']}")
    brands = [f"{b['brand']} {b['score']:.2f} (decile {b['decile']})" for b in churn.get("brands") or []]
    if brands:
        parts.append("by brand: " + ", ".join(brands))
    return ": " + "; ".join(parts) + f" as of {show(churn['as_of'])}"
