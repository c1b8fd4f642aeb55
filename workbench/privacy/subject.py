"""Who an erasure request names: the persons holding an email or phone, or one person, and the TEMP
tables that describe them to the registry (see :mod:`workbench.privacy.registry`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from workbench.errors import NotFoundError, WorkbenchError
from workbench.store.sql import has_relation, rows, run, scalar

TEMP_TABLES = ("_erase_persons", "_erase_records", "_erase_emails", "_erase_phones", "_erase_names",
               "_erase_needles", "_erase_digits", "_erase_name_pairs", "_erase_activity", "_erase_households",
               "_erase_moves", "_erase_rows", "_erase_keys")
MIN_NEEDLE = 5  # shorter strings are not searched for in free text (too many innocent hits)


@dataclass
class Subject:
    """The person(s) an erasure request reaches."""

    by: str  # email | phone | person
    email_std: str | None = None
    phone_std: str | None = None
    person_ids: list[int] = field(default_factory=list)
    records: int = 0

    @property
    def request(self) -> tuple[str, str] | None:
        """(kind, standard value) of the key the operator gave, if any."""
        if self.email_std:
            return "email", self.email_std
        if self.phone_std:
            return "phone", self.phone_std
        return None


def find_subject(conn: duckdb.DuckDBPyConnection, email: str | None = None, phone: str | None = None,
                 person_id: int | None = None) -> Subject:
    """The persons holding ``email`` or ``phone`` (any of their records, or the golden record), or person
    ``person_id``. Exactly one of the three. An email or phone nobody holds gives no person (a tombstone
    is still kept); an unknown person id is an error."""
    given = [n for n, v in (("email", email), ("phone", phone), ("person", person_id)) if v not in (None, "")]
    if len(given) != 1:
        raise WorkbenchError("Name the person to erase with exactly one of --email, --phone or --person.")
    subject = Subject(by=given[0])
    if person_id is not None:
        if not scalar(conn, "SELECT count(*) FROM person_records WHERE person_id = ?", [int(person_id)]) and not \
                scalar(conn, "SELECT count(*) FROM persons WHERE person_id = ?", [int(person_id)]):
            raise NotFoundError(f"There is no person {person_id}.", "Find the person id with `workbench persons` "
                                "or the customer view.")
        subject.person_ids = [int(person_id)]
        return subject
    std = rows(conn, "SELECT wb_email(?) AS e, wb_phone(?) AS p", [email, phone])[0]
    if email and not std["e"]:
        raise WorkbenchError("That is not a usable email address.", "Give the address as the customer wrote it.")
    if phone and not std["p"]:
        raise WorkbenchError("That is not a usable phone number.", "Give 10 digits (any format).")
    subject.email_std, subject.phone_std = std["e"], std["p"]
    column, golden = ("email_std", "email") if std["e"] else ("phone_std", "phone")
    value = std["e"] or std["p"]
    subject.person_ids = [r["person_id"] for r in rows(conn, f"""
        SELECT DISTINCT pr.person_id FROM records r JOIN person_records pr USING (record_id) WHERE r.{column} = ?
        UNION SELECT person_id FROM persons WHERE {golden} = ? ORDER BY 1""", [value, value])]
    return subject


def distinct_names(conn: duckdb.DuckDBPyConnection, person_ids: list[int]) -> int:
    """How many different people the persons' golden records name: first initial + last name (so Zeb and
    Zebulon Quixotewright are one, Mary and John Smith two; a missing name agrees with any)."""
    if len(person_ids) < 2:
        return len(person_ids)
    return scalar(conn, """SELECT count(DISTINCT left(first_name_key, 1) || '|' || last_name_key) FROM persons
        WHERE list_contains(?, person_id) AND first_name_key IS NOT NULL AND last_name_key IS NOT NULL""",
                  [person_ids]) or 1


def describe(conn: duckdb.DuckDBPyConnection, subject: Subject) -> None:
    """Fill the TEMP tables the registry's conditions read (``_erase_*``)."""
    run(conn, "CREATE OR REPLACE TEMP TABLE _erase_persons AS SELECT unnest(?::BIGINT[]) AS person_id",
        [subject.person_ids])
    run(conn, """CREATE OR REPLACE TEMP TABLE _erase_records AS
        SELECT DISTINCT record_id FROM person_records WHERE person_id IN (SELECT person_id FROM _erase_persons)""")
    subject.records = scalar(conn, "SELECT count(*) FROM _erase_records")
    mine = "record_id IN (SELECT record_id FROM _erase_records)"
    golden = "person_id IN (SELECT person_id FROM _erase_persons)"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_emails AS
        SELECT email_std FROM records WHERE {mine} AND email_std IS NOT NULL
        UNION SELECT email FROM persons WHERE {golden} AND email IS NOT NULL
        UNION SELECT CAST(? AS VARCHAR) WHERE ? IS NOT NULL""", [subject.email_std, subject.email_std])
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_phones AS
        SELECT phone_std FROM records WHERE {mine} AND phone_std IS NOT NULL
        UNION SELECT phone FROM persons WHERE {golden} AND phone IS NOT NULL
        UNION SELECT CAST(? AS VARCHAR) WHERE ? IS NOT NULL""", [subject.phone_std, subject.phone_std])
    cols = "first_name_key, first_name_root, last_name_key, addr_street, zip5, addr_key"
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_names AS
        SELECT DISTINCT {cols} FROM records WHERE {mine} AND last_name_key IS NOT NULL AND addr_street IS NOT NULL
        UNION SELECT {cols} FROM persons WHERE {golden} AND last_name_key IS NOT NULL AND addr_street IS NOT NULL""")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_needles AS
        SELECT DISTINCT needle FROM (
            SELECT lower(trim(email)) AS needle FROM records WHERE {mine}
            UNION ALL SELECT email_std FROM _erase_emails
            UNION ALL SELECT lower(trim(phone)) FROM records WHERE {mine}
        ) WHERE length(needle) >= {MIN_NEEDLE}""")
    run(conn, "CREATE OR REPLACE TEMP TABLE _erase_digits AS SELECT DISTINCT phone_std AS digits FROM _erase_phones "
              f"WHERE length(phone_std) >= {MIN_NEEDLE}")
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_name_pairs AS
        SELECT DISTINCT lower(trim(first_name)) AS first, lower(trim(last_name)) AS last FROM records
        WHERE {mine} AND length(trim(first_name)) >= 2 AND length(trim(last_name)) >= 2""")
    # the keys activity rows use for the person: each activity source's people_source (or any people source)
    run(conn, f"""CREATE OR REPLACE TEMP TABLE _erase_activity AS
        SELECT DISTINCT s.name AS source, r.source_key FROM sources s
        JOIN records r ON s.people_source IS NULL OR r.source = s.people_source
        WHERE s.kind IN ('transactions', 'events', 'contacts') AND r.{mine}""")
    if has_relation(conn, "household_members"):
        run(conn, """CREATE OR REPLACE TEMP TABLE _erase_households AS
            SELECT m.household_id FROM household_members m LEFT JOIN _erase_persons e USING (person_id)
            WHERE m.household_id IN (SELECT household_id FROM household_members
                                     WHERE person_id IN (SELECT person_id FROM _erase_persons))
            GROUP BY m.household_id HAVING count(e.person_id) = count(*)""")
    else:
        run(conn, "CREATE OR REPLACE TEMP TABLE _erase_households (household_id BIGINT)")
    if has_relation(conn, "move_applications"):
        run(conn, """CREATE OR REPLACE TEMP TABLE _erase_moves AS
            SELECT move_key FROM move_applications
            WHERE move_key IN (SELECT move_key FROM move_applications
                               WHERE record_id IN (SELECT record_id FROM _erase_records))
            GROUP BY move_key
            HAVING count(*) FILTER (WHERE record_id NOT IN (SELECT record_id FROM _erase_records)) = 0""")
    else:
        run(conn, "CREATE OR REPLACE TEMP TABLE _erase_moves (move_key VARCHAR)")


def needle_pattern(conn: duckdb.DuckDBPyConnection) -> str:
    """A regular expression (RE2, case-insensitive) matching any of the person's emails and phones in free
    text: emails literally, phones as their 10 digits with up to 3 other characters between digits
    ((617) 555-0101, 617.555.0101, +1 617 555 0101). Never matches when there is nothing to look for."""
    needles = [re.escape(r["needle"]) for r in rows(conn, "SELECT needle FROM _erase_needles ORDER BY 1")
               if not r["needle"].replace(" ", "").replace("-", "").replace(".", "").replace("(", "")
               .replace(")", "").replace("+", "").isdigit()]
    phones = ["[^0-9]{0,3}".join(d["digits"]) for d in rows(conn, "SELECT digits FROM _erase_digits ORDER BY 1")]
    parts = needles + phones
    # DuckDB's RE2 has no look-ahead: "nothing to look for" is a class no character is outside of
    return "(?i)(" + "|".join(parts) + ")" if parts else r"[^\x00-\x{10FFFF}]"


def exports_with(conn: duckdb.DuckDBPyConnection) -> list[int]:
    """Exports whose contact history names the person (their files, outside the database, hold the data)."""
    if not has_relation(conn, "contact_history"):
        return []
    return [r["export_id"] for r in rows(conn, """SELECT DISTINCT export_id FROM contact_history
        WHERE export_id IS NOT NULL AND (record_id IN (SELECT record_id FROM _erase_records)
              OR person_id IN (SELECT person_id FROM _erase_persons)) ORDER BY 1""")]


def drop_temp(conn: duckdb.DuckDBPyConnection) -> None:
    for table in TEMP_TABLES:
        run(conn, f"DROP TABLE IF EXISTS {table}")
