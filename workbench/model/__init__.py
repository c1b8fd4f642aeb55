"""Models trained on the database's own history (issue 14): the churn score.

- :func:`train_churn(conn, horizon_days=180, brand=None) -> TrainResult`: back-test on a time split, fit,
  store the model with its features, evaluation and as-of.
- :func:`score_churn(conn, allow_stale=False, max_age=None)`: score persons into ``churn_scores``.
- :func:`latest_model(conn)`, :func:`churn_deciles(conn)`: read them back.

See docs/segments.md.
"""

from workbench.model.churn import (
    DEFAULT_HORIZON_DAYS,
    TrainResult,
    churn_deciles,
    evaluate,
    latest_model,
    score_churn,
    train_churn,
)
from workbench.model.features import LeakError

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "LeakError",
    "TrainResult",
    "churn_deciles",
    "evaluate",
    "latest_model",
    "score_churn",
    "train_churn",
]
