"""Shared by the merge/purge tests: a small database with a house file, suppressions and two prospect lists."""

from __future__ import annotations

from pathlib import Path

from workbench import clock

SOURCES = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1

[sources.mps]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"

[sources.deceased]
kind = "suppression"
cadence = "monthly"
channel = "mail"
match_on = "name_address"
reason = "deceased"

[sources.list_a]
kind = "prospects"
cadence = "monthly"
supplier = "Acme Lists"
one_time = true
expires = 2026-12-31
cpm = 100.0

[sources.list_b]
kind = "prospects"
cadence = "monthly"
supplier = "Compiled Co"
one_time = false
cpm = 50.0
"""

HEADER = "source_key,first_name,last_name,address_line1,address_line2,city,state,postal_code,country,email,phone,birth_date\n"
CRM = HEADER + (
    "H1,Robert,Smith,12 Oak St,,Boston,MA,02134,US,bob@example.com,,\n"
    "H2,Alice,Brown,5 Elm Ave,,Boston,MA,02139,US,alice@example.com,,\n"
)
SUP = "first_name,last_name,address_line1,city,state,postal_code\n"
MPS = SUP + "Carol,White,7 Pine Rd,Boston,MA,02140\n"
DECEASED = SUP + "Dan,Green,9 Birch Lane,Boston,MA,02141\n"
PHEAD = "source_key,first_name,last_name,address_line1,city,state,postal_code,email,seed\n"
LIST_A = PHEAD + (
    "A1,Bob,Smith,12 Oak Street,Boston,MA,02134,,\n"  # a customer (house file)
    "A2,Carol,White,7 Pine Road,Boston,MA,02140,,\n"  # on the Mail Preference Service
    "A3,Eve,Black,3 Maple St,Boston,MA,02142,,\n"  # also on list_b: list_a keeps her
    "A4,Frank,Black,3 Maple St,Boston,MA,02142,,\n"  # Eve's household: one per household
    "A5,Hal,Noaddress,,,,,hal@example.com,\n"  # no mail address: a reject
    "A6,Owner,Seed,1 Decoy Way,Salem,MA,01970,,y\n"
)  # the list owner's seed
LIST_B = PHEAD + (
    "B1,Eve,Black,3 Maple Street,Boston,MA,02142,,\n"
    "B2,Dan,Green,9 Birch Ln,Boston,MA,02141,,\n"  # deceased
    "B3,Gina,Gray,4 Cedar Ct,Boston,MA,02143,,\n"
    ",,,,,,,,\n"
)  # nothing usable: a load reject
SEEDS = """
[[seeds]]
name = "Staff: Jo Park"
channel = "mail"
first_name = "Jo"
last_name = "Park"
address_line1 = "8 Harbor Rd"
city = "Salem"
state = "MA"
zip5 = "01970"
"""
RUN = """
[mergepurge]
name = "spring"
channel = "mail"
lists = ["list_a", "list_b"]
house = "{house}"
one_per = "{one_per}"
keycodes = {{ list_a = "SP26A" }}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def build_mp_store(tmp_path: Path):
    """A database with a house file of two customers, a Mail Preference list, a deceased list, two
    prospect lists (list_a: one-time, expires 2026-12-31, $100 per thousand; list_b: bought, $50) and a
    mail seed in the database's seed list."""
    from workbench.export.seeds import import_seeds, parse_seeds_toml
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import parse_sources_toml, save_sources
    from workbench.store import Store

    clock.set_now("2026-11-20T10:00:00")
    store = Store(tmp_path / "wb.duckdb", busy_timeout=0.5)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(_write(tmp_path, "sources.toml", SOURCES)))
        import_seeds(conn, parse_seeds_toml(_write(tmp_path, "seeds.toml", SEEDS)))
    for source, text in (
        ("crm", CRM),
        ("mps", MPS),
        ("deceased", DECEASED),
        ("list_a", LIST_A),
        ("list_b", LIST_B),
    ):
        load_file(store, source, _write(tmp_path, f"{source}.csv", text))
    return store


def _run_file(tmp_path: Path, house: str = "remove", one_per: str = "household") -> Path:
    return _write(tmp_path, f"run_{house}_{one_per}.toml", RUN.format(house=house, one_per=one_per))


def _names(store, run_id: int) -> dict[str, tuple[str, str | None, str | None]]:
    with store.connect(read_only=True) as conn:
        found = conn.execute(
            "SELECT source_key, outcome, step, kept_by FROM mergepurge_names WHERE run_id = ?", [run_id]
        ).fetchall()
    return {k: (o, s, b) for k, o, s, b in found}
