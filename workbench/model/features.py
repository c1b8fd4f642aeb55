"""The churn model's features and labels as of a cut-off day, built set-based in DuckDB and handed over as
an Arrow table.

**Population** at cut-off ``c``: persons with an order (not returned) in the 365 days up to ``c`` (of the
brand, when the model has one). **Label**: 1 ("lapsed") when the person has no order (not returned, of
the brand) in the ``horizon`` days after ``c``.

**Features** read only rows dated on or before ``c``: orders and spend (net of returns) over 90 / 365
days and all time, returns, days since the last and the first order, brands, average order, the share
of orders on each of the top channels, events (support calls, complaints: the operational triggers)
over 90 / 365 days and by type, contacts made and responses over 365 days. Each row also carries
``_seen_until``, the latest date of any input row it was built from: :func:`check_time_split` refuses
a frame that saw a day after its cut-off (a leak of the future into training or evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from workbench.errors import WorkbenchError
from workbench.store.sql import rows

if TYPE_CHECKING:  # pyarrow is imported where a frame is built (a trigger or a publish need not load it)
    import pyarrow as pa

TOP_CHANNELS = 3
TOP_EVENT_TYPES = 4
BASE_FEATURES = (
    "orders_90",
    "spend_90",
    "orders_365",
    "spend_365",
    "orders_all",
    "spend_all",
    "returns_365",
    "return_rate_365",
    "days_since_last",
    "days_since_first",
    "brands_365",
    "avg_order_365",
    "events_90",
    "events_365",
    "contacts_365",
    "responses_365",
)


class LeakError(WorkbenchError):
    """A feature frame read data dated after its cut-off: the evaluation would not be honest."""


@dataclass(frozen=True)
class FeatureSpec:
    """What the features are made of: the channels and event types (values from the data, bound as
    parameters; the columns are named ``channel_share_<i>`` / ``event_<i>_365``) and the label's brand."""

    channels: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    brand: str | None = None
    horizon_days: int = 180

    @property
    def names(self) -> list[str]:
        return [
            *BASE_FEATURES,
            *(f"channel_share_{i}" for i in range(len(self.channels))),
            *(f"event_{i}_365" for i in range(len(self.event_types))),
        ]

    def labels(self) -> dict[str, str]:
        """Column name -> what it is, for the operator."""
        out = {n: n for n in BASE_FEATURES}
        out |= {
            f"channel_share_{i}": f"share of orders on channel {c!r} (365 days)"
            for i, c in enumerate(self.channels)
        }
        out |= {f"event_{i}_365": f"{t!r} events (365 days)" for i, t in enumerate(self.event_types)}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": list(self.channels),
            "event_types": list(self.event_types),
            "brand": self.brand,
            "horizon_days": self.horizon_days,
        }


@dataclass
class Frame:
    cutoff: date
    table: pa.Table  # person_id, the features, _seen_until (and label when asked)
    spec: FeatureSpec
    timings: dict[str, float] = field(default_factory=dict)


def discover_spec(
    conn: duckdb.DuckDBPyConnection, cutoff: date, brand: str | None, horizon_days: int
) -> FeatureSpec:
    """The top channels and event types in the data up to ``cutoff``."""
    channels = [
        r["v"]
        for r in rows(
            conn,
            """SELECT lower(channel) AS v FROM transactions
        WHERE channel IS NOT NULL AND CAST(order_date AS DATE) <= ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?""",
            [cutoff, TOP_CHANNELS],
        )
    ]
    events = [
        r["v"]
        for r in rows(
            conn,
            """SELECT lower(event_type) AS v FROM events
        WHERE CAST(event_time AS DATE) <= ? GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?""",
            [cutoff, TOP_EVENT_TYPES],
        )
    ]
    return FeatureSpec(tuple(channels), tuple(events), brand, horizon_days)


def data_end(cutoff: date) -> date:
    """The last day of data a frame at ``cutoff`` may read (the cut-off itself)."""
    return cutoff


