"""Selection TOML: read strictly (errors name the selection, the key and the line), written back the same."""

from __future__ import annotations

import pytest

from workbench.select.definition import (
    SelectionError,
    parse_selections_text,
    selection_from_json,
)

GOOD = """
[selections.winter]
description = "Winter catalogue"
channel = "mail"
brand = "Ember"
where = "orders(brand='ember', days=365) >= 1"
one_per = "household"
suppress = "default"
priority = 5
seed = 42
fields = ["first_name", "last_name", "address_line1", "city", "state", "zip5"]
limit = { n = 100, method = "first", order = "spend(days=365) desc" }

[[selections.winter.cells]]
name = "A"
share = 0.9
keycode = "W26A"

[[selections.winter.cells]]
name = "control"
share = 0.1
keycode = "W26X"
contact = false

[[selections.winter.seeds]]
name = "Office"
first_name = "Dana"
last_name = "Seed"
address_line1 = "1 Harbor Way"
zip5 = "02110"
"""


def parse_one(text: str):
    (sel,) = parse_selections_text(text, label="s.toml")
    return sel


def error_of(text: str) -> str:
    with pytest.raises(SelectionError) as exc:
        parse_selections_text(text, label="s.toml")
    assert exc.value.exit_code == 1  # a bad selection is refused
    return exc.value.message


def test_a_full_definition():
    sel = parse_one(GOOD)
    assert (sel.name, sel.channel, sel.brand, sel.one_per, sel.priority, sel.seed) == (
        "winter", "mail", "ember", "household", 5, 42)
    assert sel.limit.n == 100 and sel.limit.method == "first" and sel.limit.order == "spend(days=365) desc"
    assert [(c.name, c.share, c.contact) for c in sel.cells] == [("A", 0.9, True), ("control", 0.1, False)]
    assert sel.seeds[0].values == {"first_name": "Dana", "last_name": "Seed", "address_line1": "1 Harbor Way",
                                   "zip5": "02110"}


def test_toml_and_json_round_trips():
    sel = parse_one(GOOD)
    again = parse_one(sel.to_toml())
    assert again.to_dict() == sel.to_dict()
    assert selection_from_json(sel.to_json()).to_dict() == sel.to_dict()


def test_defaults():
    sel = parse_one('[selections.s]\nchannel = "email"\n')
    assert sel.where == "" and sel.one_per == "person" and sel.suppress == "default"
    assert sel.export_fields == ["first_name", "last_name", "email"]
    assert [c.name for c in sel.effective_cells] == ["all"]
    assert sel.effective_seed == parse_one('[selections.s]\nchannel = "email"\n').effective_seed


@pytest.mark.parametrize("text, expected", [
    ('[selections.s]\nchannel = "mail"\nwhere = "x"\nbrnd = "ember"\n',
     "s.toml:4: selection 's', key 'brnd': unknown key; did you mean 'brand'?"),
    ('[selections.s]\nchannel = "mail"\n\n[[selections.s.cells]]\nname = "A"\n\n[[selections.s.cells]]\nname = "B"\n'
     'shares = 0.5\n', "s.toml:9: selection 's', key 'cells[2].shares': unknown key; did you mean 'share'?"),
    ('[selections.s]\nchannel = "mail"\nlimit = { n = 5, metod = "random" }\n',
     "s.toml:3: selection 's', key 'limit.metod': unknown key; did you mean 'method'?"),
    ('[selections.s]\nchannel = "mail"\n[selections.s.limit]\nn = 0\n',
     "s.toml:4: selection 's', key 'limit.n': 0 must be a whole number from 1"),
    ('[selections.s]\nchannel = "fax"\n', "s.toml:2: selection 's', key 'channel': 'fax' is not one of mail, email, phone"),
    ('[selections.s]\nwhere = "x"\n', "key 'channel': is required"),
    ('[selections.s]\nchannel = "mail"\none_per = "family"\n', "'family' is not one of person, household, address"),
    ('[selections.s]\nchannel = "mail"\nsuppress = "none"\n', 'is "default"'),
    ('[selections.s]\nchannel = "mail"\noverride_suppress = ["mps"]\n', "override_reason': is required"),
    ('[selections.s]\nchannel = "mail"\nfields = ["first_name", "nickname"]\n', "'nickname' is not an attribute"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.cells]]\nname = "A"\nshare = 0.7\n[[selections.s.cells]]\n'
     'name = "B"\nshare = 0.5\n', "the shares add up to more than 1"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.cells]]\nname = "A"\nshare = 0.5\ncount = 10\n',
     "give a share or a count, not both"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.cells]]\nname = "A"\nshare = 1.5\n', "at most 1"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.cells]]\nname = "A"\n[[selections.s.cells]]\nname = "A"\n',
     "two cells are named 'A'"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.cells]]\nname = "A"\ncontact = false\n',
     "nobody would be contacted"),
    ('[selections.s]\nchannel = "mail"\n[[selections.s.seeds]]\nname = "x"\nemail = "x@y.z"\n',
     "seed 'x' needs address_line1 and zip5 for a mail selection"),
    ('[selections.s]\nchannel = "email"\nlimit = { n = 5, method = "random", order = "age" }\n',
     "does not apply to method = \"random\""),
    ('[selections."bad name"]\nchannel = "mail"\n', "a selection name is a letter"),
    ('[selection.s]\nchannel = "mail"\n', "unknown top-level key 'selection'"),
    ('[selections.s]\nchannel = "mail"\nchannel = "email"\n', "not valid TOML"),
])
def test_errors_name_the_selection_key_and_line(text, expected):
    assert expected in error_of(text)
