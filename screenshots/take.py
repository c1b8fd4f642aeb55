"""Take one screenshot per main screen from the demo database: `./run screenshots` (or python screenshots/take.py).

Builds a fresh demo database in a temporary folder (the demo's frozen clock makes it look the same every
time), opens the TUI headless at 120x36, visits each screen, waits for its workers, and saves
screenshots/<n>_<screen>.svg; a PNG beside it when cairosvg is installed.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench.demo import build_demo  # noqa: E402
from workbench.tui.app import WorkbenchApp  # noqa: E402
from workbench.tui.screens import SCREENS  # noqa: E402

SIZE = (120, 36)


async def settle(pilot) -> None:
    from textual.worker import WorkerCancelled, WorkerFailed

    app = pilot.app
    for _ in range(40):
        busy = [w for w in app.workers if w.is_running and w.group not in ("freshness-summary",)]
        if not busy:
            break
        try:
            await app.workers.wait_for_complete(busy)
        except (WorkerFailed, WorkerCancelled):
            pass
        await pilot.pause()
    await pilot.pause(0.3)


async def take(db: str, out: Path) -> list[Path]:
    written = []
    app = WorkbenchApp(db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for entry in SCREENS:
            await pilot.press(entry.key)
            await settle(pilot)
            name = f"{entry.key}_{entry.mode}.svg"
            app.save_screenshot(filename=name, path=str(out))
            written.append(out / name)
    return written


def to_png(svg: Path) -> Path | None:
    try:
        import cairosvg  # type: ignore[import-not-found]
    except ImportError:
        return None
    png = svg.with_suffix(".png")
    cairosvg.svg2png(url=str(svg), write_to=str(png))
    return png


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="wb-shots-") as tmp:
        os.chdir(tmp)
        build_demo(Path("demo.duckdb"))
        files = asyncio.run(take("demo.duckdb", HERE))
    for f in files:
        png = to_png(f)
        print(f, "+ png" if png else "")


if __name__ == "__main__":
    main()
