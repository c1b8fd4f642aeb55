"""List and moves files parse each address once (a lookup table per distinct line 1, line 2 and ZIP)
instead of calling the address macros in every column: the stored street, unit and key are the macros'
own, whatever the file's column names (braces, quotes), and a file without addresses needs no lookup."""

from __future__ import annotations

from workbench import clock
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.store.sql import rows

SOURCES = '''
[sources.mps]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "name_address"
[sources.mps.columns]
first_name = "given {name}"
last_name = 'fam"ily'
address_line1 = "street {0}"
address_line2 = "unit"
postal_code = "zip}"

[sources.unsubs]
kind = "suppression"
cadence = "daily"
mode = "incremental"
channel = "email"
match_on = "email"

[sources.moves]
kind = "moves"
cadence = "monthly"
mode = "full"
'''

MPS = '''given {name},"fam""ily",street {0},unit,zip}
Ann,Lee,12 North Main Street Apt 4,,02134-1111
Bob,Lee,12 N Main St,Apt 4,02134
Cy,Roe,7 Elm Road,,01602
Di,Roe,7 Elm Road,,01602
Ed,Poe,,,01602
'''

MOVES = '''first_name,last_name,address_line1,address_line2,city,state,postal_code,new_address_line1,new_address_line2,new_city,new_state,new_postal_code,return_code,move_type,move_effective_date
Ann,Lee,12 North Main Street,Apt 4,Boston,MA,02134,99 Pine Avenue,# 3,Cambridge,MA,02139,A,I,2026-06-01
'''


def _store(tmp_path) -> Store:
    clock.set_now("2026-11-20T10:00:00")
    (tmp_path / "s.toml").write_text(SOURCES, encoding="utf-8")
    store = Store(tmp_path / "wb.duckdb")
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "s.toml"))
    return store


def test_list_addresses_equal_the_macros(tmp_path):
    store = _store(tmp_path)
    (tmp_path / "mps.csv").write_text(MPS, encoding="utf-8")
    result = load_file(store, "mps", tmp_path / "mps.csv")
    assert result.status == "loaded"
    with store.connect(read_only=True) as conn:
        got = rows(conn, """SELECT e.addr_street, e.addr_unit, e.addr_key,
                wb_addr_street(e.raw->>'street {0}', nullif(e.raw->>'unit', '')) AS street,
                wb_addr_unit(e.raw->>'street {0}', nullif(e.raw->>'unit', '')) AS unit,
                wb_addr_key(e.raw->>'street {0}', nullif(e.raw->>'unit', ''), e.raw->>'zip}') AS key
            FROM suppression_entries e WHERE e.source = 'mps' ORDER BY e.raw->>'given {name}'""")
        rejected = rows(conn, "SELECT reason FROM rejects WHERE source = 'mps'")
    assert len(got) == 4 and [r["reason"] for r in rejected] == ["incomplete name and address"]  # Ed: no street
    for r in got:
        assert (r["addr_street"], r["addr_unit"], r["addr_key"]) == (r["street"], r["unit"], r["key"])
    # the same door written two ways gives one key
    assert got[0]["addr_key"] == got[1]["addr_key"] == "12 N MAIN ST|4|02134"


def test_moves_parse_old_and_new_addresses(tmp_path):
    store = _store(tmp_path)
    (tmp_path / "moves.csv").write_text(MOVES, encoding="utf-8")
    assert load_file(store, "moves", tmp_path / "moves.csv").status == "loaded"
    with store.connect(read_only=True) as conn:
        got = rows(conn, "SELECT old_addr_street, old_addr_unit, old_addr_key, new_addr_key FROM moves")
        want = rows(conn, """SELECT wb_addr_street('12 North Main Street', 'Apt 4') AS s,
                wb_addr_unit('12 North Main Street', 'Apt 4') AS u,
                wb_addr_key('12 North Main Street', 'Apt 4', '02134') AS k,
                wb_addr_key('99 Pine Avenue', '# 3', '02139') AS n""")[0]
    assert got == [{"old_addr_street": want["s"], "old_addr_unit": want["u"], "old_addr_key": want["k"],
                    "new_addr_key": want["n"]}]
    assert want["n"] == "99 PINE AVE|3|02139"


def test_a_list_without_addresses_builds_no_lookup(tmp_path):
    from workbench.ingest.derive import derivation
    from workbench.ingest.sources import get_source

    store = _store(tmp_path)
    with store.connect(read_only=True) as conn:
        unsubs, mps = get_source(conn, "unsubs"), get_source(conn, "mps")
    assert derivation(unsubs, {"email": "email"}, ["email"]).lookups == []
    d = derivation(mps, {"last_name": "ln", "address_line1": "a"}, ["ln", "a"])
    assert [t for t, _b, _c in d.lookups] == ["lk_addr"] and "wb_addr_" not in d.select
