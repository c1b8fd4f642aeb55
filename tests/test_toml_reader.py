"""One strict TOML reader (workbench.config.toml) for every kind of definition file: an unknown key or a
value of the wrong type is refused with the file, the line, the key and what to do, for each kind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from workbench.config import toml
from workbench.contacts.rules import parse_rules_toml
from workbench.contacts.triggers import parse_triggers_toml
from workbench.errors import ConfigError
from workbench.ingest.sources import parse_sources_toml
from workbench.segments.publish_def import read_publish
from workbench.segments.rules import read_rules
from workbench.select.definition import parse_selections_toml

VALID = {
    "sources": ('[sources.crm]\nkind = "people"\ncadence = "daily"\n', parse_sources_toml),
    "selections": ('[selections.spring]\nchannel = "mail"\nwhere = "true"\n', parse_selections_toml),
    "rules": ('[rules.mail_3]\nchannel = "mail"\nbrand = "all"\nwindow_days = 30\nmax_contacts = 3\n',
              parse_rules_toml),
    "triggers": ('[triggers.thanks]\nfrom = "transactions"\nwindow_days = 7\ncadence = "daily"\n'
                 'when = ["count >= 1"]\n', parse_triggers_toml),
    "segment rules": ('lookback_days = 730\n\n[segments.new]\ndescription = "new"\ndays_since_first = [0, 90]\n',
                      read_rules),
    "publish": ('name = "ops"\nmode = "full"\nformat = "csv"\n\n[systems.crm]\nfile = "crm.csv"\n', read_publish),
}
# a key each kind's table body does not know, and a key of the wrong type there: (table header, key = value)
BODY_UNKNOWN = {"sources": "cadense", "selections": "chanel", "rules": "max_contact", "triggers": "windw_days",
                "segment rules": "recent", "publish": "fiel"}
BODY_WRONG_TYPE = {"sources": ("priority", '"high"'), "selections": ("priority", '"high"'),
                   "rules": ("window_days", '"thirty"'), "triggers": ("window_days", '"week"'),
                   "segment rules": ("days_since_first", '"recent"'), "publish": ("file", "3")}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "definition.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, kind: str, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        VALID[kind][1](write(tmp_path, text))
    return caught.value


def line_of(text: str, needle: str) -> int:
    return next(i for i, ln in enumerate(text.splitlines(), 1) if ln.split("=")[0].strip() == needle)


@pytest.mark.parametrize("kind", VALID)
def test_each_kind_reads_its_valid_file(tmp_path, kind):
    text, reader = VALID[kind]
    assert reader(write(tmp_path, text))


@pytest.mark.parametrize("kind", VALID)
def test_each_kind_refuses_an_unknown_top_level_key_with_file_line_and_what_to_do(tmp_path, kind):
    text = VALID[kind][0] + '\n[colour]\nshade = "blue"\n'
    exc = refused(tmp_path, kind, text)
    assert f"definition.toml:{line_of(text, '[colour]')}:" in exc.message
    assert "unknown" in exc.message and "'colour'" in exc.message
    assert exc.hint and "holds" in exc.hint  # what such a file may hold


@pytest.mark.parametrize("kind", VALID)
def test_each_kind_refuses_an_unknown_key_in_a_definition(tmp_path, kind):
    key = BODY_UNKNOWN[kind]
    text = VALID[kind][0] + f'{key} = 1\n'
    exc = refused(tmp_path, kind, text)
    assert "definition.toml:" in exc.message and f"'{key}'" in exc.message and "unknown key" in exc.message
    assert re.search(rf"definition\.toml:{line_of(text, key)}\b", exc.message), exc.message
    assert "did you mean" in str(exc) or "keys:" in str(exc).lower() or "Conditions" in str(exc), str(exc)


@pytest.mark.parametrize("kind", VALID)
def test_each_kind_refuses_a_value_of_the_wrong_type(tmp_path, kind):
    key, value = BODY_WRONG_TYPE[kind]
    text = re.sub(rf"^{key} = .*\n", "", VALID[kind][0], flags=re.M) + f"{key} = {value}\n"
    exc = refused(tmp_path, kind, text)
    assert "definition.toml:" in exc.message and key in exc.message, exc.message


@pytest.mark.parametrize("kind, key, value, words", [
    ("segment rules", "lookback_days", '"two years"', "lookback_days must be a whole number, not text"),
    ("publish", "name", "7", "name must be text in quotes, not a number"),
    ("publish", "treatments", '"all"', "treatments must be a table, not text"),
    ("sources", "sources", '"crm"', "sources must be [KEY.NAME] tables, not text"),
])
def test_a_top_level_value_of_the_wrong_type_is_refused_by_the_shared_reader(tmp_path, kind, key, value, words):
    text = f"{key} = {value}\n" + re.sub(rf"^{key} = .*\n", "", VALID[kind][0], flags=re.M)
    if kind == "sources":
        text = f"{key} = {value}\n"
    exc = refused(tmp_path, kind, text)
    assert exc.message == f"{tmp_path / 'definition.toml'}:1: {words}."
    assert exc.hint == toml.KINDS[kind].hint


def test_not_toml_and_not_utf8_say_what_to_do(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML") as caught:
        parse_sources_toml(write(tmp_path, "[sources.crm]\nkind = people\n"))
    assert caught.value.hint and "quotes" in caught.value.hint
    bad = tmp_path / "latin.toml"
    bad.write_bytes("[sources.caf\xe9]\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not a UTF-8 text file"):
        parse_sources_toml(bad)


def test_every_toml_kind_goes_through_the_one_reader():
    """No module but workbench.config.toml (and the TUI's own settings file) parses TOML itself."""
    root = Path(__file__).resolve().parents[1] / "workbench"
    parsing = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                     if "tomllib.load" in p.read_text(encoding="utf-8"))
    assert parsing == ["config/toml.py", "tui/settings.py"]


def test_the_typed_rule_text_of_the_tui_is_checked_by_the_same_reader():
    from workbench.contacts.rules import parse_rules_text

    with pytest.raises(ConfigError) as caught:
        parse_rules_text('[rules.x]\nchannel = "mail"\n\n[rulez.y]\n', "rule")
    assert caught.value.message.startswith("rule:4: unknown top-level key 'rulez'; did you mean 'rules'?")
