"""Pick a file: a directory tree rooted at the current directory, or a typed path."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, DirectoryTree, Input, Static

from workbench.tui.modals import WorkbenchModal


class ExtractTree(DirectoryTree):
    """A directory tree without hidden files, optionally only files with some suffixes."""

    def __init__(self, path: Path, suffixes: tuple[str, ...] = (), **kwargs) -> None:
        self.suffixes = tuple(s.lower() for s in suffixes)
        super().__init__(path, **kwargs)

    def filter_paths(self, paths: Iterable[Path]) -> Iterable[Path]:
        for p in paths:
            if p.name.startswith("."):
                continue
            if self.suffixes and not _is_dir(p) and not p.name.lower().endswith(self.suffixes):
                continue
            yield p


class FilePickerModal(WorkbenchModal[Path | None]):
    """Dismisses with the chosen path (not checked: the job that opens it says what is wrong)."""

    AUTO_FOCUS = "#path"

    def __init__(self, title: str, root: Path | None = None, suffixes: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.heading = title
        self.root = (root or Path.cwd()).resolve()
        self.suffixes = suffixes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide-dialog tall-dialog"):
            yield Static(Content(self.heading), classes="dialog-title")
            yield ExtractTree(self.root, self.suffixes, id="tree")
            yield Input(placeholder=f"a path, absolute or relative to {self.root}", id="path")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Open", id="open", variant="primary")
                yield Button("Cancel", id="cancel")

    @on(DirectoryTree.NodeHighlighted, "#tree")
    def _show_highlighted(self, event: DirectoryTree.NodeHighlighted) -> None:
        entry = event.node.data
        if entry is not None and not _is_dir(entry.path):
            self.query_one("#path", Input).value = _relative(entry.path, self.root)

    @on(DirectoryTree.FileSelected, "#tree")
    def _open_selected(self, event: DirectoryTree.FileSelected) -> None:
        self.dismiss(event.path)

    @on(Input.Submitted, "#path")
    @on(Button.Pressed, "#open")
    def _open_typed(self) -> None:
        typed = self.query_one("#path", Input).value.strip()
        if not typed:
            self.notify("Type a path or pick a file in the tree.", severity="warning")
            return
        path = Path(typed).expanduser()
        self.dismiss(path if path.is_absolute() else self.root / path)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
