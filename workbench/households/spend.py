"""What each person spent, from ``transactions``, for the head-of-household rule and household figures.

Transactions reach people records through ``transactions.record_id`` (filled by the loader from the
transactions source's ``people_source``, see :mod:`workbench.ingest.links`) and persons through
``person_records``. Spend is net of returns (orders flagged ``returned`` count for nothing); "12 months"
ends at the clock's now.
"""

from __future__ import annotations

import duckdb

from workbench import clock
from workbench.store.sql import run


def person_spend(conn: duckdb.DuckDBPyConnection, out: str = "_hh_spend") -> None:
    """Write temp table ``out(person_id, spend_12m, orders_12m, spend_total, last_order, brands)``."""
    now = clock.now().replace(microsecond=0)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE {out} AS
        WITH tx AS (
            SELECT pr.person_id, t.amount, t.returned, t.order_date, t.brand,
                   NOT t.returned AND t.order_date > ?::TIMESTAMP - INTERVAL 12 MONTH
                       AND t.order_date <= ?::TIMESTAMP AS recent
            FROM transactions t JOIN person_records pr ON pr.record_id = t.record_id)
        SELECT person_id,
               coalesce(sum(amount) FILTER (WHERE recent), 0)::DECIMAL(18, 2) AS spend_12m,
               count(*) FILTER (WHERE recent)::INTEGER AS orders_12m,
               coalesce(sum(amount) FILTER (WHERE NOT returned), 0)::DECIMAL(18, 2) AS spend_total,
               max(order_date) AS last_order,
               list(DISTINCT brand ORDER BY brand) FILTER (WHERE brand IS NOT NULL) AS brands
        FROM tx GROUP BY person_id""", [now, now])
