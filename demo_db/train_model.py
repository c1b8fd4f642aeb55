"""Write demo_db/match_model.json: the match model Splink trains on the demo's records, with the fingerprint
of that input, so `workbench demo` saves it instead of training on every build.

Run it after changing the demo data (generate.py), the standardisation or the match model and its training
(tests/test_demo_model.py fails while the file is stale):

    python demo_db/train_model.py          # builds the demo in a temporary folder with training (~15 s)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.demo import write_demo_model  # noqa: E402

if __name__ == "__main__":
    entry = write_demo_model(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    print(f"match model for {entry['trained_on']:,} records, fields {', '.join(entry['fields'])}; "
          f"fingerprint {entry['fingerprint'][:16]}")
