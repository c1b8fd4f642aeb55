"""The command palette (ctrl+p): the main actions and every screen, by name."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.tui.screens import MORE_SCREENS, SCREENS

# (title, help, screen mode, action): the actions the README promises, run on their screen.
SCREEN_ACTIONS = (
    ("Run matching", "Find merge candidates and cluster persons (Matches screen, M)", "matches", "run_matching"),
    ("Bulk accept merge candidates", "Accept every pair above a probability (Matches screen, b)", "matches",
     "bulk_accept"),
    ("Recompute households", "Apply moves and group households again (Households screen, c)", "households",
     "recompute"),
    ("Add an opt-out", "Suppress one person, e-mail or phone by hand (Suppressions screen, a)", "suppressions",
     "add_opt_out"),
    ("Export a selection", "Write the selected selection's file (Selections screen, e)", "selections",
     "export_selection"),
    ("New selection", "Start a selection definition (Selections screen, n)", "selections", "new_selection"),
    ("Pressure rules", "Contact pressure and capacity rules (Campaigns screen, r)", "campaigns",
     "show_tab('tab-rules')"),
    ("Triggers", "Who each trigger fires for now (Campaigns screen, g)", "campaigns", "show_tab('tab-triggers')"),
    ("Contact plan", "One plan across brands for a period: plans, who took whom, calendar (Campaigns screen, l)",
     "campaigns", "show_tab('tab-plan')"),
    ("Add a pressure rule", "A contact pressure or capacity rule (Campaigns screen, a)", "campaigns", "add_rule"),
    ("Write the profile report", "HTML or Markdown report for the rest of the company (Profile screen, w)",
     "profile", "write_report"),
    ("Compute RFM segments", "Recency, frequency, monetary segments (Profile screen, s)", "profile",
     "compute_segments"),
    ("Publish segments", "Segment files for the operational systems (Profile screen, u)", "profile",
     "publish_segments"),
)


class WorkbenchCommands(Provider):
    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """(title, help, callback) of each command."""
        app = self.app
        yield (
            "Load a file",
            "Load an extract into the selected source (Sources screen, l)",
            partial(app.run_on_screen, "sources", "load_file"),
        )  # type: ignore[attr-defined]
        yield (
            "Import sources",
            "Add or replace sources from a TOML file (Sources screen, i)",
            partial(app.run_on_screen, "sources", "import_sources"),
        )  # type: ignore[attr-defined]
        for title, help_text, mode, action in SCREEN_ACTIONS:
            yield (title, help_text, partial(app.run_on_screen, mode, action))  # type: ignore[attr-defined]
        yield ("Refresh freshness", "Read every source's freshness again now", app.refresh_freshness)  # type: ignore[attr-defined]
        yield ("Show keys", "The keys of the current screen (? or F1)", app.action_toggle_keys)  # type: ignore[attr-defined]
        yield ("Maximize the pane", "The focused table fills the screen; again to restore (z)", app.action_toggle_maximize)  # type: ignore[attr-defined]
        yield ("Audit log", "Who did what, when: loads, runs, decisions, exports, erasures", self._open_audit)
        for entry in (*SCREENS, *MORE_SCREENS):
            yield (f"Go to {entry.title}", f"{entry.key}: {entry.help}", partial(app.action_switch_mode, entry.mode))

    def _open_audit(self) -> None:
        from workbench.tui.screens.audit_view import AuditScreen

        self.app.push_screen(AuditScreen())

    async def discover(self) -> Hits:
        for title, help_text, callback in self.commands():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self.commands():
            score = max(matcher.match(title), matcher.match(help_text) * 0.8)  # help text is searched too
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
