"""Models trained on the database's own history (issue 14): the churn score.

- :func:`train_churn(conn, horizon_days=None, brand=None) -> TrainResult`: back-test on a time split, fit,
  store the model (of one brand, or every brand together) with its features, evaluation and as-of.
- :func:`train_all_brands(conn, horizon=None)`: the all-brands model and one per brand.
- :func:`configured_horizon(conn, brand)`: N of a brand (setting ``churn.horizon_days.<brand>``, 180).
- :func:`score_churn(conn, allow_stale=False, max_age=None, brand=None)`: score persons into ``churn_scores``
  (per brand).
- :func:`latest_model(conn, brand=None)`, :func:`churn_deciles(conn, brand='')`: read them back.
- :mod:`workbench.model.measures`: ``churn_score`` / ``churn_decile`` as trigger measures.

See docs/segments.md.
"""

from workbench.model.churn import (
    DEFAULT_HORIZON_DAYS,
    TrainResult,
    churn_deciles,
    configured_horizon,
    evaluate,
    latest_model,
    model_brands,
    score_churn,
    train_all_brands,
    train_churn,
)
from workbench.model.features import LeakError

__all__ = [
    "DEFAULT_HORIZON_DAYS",
    "LeakError",
    "TrainResult",
    "churn_deciles",
    "configured_horizon",
    "evaluate",
    "latest_model",
    "model_brands",
    "score_churn",
    "train_all_brands",
    "train_churn",
]
