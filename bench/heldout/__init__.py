"""A held-out US population with ground truth, written apart from ``demo_db/`` and ``bench/synth.py``.

    python bench/heldout/generate.py --persons 100000 --seed 11 --out bench/out/heldout_100k

The report set of the quality benchmark (``bench/bench_quality.py``): nothing in workbench is tuned on
it. See ``generate.py`` for what it holds and how it differs from the tuning sets.
"""

from .generate import generate

__all__ = ["generate"]
