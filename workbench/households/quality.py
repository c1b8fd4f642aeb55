"""Pairwise precision and recall of "same household" against a truth (for tests, the demo and the bench).

Every pair of items (people records) in one predicted household is a predicted pair; every pair in one
true household a true pair. Precision = true predicted pairs / predicted pairs; recall = true predicted
pairs / true pairs. Counted from group sizes (never by listing pairs), so a million records take a moment.
"""

from __future__ import annotations

import duckdb

from workbench.store.sql import rows


def pairwise_quality(conn: duckdb.DuckDBPyConnection, labelled_sql: str) -> dict[str, float | int]:
    """``labelled_sql`` returns one row per item with columns ``predicted`` and ``truth`` (group labels;
    a NULL predicted label puts the item alone)."""
    got = rows(conn, f"""WITH l AS (
            SELECT coalesce(CAST(predicted AS VARCHAR), 'alone:' || row_number() OVER ()) AS predicted,
                   CAST(truth AS VARCHAR) AS truth
            FROM ({labelled_sql}))
        SELECT
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM l GROUP BY predicted, truth))
                AS true_pairs_found,
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM l GROUP BY predicted))
                AS predicted_pairs,
            (SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM l GROUP BY truth))
                AS true_pairs,
            (SELECT count(*) FROM l) AS items""")[0]
    tp, pp, tt = int(got["true_pairs_found"]), int(got["predicted_pairs"]), int(got["true_pairs"])
    return {"items": int(got["items"]), "true_pairs": tt, "predicted_pairs": pp, "true_pairs_found": tp,
            "precision": round(tp / pp, 4) if pp else 1.0, "recall": round(tp / tt, 4) if tt else 1.0}
