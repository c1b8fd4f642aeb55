"""Helpers (no tests here) for the trust tests: a small database with one person whose data is spread over
every table that can hold it, built through the real loader."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from workbench import clock
from workbench.ingest.load import load_file
from workbench.ingest.sources import parse_sources_toml, save_sources
from workbench.store import Store
from workbench.store.sql import rows, scalar

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

SOURCES_TOML = """
[sources.crm]
kind = "people"
cadence = "daily"
priority = 1
mode = "full"

[sources.web]
kind = "people"
cadence = "hourly"
priority = 2
mode = "incremental"

[sources.orders]
kind = "transactions"
cadence = "daily"
mode = "incremental"
people_source = "crm"

[sources.clicks]
kind = "events"
cadence = "daily"
mode = "incremental"
people_source = "web"

[sources.history]
kind = "contacts"
cadence = "monthly"
mode = "incremental"
people_source = "crm"

[sources.unsubscribes]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "email"
match_on = "email"
reason = "unsubscribe"

[sources.dnc]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "phone"
match_on = "phone"
header = false
column_names = ["area_code", "phone"]
reason = "Do Not Call"

[sources.mps]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "name_address"
reason = "Mail Preference Service"

[sources.ncoa]
kind = "moves"
cadence = "monthly"
mode = "full"
"""

# The person every erasure test erases: values rare enough that finding them in the file's bytes means
# they were not erased.
EMAIL = "zeb.quixotewright@example.org"
PHONE = "(617) 555-0199"
PHONE_DIGITS = "6175550199"
FIRST, LAST = "Zebulon", "Quixotewright"
STREET = "77 Wisteriaglen Lane"
SECRETS = [EMAIL.encode(), b"quixotewright", PHONE_DIGITS.encode(), b"555-0199", b"wisteriaglen", b"zebulon"]

CRM = f"""source_key,first_name,last_name,address_line1,address_line2,city,state,postal_code,country,email,phone,birth_date
C1,{FIRST},{LAST},{STREET},,Boston,MA,02134,US,{EMAIL},{PHONE},1971-05-06
C2,Mary,Smith,12 N Oak St,#4,Boston,MA,02134,US,mary@example.com,6175550101,1982-07-09
C3,Jose,Garcia,44 Main Street,,Austin,TX,78701,US,jose@example.com,5125550107,1965-12-01
"""
WEB = f"""source_key,first_name,last_name,address_line1,postal_code,email,phone,birth_date
W1,Zeb,{LAST.upper()},{STREET.upper()},02134,{EMAIL.upper()},617.555.0199,05/06/1971
W2,Ann,Lee,7 Pine Rd,10001,ann@example.com,2125550103,1990-01-01
W1,Zeb,{LAST},{STREET},02134,{EMAIL},617.555.0199,31/02/1971
"""
ORDERS = """order_id,source_key,order_date,amount,brand,channel,category
O1,C1,2026-11-01,19.99,ember,web,pans
O2,C1,2026-11-10,250.00,ember,web,knives
O3,C2,2026-11-11,5.00,fable,store,toys
"""
CLICKS = """source_key,event_type,event_time
W1,page_view,2026-11-19 10:00:00
W2,page_view,2026-11-19 11:00:00
"""
HISTORY = f"""source_key,email,campaign,brand,channel,contact_date,keycode
C1,{EMAIL},SPRING,ember,email,2026-03-01,K1
C2,mary@example.com,SPRING,ember,email,2026-03-01,K1
"""
UNSUBSCRIBES = f"email\n{EMAIL.upper()}\nsomeone@example.net\n"
DNC = "617,555-0199\n212,5550100\n"
MPS = f"first_name,last_name,address_line1,postal_code\n{FIRST.upper()},{LAST.upper()},{STREET},02134\n"
NCOA = f"""first_name,last_name,address_line1,postal_code,new_address_line1,new_postal_code,return_code,move_type,move_effective_date
{FIRST},{LAST},{STREET},02134,9 Elsewhere Rd,10001,A,I,2026-10-01
Mary,Smith,12 N Oak St,02134,,,00,,
"""
FILES = {"crm": CRM, "web": WEB, "orders": ORDERS, "clicks": CLICKS, "history": HISTORY,
         "unsubscribes": UNSUBSCRIBES, "dnc": DNC, "mps": MPS, "ncoa": NCOA}


def make_store(tmp_path: Path) -> Store:
    clock.set_now("2026-11-20T10:00:00")
    (tmp_path / "sources.toml").write_text(SOURCES_TOML)
    store = Store(tmp_path / "wb.duckdb", busy_timeout=0.5)
    with store.transaction() as conn:
        save_sources(conn, parse_sources_toml(tmp_path / "sources.toml"))
    return store


def write(tmp_path: Path, name: str, text: str, suffix: str = ".csv") -> Path:
    path = tmp_path / f"{name}{suffix}"
    path.write_text(text, encoding="utf-8")
    return path


def build_person_everywhere(tmp_path: Path) -> Store:
    """The database of the erasure tests: the person in crm and web (a reject too), orders, clicks,
    loaded contact history, an unsubscribe, the DNC file, MPS, an NCOA move, and a manual opt-out."""
    from workbench.suppress import add_manual_suppression, ensure_person_suppressions

    store = make_store(tmp_path)
    for name, text in FILES.items():
        load_file(store, name, write(tmp_path, name, text))
    with store.transaction() as conn:
        add_manual_suppression(conn, phone=PHONE, channel="phone", reason="phoned the call centre")
        ensure_person_suppressions(conn)
    return store


def copy_store(base: Path, tmp_path: Path) -> Store:
    """A private copy of a database built once (``build_person_everywhere`` in a module fixture), with the
    files it was loaded from, and the clock set as when it was built."""
    import shutil

    for f in Path(base).parent.iterdir():
        if f.is_file():
            shutil.copy(f, tmp_path / f.name)
    clock.set_now("2026-11-20T10:00:00")
    return Store(tmp_path / Path(base).name, busy_timeout=0.5)


def q(store: Store, sql: str, params=None):
    with store.connect(read_only=True) as conn:
        return rows(conn, sql, params)


def one(store: Store, sql: str, params=None):
    with store.connect(read_only=True) as conn:
        return scalar(conn, sql, params)


def checkpoint(store: Store) -> None:
    with store.connect() as conn:
        conn.execute("CHECKPOINT").fetchall()


def file_bytes(path: Path) -> bytes:
    """The database file and its WAL (if any), lower-cased, for scanning."""
    data = Path(path).read_bytes()
    wal = Path(str(path) + ".wal")
    if wal.exists():
        data += wal.read_bytes()
    return data.lower()


def counts(store: Store) -> dict[str, int]:
    """Row counts of the tables a load writes (and the load log), for before/after comparisons."""
    tables = ("records", "persons", "person_records", "rejects", "loads", "transactions", "events",
              "suppression_entries", "contact_history", "moves", "audit_log")
    with store.connect(read_only=True) as conn:
        return {t: scalar(conn, f"SELECT count(*) FROM {t}") for t in tables}


def run_cli(args: list[str], db: Path, env: dict | None = None, timeout: float = 120,
            input: str | None = None) -> subprocess.CompletedProcess:
    """``workbench --db DB ARGS`` in a subprocess (text output)."""
    full_env = {**os.environ, "WORKBENCH_NOW": "2026-11-20T10:00:00", **(env or {})}
    full_env.pop("WORKBENCH_DEBUG", None)
    return subprocess.run([PYTHON, "-m", "workbench", "--db", str(db), *args], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=timeout, input=input)
