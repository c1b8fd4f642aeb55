"""The operator's own TUI settings: theme and key choices, kept in ``config.toml`` in the user's config
folder (platformdirs; ``$WORKBENCH_CONFIG_DIR`` overrides it), read at start and written when changed.

```toml
theme = "textual-light"

[keys]                      # binding id = key(s): remap any key the footer or ``?`` shows
"matches.accept" = "y"
"selections.export" = "ctrl+e"
```

A file that cannot be read is ignored with a notice; it is never the reason the app does not start.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CONFIG_NAME = "config.toml"


def config_path() -> Path:
    override = os.environ.get("WORKBENCH_CONFIG_DIR")
    if override:
        return Path(override) / CONFIG_NAME
    import platformdirs

    return Path(platformdirs.user_config_dir("workbench", appauthor=False)) / CONFIG_NAME


@dataclass
class TuiSettings:
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)
    problem: str | None = None  # why the file was not read (shown once as a notice)


def read_settings(path: Path | None = None) -> TuiSettings:
    path = path or config_path()
    if not path.exists():
        return TuiSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return TuiSettings(problem=f"{path} was not read ({exc}); the defaults are used.")
    theme = data.get("theme")
    keys = data.get("keys", {})
    if not isinstance(theme, str | None) or not isinstance(keys, dict):
        return TuiSettings(problem=f"{path}: 'theme' must be text and [keys] a table; the defaults are used.")
    return TuiSettings(theme=theme, keys={str(k): str(v) for k, v in keys.items()})


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_settings(settings: TuiSettings, path: Path | None = None) -> None:
    """Write the file atomically (a temporary file renamed over it)."""
    path = path or config_path()
    lines = []
    if settings.theme:
        lines.append(f"theme = {_toml_string(settings.theme)}")
    if settings.keys:
        lines += ["", "[keys]"] + [f"{_toml_string(k)} = {_toml_string(v)}" for k, v in sorted(settings.keys.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
