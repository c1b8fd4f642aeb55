"""The waterfall on a small loaded database: the numbers add up, suppressed persons never reach a cell,
one per household keeps the head, limits and cells (cascade, shares, seeds) behave and repeat."""

from __future__ import annotations

import shutil

import pytest
from test_select_data import DO_NOT_CALL, MAIL_PREFERENCE, NO_ADDRESS, NOW, UNSUBSCRIBED, build_db

from workbench import clock
from workbench.select.definition import SelectionError, parse_selections_text
from workbench.select.plan import check_selection
from workbench.select.waterfall import run_waterfall
from workbench.store import Store
from workbench.store.sql import rows


@pytest.fixture(scope="module")
def master(tmp_path_factory):
    folder = tmp_path_factory.mktemp("selectdb")
    build_db(folder)
    clock.set_now(None)
    return folder / "wb.duckdb"


@pytest.fixture
def store(master, tmp_path):
    """A private copy of the loaded database; the clock at NOW."""
    shutil.copy(master, tmp_path / "wb.duckdb")
    clock.set_now(NOW)
    return Store(tmp_path / "wb.duckdb", busy_timeout=1)


def sel(body: str, name: str = "s"):
    (found,) = parse_selections_text(f"[selections.{name}]\n{body}")
    return found


def count(store, body: str):
    """(waterfall, {person_id: cell name}) of a selection written as TOML lines."""
    s = sel(body)
    with store.connect() as conn:
        wf = run_waterfall(conn, check_selection(conn, s))
        names = [c.name for c in s.effective_cells]
        placed = {r["person_id"]: names[r["cell_index"]] for r in rows(conn, "SELECT * FROM _wf_cells")}
    assert wf.adds_up(), wf.to_dict()
    return wf, placed


def step(wf, kind: str, name: str | None = None):
    return next(s for s in wf.steps if s.step == kind and (name is None or s.name == name))


def pid(store, i: int) -> int:
    with store.connect() as conn:
        return rows(conn, "SELECT pr.person_id FROM records r JOIN person_records pr USING (record_id) "
                          "WHERE r.source_key = ?", [f"C{i}"])[0]["person_id"]


@pytest.mark.parametrize("channel, universe_sql", [
    ("mail", "addr_street IS NOT NULL AND zip5 IS NOT NULL"),
    ("email", "email IS NOT NULL"),
    ("phone", "phone IS NOT NULL"),
])
def test_universe_where_and_suppressions_add_up(store, channel, universe_sql):
    wf, placed = count(store, f'channel = "{channel}"\nwhere = "state = \'MA\' or orders() >= 2"')
    with store.connect() as conn:
        universe = rows(conn, f"SELECT count(*) AS n FROM persons WHERE {universe_sql}")[0]["n"]
        matching = rows(conn, f"""SELECT count(*) AS n FROM persons p WHERE {universe_sql} AND (p.state = 'MA' OR
            (SELECT count(*) FROM transactions t JOIN person_records pr USING (record_id)
             WHERE pr.person_id = p.person_id AND NOT t.returned) >= 2)""")[0]["n"]
    assert step(wf, "universe").remaining == universe
    assert step(wf, "where").remaining == matching
    removed = sum(s.removed for s in wf.steps if s.step == "suppression")
    assert wf.net == matching - removed == len(placed)


def test_suppressed_persons_never_reach_a_cell(store):
    for channel, suppressed in (("email", UNSUBSCRIBED), ("phone", DO_NOT_CALL), ("mail", MAIL_PREFERENCE)):
        wf, placed = count(store, f'channel = "{channel}"')
        for i in suppressed:
            assert pid(store, i) not in placed, (channel, i)
        assert sum(s.removed for s in wf.steps if s.step == "suppression") == len(suppressed)
        with store.connect() as conn:
            from workbench.suppress import suppressed_persons_sql

            sql, params = suppressed_persons_sql(channel, None)
            every = {r["person_id"] for r in rows(conn, sql, params)}
        assert not every & set(placed)
    wf, _ = count(store, 'channel = "email"')
    assert step(wf, "suppression", "unsubs").removed == len(UNSUBSCRIBED)


def test_no_address_is_outside_the_mail_universe(store):
    _wf, placed = count(store, 'channel = "mail"')
    assert pid(store, NO_ADDRESS[0]) not in placed


def test_one_per_address_keeps_the_lowest_person_before_households(store):
    wf, placed = count(store, 'channel = "mail"\none_per = "address"')
    with store.connect() as conn:
        doors = rows(conn, "SELECT addr_key, min(person_id) AS first FROM persons WHERE addr_key IS NOT NULL "
                           "GROUP BY addr_key")
    kept = {d["first"] for d in doors}
    assert set(placed) <= kept
    assert step(wf, "one_per").removed > 0