def feature_sql(spec: FeatureSpec, cutoff: date, with_label: bool) -> tuple[str, list[Any]]:
    end = data_end(cutoff)
    c = cutoff
    d90, d365 = c - timedelta(days=90), c - timedelta(days=365)
    brand_cond = "AND brand = ?" if spec.brand else ""
    ch_cols = []
    for i in range(len(spec.channels)):
        ch_cols.append(
            f"CAST(count(*) FILTER (WHERE channel = ? AND d > ? AND NOT returned) AS DOUBLE) / "
            f"nullif(count(*) FILTER (WHERE d > ? AND NOT returned), 0) AS channel_share_{i}"
        )
    ev_cols = [
        f"count(*) FILTER (WHERE t = ? AND d > ?) AS event_{i}_365" for i in range(len(spec.event_types))
    ]
    sql = f"""
    WITH tx AS (
        SELECT pr.person_id, CAST(t.order_date AS DATE) AS d, t.amount, t.returned, lower(t.channel) AS channel,
               lower(t.brand) AS brand
        FROM transactions t JOIN person_records pr ON pr.record_id = t.record_id
        WHERE CAST(t.order_date AS DATE) <= ?
    ),
    pop AS (SELECT DISTINCT person_id FROM tx WHERE NOT returned AND d > ? AND d <= ? {brand_cond}),
    fo AS (
        SELECT person_id,
               count(*) FILTER (WHERE NOT returned AND d > ?) AS orders_90,
               coalesce(sum(amount) FILTER (WHERE NOT returned AND d > ?), 0) AS spend_90,
               count(*) FILTER (WHERE NOT returned AND d > ?) AS orders_365,
               coalesce(sum(amount) FILTER (WHERE NOT returned AND d > ?), 0) AS spend_365,
               count(*) FILTER (WHERE NOT returned) AS orders_all,
               coalesce(sum(amount) FILTER (WHERE NOT returned), 0) AS spend_all,
               count(*) FILTER (WHERE returned AND d > ?) AS returns_365,
               CAST(count(*) FILTER (WHERE returned AND d > ?) AS DOUBLE)
                   / nullif(count(*) FILTER (WHERE d > ?), 0) AS return_rate_365,
               date_diff('day', max(d) FILTER (WHERE NOT returned), CAST(? AS DATE)) AS days_since_last,
               date_diff('day', min(d), CAST(? AS DATE)) AS days_since_first,
               count(DISTINCT brand) FILTER (WHERE d > ?) AS brands_365,
               avg(amount) FILTER (WHERE NOT returned AND d > ?) AS avg_order_365
               {"".join(", " + col for col in ch_cols)},
               max(d) AS seen
        FROM tx WHERE person_id IN (SELECT person_id FROM pop) GROUP BY person_id
    ),
    ev AS (
        SELECT pr.person_id, CAST(e.event_time AS DATE) AS d, lower(e.event_type) AS t
        FROM events e JOIN person_records pr ON pr.record_id = e.record_id
        WHERE CAST(e.event_time AS DATE) <= ?
    ),
    fe AS (
        SELECT person_id, count(*) FILTER (WHERE d > ?) AS events_90, count(*) FILTER (WHERE d > ?) AS events_365
               {"".join(", " + col for col in ev_cols)}, max(d) AS seen
        FROM ev GROUP BY person_id
    ),
    fc AS (
        SELECT contact_person_id AS person_id, count(*) FILTER (WHERE contact_date > ?) AS contacts_365,
               max(contact_date) AS seen
        FROM contact_history_persons WHERE NOT is_control AND contact_date <= ? GROUP BY 1
    ),
    fr AS (
        SELECT coalesce(r.person_id, pr.person_id) AS person_id, count(*) FILTER (WHERE r.response_date > ?)
               AS responses_365, max(r.response_date) AS seen
        FROM campaign_responses r LEFT JOIN person_records pr ON pr.record_id = r.record_id
        WHERE r.response_date <= ? GROUP BY 1
    )
    SELECT fo.person_id, {", ".join(f"fo.{n}" for n in BASE_FEATURES[:12])},
           coalesce(fe.events_90, 0) AS events_90, coalesce(fe.events_365, 0) AS events_365,
           coalesce(fc.contacts_365, 0) AS contacts_365, coalesce(fr.responses_365, 0) AS responses_365
           {"".join(f", fo.channel_share_{i}" for i in range(len(spec.channels)))}
           {"".join(f", coalesce(fe.event_{i}_365, 0) AS event_{i}_365" for i in range(len(spec.event_types)))},
           greatest(fo.seen, fe.seen, fc.seen, fr.seen) AS _seen_until
           {", lab.lapsed AS label" if with_label else ""}
    FROM fo
    LEFT JOIN fe ON fe.person_id = fo.person_id
    LEFT JOIN fc ON fc.person_id = fo.person_id
    LEFT JOIN fr ON fr.person_id = fo.person_id
    {"LEFT JOIN lab ON lab.person_id = fo.person_id" if with_label else ""}
    ORDER BY fo.person_id"""
    params = [
        end,
        d365,
        c,
        *([spec.brand] if spec.brand else []),
        d90,
        d90,
        d365,
        d365,
        d365,
        d365,
        d365,
        c,
        c,
        d365,
        d365,
    ]
    for ch in spec.channels:
        params += [ch, d365, d365]
    params += [end, d90, d365]
    for t in spec.event_types:
        params += [t, d365]
    params += [d365, end, d365, end]
    if with_label:
        label_sql, label_params = _label_cte(spec, cutoff)
        sql = sql.replace("WITH tx AS (", f"WITH lab AS ({label_sql}),\n    tx AS (", 1)
        params = label_params + params
    return sql, params


