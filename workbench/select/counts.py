"""What the CLI and the TUI call: import selections, count one (saved, or being edited), describe them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from workbench.select.attributes import ATTRIBUTES, FIELD_ALIASES
from workbench.select.definition import (
    Selection,
    SelectionError,
    parse_selections_text,
    parse_selections_toml,
)
from workbench.select.functions import functions
from workbench.select.gate import FreshnessGate
from workbench.select.plan import check_selection
from workbench.select.ready import Progress, Readiness, with_ready
from workbench.select.saved import get_selection, save_selection
from workbench.select.waterfall import Waterfall, run_waterfall
from workbench.store import Store


def import_selections(store: Store, path: str | Path) -> list[dict[str, Any]]:
    """Check every selection of a TOML file and store the ones that changed, in one transaction
    (one bad selection and none is stored). Returns ``[{name, version, status, warnings}]``."""
    defined = parse_selections_toml(path)
    out = []
    with store.transaction() as conn:
        for sel in defined:
            plan = check_selection(conn, sel)
            result = save_selection(conn, sel, origin=f"import {Path(path).name}")
            out.append({**result, "warnings": plan.warnings})
    return out


def save_edited(store: Store, text: str) -> dict[str, Any]:
    """Check and store the one selection of an edited TOML text (the TUI's save)."""
    sel = single_selection(text)
    with store.transaction() as conn:
        plan = check_selection(conn, sel)
        result = save_selection(conn, sel, origin="tui")
    return {**result, "warnings": plan.warnings}


def single_selection(text: str) -> Selection:
    found = parse_selections_text(text, label="definition")
    if len(found) != 1:
        raise SelectionError("definition: write exactly one [selections.NAME] table.")
    return found[0]


def count_selection(store: Store, name: str, campaign: str | None = None,
                    progress: Progress | None = None) -> Waterfall:
    """The waterfall of a saved selection. People records loaded since the last match are matched and
    loaded moves applied first (:mod:`workbench.select.ready`, reported by ``progress``), then the derived
    tables are brought up to date; stale sources it reads are named in its warnings."""
    return with_ready(store, lambda conn, ready: _count(conn, get_selection(conn, name), campaign, ready),
                      progress, check=lambda conn: get_selection(conn, name))  # an unknown name: refused first


def count_definition(store: Store, sel: Selection, progress: Progress | None = None) -> Waterfall:
    """The waterfall of a selection not saved (yet): the TUI's live count while the operator edits."""
    return with_ready(store, lambda conn, ready: _count(conn, sel, None, ready), progress)


def _count(conn, sel: Selection, campaign: str | None, ready: Readiness | None = None) -> Waterfall:
    plan = check_selection(conn, sel)
    wf = run_waterfall(conn, plan, campaign=campaign)
    if ready is not None:
        ready.apply_to(wf)
    gate = plan.freshness(conn)
    if gate.errors:
        wf.warnings.append(f"stale: {gate.describe(gate.errors)}: an export is refused without --allow-stale")
    if gate.warnings:
        wf.warnings.append(f"getting old: {gate.describe(gate.warnings)}")
    return wf


def preflight(store: Store, name: str, progress: Progress | None = None) -> tuple[Waterfall, FreshnessGate]:
    """What an export of ``name`` would do now: its waterfall and the freshness of the sources it reads
    (the TUI asks for a confirmation that names stale sources before exporting). Unmatched people
    records and loaded moves are brought up to date first, as the export itself does."""

    def body(conn, ready: Readiness) -> tuple[Waterfall, FreshnessGate]:
        plan = check_selection(conn, get_selection(conn, name))
        wf = run_waterfall(conn, plan)
        ready.apply_to(wf)
        return wf, plan.freshness(conn)

    return with_ready(store, body, progress, check=lambda conn: get_selection(conn, name))


def attribute_reference() -> dict[str, list[dict[str, str]]]:
    """Every attribute and function a where expression may use (for `selections attributes` and the TUI),
    and the other names an export's ``fields`` may give an attribute (``field_aliases``)."""
    return {
        "attributes": [{"name": a.name, "type": a.type, "help": a.help} for a in ATTRIBUTES.values()],
        "functions": [{"name": f.signature, "type": f.returns, "help": f.help} for f in functions().values()],
        "field_aliases": [{"name": alias, "type": ATTRIBUTES[target].type, "help": f"export field: same as {target}"}
                          for alias, target in FIELD_ALIASES.items()],
    }


def import_demo_selections(store: Store, folder: Path) -> list[dict[str, Any]]:
    """The demo's post-load step: import ``folder``/selections.toml (the demo passes demo_db)."""
    return import_selections(store, Path(folder) / "selections.toml")
