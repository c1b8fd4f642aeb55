"""The churn score as a trigger measure: ``churn_score`` (0 to 1) and ``churn_decile`` (1 to 10, 10 = the
most likely to lapse) of the last ``workbench model churn score``, of the all-brands model or of the
trigger's ``churn_brand``. A trigger such as "at risk and valuable"::

    [triggers.at_risk_valuable]
    from = "transactions"
    window_days = 365
    when = ["churn_decile >= 8", "spend >= 500"]

reads them through :func:`churn_join` (one row per person and brand in ``churn_scores``, so the trigger's
``GROUP BY person`` is unchanged) and :func:`churn_measure`. A person never scored has no value: a
condition on it does not hold. :func:`churn_trigger_reasons` says why such a trigger cannot be trusted
now (nothing scored, a model past its allowed age).
"""

from __future__ import annotations

import duckdb

from workbench import clock
from workbench.store.sql import quote_literal, rows

CHURN_MEASURES: dict[str, tuple[str, str]] = {
    "churn_score": ("the person's churn score, 0 to 1 (workbench model churn score)", "score"),
    "churn_decile": ("the person's churn decile, 1 to 10 (10 = the most likely to lapse)", "decile"),
}
ALIAS = "cs"


def churn_join(brand: str | None) -> str:
    """The join a trigger's SQL adds to read the scores (persons as ``pr.person_id``)."""
    return (
        f" LEFT JOIN churn_scores {ALIAS} ON {ALIAS}.person_id = pr.person_id "
        f"AND {ALIAS}.brand = {quote_literal((brand or '').strip().lower())}"
    )


def churn_measure(measure: str) -> str:
    """The aggregate of a churn measure (one scores row per person: max is the value)."""
    return f"max({ALIAS}.{CHURN_MEASURES[measure][1]})"


def churn_trigger_reasons(conn: duckdb.DuckDBPyConnection, brand: str | None) -> list[str]:
    """Why a trigger on the churn score is stale now: no scores of the brand's model, or the model that
    made them is older than its allowed age (setting churn.max_age_days)."""
    from workbench.model.churn import max_age_days

    brand = (brand or "").strip().lower()
    found = rows(
        conn,
        """SELECT s.model_id, m.trained_at FROM (SELECT max(model_id) AS model_id FROM churn_scores
        WHERE brand = ?) s LEFT JOIN churn_models m ON m.model_id = s.model_id""",
        [brand],
    )
    what = f"brand {brand}'s churn model" if brand else "the churn model"
    if not found or found[0]["model_id"] is None:
        return [f"nobody is scored by {what} yet (workbench model churn train, then score)"]
    trained = found[0]["trained_at"]
    age = (clock.now() - trained).days if trained else None
    limit = max_age_days(conn)
    if age is not None and age > limit:
        return [f"{what} (model {found[0]['model_id']}) is {age} days old (allowed: {limit})"]
    return []