def test_one_per_household_keeps_the_head(store):
    from workbench.households import run_households

    run_households(store)
    wf, placed = count(store, 'channel = "mail"\none_per = "household"')
    with store.connect() as conn:
        heads = {r["person_id"]: r["household_id"] for r in rows(conn, "SELECT person_id, household_id FROM "
                                                                        "household_members WHERE is_head")}
        hh = {r["person_id"]: r["household_id"] for r in rows(conn, "SELECT person_id, household_id FROM "
                                                                     "household_members")}
    per_household = [hh[p] for p in placed]
    assert len(per_household) == len(set(per_household))  # one per household
    mps = pid(store, MAIL_PREFERENCE[0])
    for p in placed:  # the head when the head is still in (the MPS person's household may keep another)
        assert p in heads or any(h == hh[p] and h2 == mps for h2, h in heads.items())
    assert step(wf, "one_per").removed > 0


def test_limit_first_by_an_order(store):
    _wf, placed = count(store, 'channel = "email"\nlimit = { n = 3, method = "first", order = "spend() desc" }')
    with store.connect() as conn:
        top = rows(conn, """SELECT pa.person_id FROM person_attributes pa WHERE pa.email IS NOT NULL
            AND pa.person_id NOT IN (SELECT person_id FROM person_suppressions WHERE channel IN ('email', 'all'))
            ORDER BY spend_total DESC, person_id LIMIT 3""")
    assert set(placed) == {r["person_id"] for r in top}


def test_limit_every_nth_and_random(store):
    wf, placed = count(store, 'channel = "email"\nlimit = { n = 5, method = "nth" }')
    assert len(placed) == 5 and step(wf, "limit").removed > 0
    ordered = sorted(placed)
    gaps = {b - a for a, b in zip(ordered, ordered[1:], strict=False)}
    assert min(gaps) > 1  # spread over the list, not the first five
    one = count(store, 'channel = "email"\nlimit = { n = 7, method = "random", seed = 1 }')[1]
    again = count(store, 'channel = "email"\nlimit = { n = 7, method = "random", seed = 1 }')[1]
    other = count(store, 'channel = "email"\nlimit = { n = 7, method = "random", seed = 2 }')[1]
    assert len(one) == 7 and one == again and set(one) != set(other)


CELLS = """channel = "email"
seed = {seed}
[[selections.s.cells]]
name = "A"
share = 0.6
keycode = "KA"
[[selections.s.cells]]
name = "B"
share = 0.3
keycode = "KB"
[[selections.s.cells]]
name = "control"
share = 0.1
keycode = "KX"
contact = false
"""


def test_shares_place_everybody_and_repeat_with_the_seed(store):
    wf, placed = count(store, CELLS.format(seed=7))
    n = step(wf, "where").remaining - sum(s.removed for s in wf.steps if s.step == "suppression")
    sizes = {c.name: c.persons for c in wf.cells}
    assert sum(sizes.values()) == n == len(placed)
    assert sizes == {"A": round(0.6 * n), "B": round(0.9 * n) - round(0.6 * n), "control": n - round(0.9 * n)}
    assert wf.net == sizes["A"] + sizes["B"] and wf.held_out == sizes["control"]
    assert count(store, CELLS.format(seed=7))[1] == placed  # same data, same seed: same people, same cells
    assert count(store, CELLS.format(seed=8))[1] != placed


def test_cells_cascade(store):
    body = """channel = "email"
[[selections.s.cells]]
name = "buyers"
count = 4
where = "orders() >= 1"
keycode = "K1"
[[selections.s.cells]]
name = "ny"
where = "state = 'NY'"
keycode = "K2"
[[selections.s.cells]]
name = "rest"
count = 5
keycode = "K3"
"""
    wf, placed = count(store, body)
    with store.connect() as conn:
        attrs = {r["person_id"]: r for r in rows(conn, "SELECT person_id, orders_total, state FROM person_attributes")}
    cells = {c.name: c.persons for c in wf.cells}
    assert cells["buyers"] == 4 and all(attrs[p]["orders_total"] >= 1 for p, c in placed.items() if c == "buyers")
    assert all(attrs[p]["state"] == "NY" for p, c in placed.items() if c == "ny")
    # every NY person not taken by "buyers" is in "ny" (the first cell that takes them keeps them)
    ny_left = [p for p in placed if attrs[p]["state"] == "NY" and placed[p] != "buyers"]
    assert all(placed[p] == "ny" for p in ny_left)
    assert cells["rest"] == 5 and step(wf, "unplaced").removed > 0


def test_a_list_that_weakens_the_default_is_refused_unless_overridden(store):
    with pytest.raises(SelectionError) as exc:
        count(store, 'channel = "email"\nsuppress = ["unsubs"]')
    assert "leaves out suppression(s) that apply to email" in exc.value.message and "manual" in exc.value.message
    with pytest.raises(SelectionError) as exc:
        count(store, 'channel = "email"\nsuppress = ["unsubz"]')
    assert "there is no suppression 'unsubz'; did you mean 'unsubs'?" in exc.value.message
    wf, placed = count(store, 'channel = "email"\noverride_suppress = ["unsubs"]\n'
                              'override_reason = "service message: order recall"')
    assert "unsubs" not in [s.name for s in wf.steps] and wf.overrides == ["unsubs"]
    assert pid(store, UNSUBSCRIBED[0]) in placed
    assert any("left out by override" in w for w in wf.warnings)


