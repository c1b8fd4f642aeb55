"""Generate the Northwind Living demo database's sample extracts, byte for byte the same on every run.

    python demo_db/generate.py            # rewrites demo_db/ (extracts/, manifest.json, truth*.csv, ...)
    python demo_db/generate.py --out DIR  # writes the same files under DIR instead

Standard library only; one ``random.Random(20261120)`` drives everything, in a fixed order.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth import address_files, event_files, people_files, suppression_files, transaction_files  # noqa: E402
from synth.declarations import SOURCES_TOML  # noqa: E402
from synth.lapsing import Lapsing  # noqa: E402
from synth.lookup import Known  # noqa: E402
from synth.people_accounts import build_accounts  # noqa: E402
from synth.population import build_population  # noqa: E402
from synth.writer import Output  # noqa: E402

SEED = 20261120
DEMO_NOW = "2026-11-24T09:00:00"


def build() -> tuple[Output, dict]:
    """Every file of the demo database in memory, and figures for the summary."""
    rng = random.Random(SEED)
    pop = build_population(rng)
    acc = build_accounts(rng, pop)
    people_files.mark_bad_rows(rng, acc)
    out = Output()
    people_files.write_web(rng, out, acc)
    people_files.write_ecom(out, acc)
    lapsing = Lapsing()  # its own random stream: the planted lapsing the churn model must find
    segments = transaction_files.write_orders(rng, out, acc, pop, lapsing)
    visits = transaction_files.write_sales(rng, out, acc)
    people_files.write_pos(out, acc, visits)
    people_files.write_truth(out, acc, pop)
    frustrated = event_files.write_callcentre(rng, out, acc, lapsing.calls)
    event_files.write_partner(rng, out, acc)

    known, truth = Known(acc, pop), []
    suppression_files.write_unsubscribes(rng, out, known, truth)
    suppression_files.write_bounces(rng, out, known, truth)
    suppression_files.write_brand_optouts(rng, out, known, truth)
    suppression_files.write_do_not_call(rng, out, known, truth)
    suppression_files.write_staff(rng, out, known, truth)
    address_files.write_mail_preference(rng, out, known, truth)
    address_files.write_deceased(rng, out, known, truth)
    address_files.write_ncoa(rng, out, known, truth)
    out.table(
        "truth_suppressed.csv",
        ["person_id", "channel", "brand", "reason"],
        [list(r) for r in sorted(set(truth))],
    )
    out.table(
        "expected_rejects.csv",
        ["source", "file", "line", "reason"],
        [[s, f, str(n), r] for s, f, n, r in out.rejects],
    )
    out.text("sources.toml", SOURCES_TOML)
    loads = [{"source": s, "file": f, "loaded_at": t.isoformat()} for t, s, f in sorted(out.loads)]
    out.text("manifest.json", json.dumps({"demo_now": DEMO_NOW, "loads": loads}, indent=2) + "\n")

    figures = {
        "people": len(pop.people),
        "households": len(pop.households),
        "records": Counter(a.source for a in acc.all() if a.key),
        "segments": Counter(segments.values()),
        "frustrated": len(frustrated),
        "lapsers": len(lapsing.lapse_day),
        "lapse_days": lapsing.lapse_day,  # customer id -> the planted lapse day (for the churn test)
        "moved": Counter(h.move_code for h in pop.households if h.move_code),
        "suppressed_people": len({r[0] for r in truth}),
    }
    return out, figures


def write(out: Output, target: Path) -> int:
    extracts = target / "extracts"
    extracts.mkdir(parents=True, exist_ok=True)
    for old in sorted(extracts.iterdir()):  # a file no longer generated must not linger
        if old.is_file() and f"extracts/{old.name}" not in out.files:
            old.unlink()
    for path, data in sorted(out.files.items()):
        (target / path).write_bytes(data)
    return sum(len(data) for path, data in out.files.items() if path.startswith("extracts/"))


def summary(out: Output, figures: dict, extract_bytes: int, target: Path) -> str:
    per_source: dict[str, list[int]] = {}
    for _, source, path in sorted(out.loads):
        per_source.setdefault(source, []).append(out.rows[path])
    lines = [
        f"Northwind Living demo database -> {target}",
        f"  {figures['people']} people in {figures['households']} households (truth); "
        f"people records: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["records"].items())),
        "  ecom buyer segments: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["segments"].items())),
        f"  moved households: {dict(sorted(figures['moved'].items()))}; frustrated callers: "
        f"{figures['frustrated']}; planted lapsers: {figures['lapsers']}; people truly suppressed somewhere: {figures['suppressed_people']}",
        f"  {len(out.loads)} loads, {len(out.rejects)} rows a loader must reject, "
        f"extracts {extract_bytes / 1e6:.2f} MB",
        "  rows per load:",
    ]
    for source, counts in sorted(per_source.items()):
        lines.append(f"    {source:<20} {' '.join(str(c) for c in counts)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into (default: demo_db/)")
    parser.add_argument("--quiet", action="store_true", help="print nothing")
    args = parser.parse_args(argv)
    out, figures = build()
    size = write(out, args.out)
    if not args.quiet:
        print(summary(out, figures, size, args.out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