def _label_cte(spec: FeatureSpec, cutoff: date) -> tuple[str, list[Any]]:
    """Per person: lapsed = no order (not returned, of the brand) in the horizon after the cut-off."""
    brand_cond = "AND lower(t.brand) = ?" if spec.brand else ""
    sql = f"""SELECT pr.person_id, count(*) FILTER (WHERE NOT t.returned AND CAST(t.order_date AS DATE) > ?
                  AND CAST(t.order_date AS DATE) <= ? {brand_cond}) = 0 AS lapsed
              FROM person_records pr LEFT JOIN transactions t ON t.record_id = pr.record_id GROUP BY pr.person_id"""
    return sql, [cutoff, cutoff + timedelta(days=spec.horizon_days), *([spec.brand] if spec.brand else [])]


def build_frame(conn: duckdb.DuckDBPyConnection, spec: FeatureSpec, cutoff: date, with_label: bool) -> Frame:
    import time

    t0 = time.perf_counter()
    sql, params = feature_sql(spec, cutoff, with_label)
    table = conn.sql(sql, params=params).to_arrow_table()
    frame = Frame(cutoff, table, spec, {"features": round(time.perf_counter() - t0, 3)})
    check_time_split(frame)
    return frame


def check_time_split(frame: Frame) -> None:
    """Refuse a frame any of whose rows was built from data dated after its cut-off."""
    import pyarrow.compute as pc

    if frame.table.num_rows == 0:
        return
    seen = pc.max(frame.table.column("_seen_until")).as_py()
    if seen is not None and seen > frame.cutoff:
        raise LeakError(
            f"The features as of {frame.cutoff} read data dated {seen}, after the cut-off: the "
            "evaluation would see the future.",
            "This is a bug in the feature SQL; nothing was stored.",
        )


def matrix(frame: Frame):
    """(person ids, X as float64 with NaN for missing, y or None) as numpy arrays."""
    import numpy as np
    import polars as pl

    df = pl.from_arrow(frame.table)
    x = df.select([pl.col(n).cast(pl.Float64) for n in frame.spec.names]).to_numpy()
    y = df["label"].cast(pl.Int8).to_numpy() if "label" in df.columns else None
    return df["person_id"].to_numpy(), np.asarray(x, dtype=np.float64), y