def test_new_data_is_seen_by_the_next_count(store, tmp_path):
    from test_select_data import person_row, write_csv

    from workbench.ingest.load import load_file

    before = step(count(store, 'channel = "email"\nwhere = "state = \'MA\'"')[0], "where").remaining
    row = {**person_row(41), "state": "MA", "email": "new41@example.com"}
    load_file(store, "crm", write_csv(tmp_path / "more.csv", [person_row(i) for i in range(1, 41)] + [row]))
    after = step(count(store, 'channel = "email"\nwhere = "state = \'MA\'"')[0], "where").remaining
    assert after == before + 1


def test_a_refresh_reuses_the_per_person_values(store):
    from workbench.select import features

    features.clear_cache()
    body = 'channel = "email"\nwhere = "orders(brand=\'ember\', days=60) >= 1"'
    wf, placed = count(store, body)
    assert len(features._cache) == 1
    again, placed_again = count(store, body)
    assert again.steps == wf.steps and placed_again == placed and len(features._cache) == 1


def test_pressure_rules_are_waterfall_steps(store, tmp_path):
    """Issue 6's rules plug in after one-per: yesterday's export counts against today's selection."""
    pytest.importorskip("workbench.contacts.pressure")
    from datetime import datetime, timedelta

    from workbench.contacts.rules import parse_rules_text, save_rules
    from workbench.export.run import export_selection
    from workbench.select.saved import save_selection

    with store.transaction() as conn:
        save_rules(conn, parse_rules_text('[rules.one_email_a_week]\nper = "person"\nchannel = "email"\n'
                                          'brand = "all"\nwindow_days = 7\nmax_contacts = 1\n'))
        s = sel('channel = "email"\nwhere = "state = \'NY\'"', name="first")
        check_selection(conn, s)
        save_selection(conn, s, origin="test")
    done = export_selection(store, "first", tmp_path / "first.csv", campaign="FIRST")
    clock.set_now((datetime.fromisoformat(NOW) + timedelta(days=1)).isoformat())
    wf, placed = count(store, 'channel = "email"')
    rule = step(wf, "pressure")
    assert rule.name == "pressure: one_email_a_week" and rule.removed == done.waterfall.net
    assert wf.adds_up()


def test_text_comparisons_ignore_case(store):
    """city = 'Boston' finds the persons stored BOSTON (IN and LIKE alike); numbers and dates are unchanged."""
    city = "BOSTON"  # as stored (standardised, upper case); the data has "Boston"
    exact = step(count(store, f'channel = "email"\nwhere = "city = \'{city}\'"')[0], "where").remaining
    assert exact > 0
    for where in (f"city = '{city.lower()}'", f"city IN ('{city.title()}', 'nowhere')", f"city LIKE '{city.lower()}'"):
        assert step(count(store, f'channel = "email"\nwhere = "{where}"')[0], "where").remaining == exact, where


def _same_surname_pair(store):
    """Two members of one household with one surname and one mailing address (person_attributes)."""
    with store.connect() as conn:
        got = rows(conn, """SELECT list(a.person_id ORDER BY a.person_id) AS ids, any_value(m.household_id) AS hh
            FROM person_attributes a JOIN household_members m USING (person_id)
            WHERE a.addr_key IS NOT NULL GROUP BY m.household_id, a.addr_key, upper(a.last_name)
            HAVING count(*) >= 2 ORDER BY hh LIMIT 1""")
    assert got, "the test data has a family at one address"
    return got[0]["hh"], got[0]["ids"]


def test_one_per_household_sends_one_piece_per_surname_at_an_address(store):
    """Householding puts a person at their current door, the piece goes to their mailing address: when
    two households end up with one surname at one mailing address, one piece goes there."""
    from workbench.households import decisions, run_households

    run_households(store)
    count(store, 'channel = "mail"\none_per = "household"')  # the person attributes, after the households
    hh, ids = _same_surname_pair(store)
    decisions.split(store, hh, [ids[-1]])  # two households now, one surname at one address
    wf, placed = count(store, 'channel = "mail"\none_per = "household"')
    assert ids[-1] in placed, "a person an operator placed in a household of their own keeps their piece"
    with store.transaction() as conn:  # the same two households, formed by householding, not by a decision
        conn.execute("UPDATE household_members SET joined_by = 'surname' WHERE person_id = ?", [ids[-1]])
    wf2, placed2 = count(store, 'channel = "mail"\none_per = "household"')
    assert len([p for p in ids if p in placed2]) == 1, "one piece for one surname at one address"
    assert len(placed2) == len(placed) - 1
    assert "per surname at a mailing address" in step(wf2, "one_per").label
