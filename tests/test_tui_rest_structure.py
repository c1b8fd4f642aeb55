"""One way to do each thing in the TUI (issue 13): every screen (but Selections and Matches, moved apart)
has its database work in ``<screen>_jobs.py`` beside it, posts typed messages nested in its class, runs no
SQL and does not import the shared ``workbench/tui/jobs.py`` itself."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from textual.message import Message

SCREENS = Path(__file__).resolve().parents[1] / "workbench" / "tui" / "screens"
MINE = {"audit_view": "AuditScreen", "campaigns_view": "CampaignsScreen", "customer": "CustomerScreen",
        "freshness": "FreshnessScreen", "households_review": "HouseholdsScreen", "profile": "ProfileScreen",
        "sources": "SourcesScreen", "suppressions_view": "SuppressionsScreen"}


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


@pytest.mark.parametrize("module", sorted(MINE))
def test_a_screen_does_not_run_sql_nor_import_the_shared_jobs(module):
    path = SCREENS / f"{module}.py"
    text = path.read_text(encoding="utf-8")
    assert "workbench.tui.jobs" not in imported(path)
    for word in ("SELECT ", "BEGIN", "COMMIT", "store.connect(", "store.transaction(", "_job(", "Read(\""):
        assert word not in text, f"{module}.py: {word!r}"
    if module != "freshness":  # its figures are read by the app (freshness_jobs.py)
        assert (SCREENS / f"{module}_jobs.py").is_file()
        assert any(m.startswith(f"workbench.tui.screens.{module}_jobs") for m in imported(path)), module


@pytest.mark.parametrize("module, screen", sorted(MINE.items()))
def test_messages_are_nested_in_the_screen_class(module, screen):
    mod = importlib.import_module(f"workbench.tui.screens.{module}")
    loose = [name for name, obj in vars(mod).items()
             if inspect.isclass(obj) and issubclass(obj, Message) and obj.__module__ == mod.__name__]
    assert loose == [] or module == "customer" and loose == ["ShowCustomer"], loose  # ShowCustomer: any screen posts it
    cls = getattr(mod, screen)
    nested = [obj for obj in vars(cls).values() if inspect.isclass(obj) and issubclass(obj, Message)]
    assert nested or module == "freshness"


def test_the_jobs_modules_import_no_textual():
    for path in SCREENS.glob("*_jobs.py"):
        assert not any(m.startswith("textual") for m in imported(path)), path.name
