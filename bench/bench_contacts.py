"""Time the contact-strategy work on 1,000,000 persons, 10,000,000 transactions, 5,000,000 contact-history
rows (and 2,000,000 events), generated in SQL straight into the tables of a fresh database.

    python bench/bench_contacts.py [--persons 1000000] [--transactions 10000000] [--contacts 5000000]
                                   [--db PATH] [--keep]

Measures (the issue's targets in brackets), each beside a bare DuckDB baseline from the same run:
  - pressure steps over a 1M-person candidate set: the two rules that apply to a mail selection
    (3 mail per person in 30 days; 1 per brand per channel in 7 days)              [<= 2 s]
  - a household rule (email) and the call-centre capacity rule, for reference
  - all four demo triggers (who fires now), and the staleness check                [<= 10 s]
  - one campaign's results (125,000 persons, 10% control; matchback over 10M orders) [<= 2 s]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from workbench import clock  # noqa: E402
from workbench.store import Store  # noqa: E402
from workbench.store.sql import run, scalar  # noqa: E402

NOW = "2026-11-20T10:00:00"
DAYS = 1095  # three years of orders
CONTACT_DAYS = 730
CAMPAIGN_SIZE = 125_000


def generate(store: Store, persons: int, transactions: int, contacts: int) -> None:
    from workbench.contacts.rules import parse_rules_toml, save_rules
    from workbench.contacts.triggers import parse_triggers_toml, save_triggers
    from workbench.ingest.sources import save_sources, source_from_dict

    demo = HERE.parent / "demo_db"
    with store.transaction() as conn:
        run(conn, f"""INSERT INTO records (record_id, source, source_key, load_id, email_std)
            SELECT i, 'crm', 'K' || i, 1, 'p' || i || '@example.com' FROM range(1, {persons + 1}) t(i)""")
        run(conn, f"INSERT INTO person_records (record_id, person_id, assigned_at) "
                  f"SELECT i, i, TIMESTAMP '{NOW}' FROM range(1, {persons + 1}) t(i)")
        run(conn, f"""INSERT INTO persons (person_id, first_name, last_name, record_count, updated_at)
            SELECT i, 'F' || i, 'L' || (i // 2), 1, TIMESTAMP '{NOW}' FROM range(1, {persons + 1}) t(i)""")
        # 60% of persons live in two-person households, the others alone
        run(conn, f"""INSERT INTO household_members (household_id, person_id, is_head, head_rank, joined_by,
                spend_12m, orders_12m)
            SELECT CASE WHEN i <= {persons * 6 // 10} THEN (i + 1) // 2 ELSE i END, i,
                   i > {persons * 6 // 10} OR i % 2 = 1, CASE WHEN i % 2 = 1 THEN 1 ELSE 2 END, 'surname', 0, 0
            FROM range(1, {persons + 1}) t(i)""")
        # orders: 10% anonymous; 4 brands; 8% returned
        run(conn, f"""INSERT INTO transactions (source, order_id, source_key, record_id, load_id, order_date, amount,
                brand, channel, returned)
            SELECT CASE WHEN i % 3 = 0 THEN 'pos_sales' ELSE 'ecom_orders' END, 'O' || i, NULL,
                   CASE WHEN hash(i, 'anon') % 10 = 0 THEN NULL ELSE (1 + hash(i, 'who') % {persons})::BIGINT END, 1,
                   TIMESTAMP '{NOW}' - to_days(CAST(hash(i, 'day') % {DAYS} AS INTEGER))
                       - to_minutes(CAST(hash(i, 'min') % 1440 AS INTEGER)),
                   (5 + hash(i, 'amt') % 300)::DECIMAL(18, 2),
                   ['northwind', 'ember', 'tidewater', 'fable'][(1 + hash(i, 'brand') % 4)::BIGINT],
                   CASE WHEN i % 3 = 0 THEN 'store' ELSE 'web' END, hash(i, 'ret') % 100 < 8
            FROM range(1, {transactions + 1}) t(i)""")
        run(conn, f"""INSERT INTO events (source, source_key, record_id, load_id, event_type, event_time)
            SELECT 'callcentre_contacts', 'K' || p, p, 1,
                   ['support_call', 'complaint', 'order_enquiry', 'return_request'][(1 + hash(i, 'type') % 4)::BIGINT],
                   TIMESTAMP '{NOW}' - to_days(CAST(hash(i, 'eday') % 365 AS INTEGER))
            FROM (SELECT i, (1 + hash(i, 'ewho') % {persons // 4})::BIGINT AS p FROM range(1, {transactions // 5 + 1}) t(i))""")
        # contact history: campaigns of CAMPAIGN_SIZE persons, 10% control; the 10 newest 6 days apart
        # (mail and email in turn, so the rules have something to remove), the older ones spread over 2 years
        campaigns = max(1, contacts // CAMPAIGN_SIZE)
        spread = max(1, (CONTACT_DAYS - 60) // max(1, campaigns - 10))
        run(conn, f"""INSERT INTO contact_history (origin, export_id, person_id, campaign, brand, channel, cell,
                keycode, is_control, contact_date)
            SELECT 'export', c, p, 'C' || lpad(c::VARCHAR, 3, '0'),
                   ['northwind', 'ember', 'tidewater', 'fable'][(1 + c % 4)::BIGINT],
                   CASE WHEN c < 10 THEN ['mail', 'email'][(1 + c % 2)::BIGINT]
                        ELSE ['mail', 'email', 'email', 'phone'][(1 + c % 4)::BIGINT] END,
                   CASE WHEN hash(p, c) % 10 = 0 THEN 'control' ELSE 'A' END,
                   'K' || c || CASE WHEN hash(p, c) % 10 = 0 THEN 'X' ELSE 'A' END, hash(p, c) % 10 = 0,
                   DATE '{NOW[:10]}' - CAST(CASE WHEN c < 10 THEN c * 6 ELSE 60 + (c - 10) * {spread} END AS INTEGER)
            FROM (SELECT i // {CAMPAIGN_SIZE} AS c, (1 + hash(i, 'cwho') % {persons})::BIGINT AS p
                  FROM range(0, {campaigns * CAMPAIGN_SIZE}) t(i))""")
        sources = [source_from_dict("ecom_orders", {"kind": "transactions", "cadence": "daily"}),
                   source_from_dict("pos_sales", {"kind": "transactions", "cadence": "weekly"}),
                   source_from_dict("callcentre_contacts", {"kind": "events", "cadence": "monthly"})]
        save_sources(conn, sources)
        for i, (name, age_h) in enumerate((("ecom_orders", 6), ("pos_sales", 30), ("callcentre_contacts", 200)), 1):
            run(conn, f"""INSERT INTO loads (load_id, source, file, file_hash, started_at, finished_at, rows_loaded,
                    as_of_max, status)
                VALUES (?, ?, 'bench', 'h', TIMESTAMP '{NOW}', TIMESTAMP '{NOW}', 1000,
                        TIMESTAMP '{NOW}' - INTERVAL {age_h} HOUR, 'loaded')""", [i, name])
        save_rules(conn, parse_rules_toml(demo / "rules.toml"))
        save_triggers(conn, parse_triggers_toml(demo / "triggers.toml"))
    with store.connect() as conn:
        run(conn, "CHECKPOINT")


def timed(label: str, fn, results: list) -> object:
    t = time.perf_counter()
    value = fn()
    elapsed = time.perf_counter() - t
    results.append((label, elapsed, value))
    print(f"{label:<62} {elapsed:7.2f} s   {value}")
    return value


def measure(store: Store, persons: int) -> list:
    from workbench.contacts.pressure import apply_pressure
    from workbench.contacts.results import campaign_results
    from workbench.contacts.trigger_sql import evaluate_triggers

    out: list = []
    today = clock.now().date()
    with store.connect() as conn:
        run(conn, "SET threads = 2")
        timed("bare: count contacts per person in 30 days (GROUP BY)",
              lambda: scalar(conn, f"""SELECT count(*) FROM (SELECT person_id, count(*) FROM contact_history
                  WHERE contact_date > DATE '{today}' - 30 GROUP BY person_id)"""), out)
        for channel, brand, label in (("mail", "northwind", "pressure: mail selection (2 rules: person 30d, brand 7d)"),
                                      ("email", "ember", "pressure: email selection (2 rules: brand 7d, household)"),
                                      ("phone", None, "pressure: phone selection (brand 7d, capacity 40/day)")):
            run(conn, f"CREATE OR REPLACE TEMP TABLE cand AS SELECT person_id FROM range(1, {persons + 1}) t(person_id)")
            timed(label, lambda c=channel, b=brand: apply_pressure(conn, "cand", c, b, today, selection="bench",
                                                                   priority=0), out)
        timed("bare: GROUP BY person over all transactions",
              lambda: scalar(conn, """SELECT count(*) FROM (SELECT pr.person_id, count(*) FROM transactions t
                  JOIN person_records pr USING (record_id) GROUP BY ALL)"""), out)
        timed("triggers: all four demo triggers, who fires now + staleness",
              lambda: {s.name: s.persons for s in evaluate_triggers(conn)}, out)
        latest = scalar(conn, "SELECT campaign FROM contact_history WHERE contact_date <= DATE '2026-10-01' "
                              "ORDER BY contact_date DESC LIMIT 1")  # with a whole response window behind it
        timed(f"results: campaign {latest} ({CAMPAIGN_SIZE:,} persons, matchback 30 days)",
              lambda: [(c["cell"], c["contacted"], c["responders"]) for c in campaign_results(conn, latest)["cells"]],
              out)
        older = scalar(conn, "SELECT campaign FROM contact_history ORDER BY contact_date LIMIT 1")
        timed(f"results: campaign {older} (the oldest: its window reaches the oldest orders)",
              lambda: [(c["cell"], c["contacted"], c["responders"]) for c in campaign_results(conn, older)["cells"]],
              out)
        from workbench.contacts.customer import customer_view
        from workbench.contacts.history import list_campaigns
        from workbench.contacts.trigger_sql import fired_persons

        timed("campaigns list (TUI Campaigns tab)", lambda: len(list_campaigns(conn)), out)
        timed("customer view of one person (all sections, triggers)",
              lambda: len(customer_view(conn, persons // 2)["contacts"]), out)
        timed("who lapsing fires for: total and the first page", lambda: fired_persons(conn, "lapsing")[1], out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--persons", type=int, default=1_000_000)
    ap.add_argument("--transactions", type=int, default=10_000_000)
    ap.add_argument("--contacts", type=int, default=5_000_000)
    ap.add_argument("--db", type=Path, default=None, help="reuse (or create) this database")
    ap.add_argument("--keep", action="store_true", help="keep the generated database")
    args = ap.parse_args()
    clock.set_now(NOW)
    workdir = Path(tempfile.mkdtemp(prefix="bench_contacts_"))
    path = args.db or workdir / "contacts.duckdb"
    store = Store(path)
    with store.connect() as conn:
        have = scalar(conn, "SELECT count(*) FROM persons")
    if not have:
        t = time.perf_counter()
        generate(store, args.persons, args.transactions, args.contacts)
        print(f"generated {args.persons:,} persons, {args.transactions:,} transactions, {args.contacts:,} contacts "
              f"in {time.perf_counter() - t:.1f} s ({path})")
    measure(store, args.persons)
    if not args.keep and args.db is None:
        for p in workdir.iterdir():
            p.unlink()
        workdir.rmdir()


if __name__ == "__main__":
    main()
