"""Where personal data lives: one entry per table that holds it, saying how an erasure treats its rows.

An erasure first fills TEMP tables that describe the person (see :mod:`workbench.privacy.erase`):

- ``_erase_records(record_id)``, ``_erase_persons(person_id)``: the person's people records and person ids;
- ``_erase_emails(email_std)``, ``_erase_phones(phone_std)``: their standard emails and phones;
- ``_erase_names(first_name_key, first_name_root, last_name_key, addr_street, zip5, addr_key)``: their
  names at their addresses;
- ``_erase_needles(needle)``: lower-case strings to look for in free text (emails as given and standard,
  phones as given); ``_erase_digits(digits)``: their phones as 10 digits; ``_erase_name_pairs(first, last)``
  (lower case): first and last names as given;
- ``_erase_activity(source, source_key)``: the keys activity sources (orders, events, contact history)
  use for the person's records (through each activity source's ``people_source``).

Each :class:`PersonalData` entry names a table, a condition over alias ``t`` on those TEMP tables, and an
action: ``delete`` (the rows go; every column is blanked first so the old values leave the file at the
next checkpoint) or ``anonymise`` (the listed columns are set, the rows stay: amounts and counts remain).
A table or a column the entry needs that does not exist (a capability not installed) is skipped.

Other capabilities add their tables with :func:`register` (at import of their module) or, better, by
adding an entry to :data:`PERSONAL_DATA` here. Placeholders: ``{now}`` (the erasure's timestamp) and
``{persons}`` (the person ids, a list literal) in ``set`` expressions; ``{needles}`` (a regular
expression matching the person's emails and phones in any format) in conditions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

R = "SELECT record_id FROM _erase_records"
P = "SELECT person_id FROM _erase_persons"
NAME_AT = ("EXISTS (SELECT 1 FROM _erase_names n WHERE n.last_name_key = t.last_name_key AND n.zip5 = t.zip5 "
           "AND n.addr_street = t.addr_street AND (t.first_name_key IS NULL OR t.first_name_key = n.first_name_key "
           "OR t.first_name_root = n.first_name_root))")
ACTIVITY = "(t.source, t.source_key) IN (SELECT source, source_key FROM _erase_activity)"
# free text (a rejected line, a raw JSON row) that holds an email or phone of the person (one regular
# expression: {needles}, built from _erase_needles and _erase_digits, see subject.needle_pattern), or
# both their first and last name
RAW_HAS = ("(regexp_matches(t.{col}, {{needles}}) "
           "OR EXISTS (SELECT 1 FROM _erase_name_pairs n WHERE contains(lower(t.{col}), n.first) "
           "AND contains(lower(t.{col}), n.last)))")


@dataclass(frozen=True)
class PersonalData:
    table: str
    action: str  # "delete" | "anonymise"
    where: str  # SQL condition over alias t
    set: dict[str, str] = field(default_factory=dict)  # anonymise: column -> SQL expression
    needs: tuple[str, ...] = ()  # columns of the table the entry reads or writes
    note: str = ""


PERSONAL_DATA: list[PersonalData] = [
    # -- foundation ----------------------------------------------------------------------------
    PersonalData("records", "delete", f"t.record_id IN ({R})", needs=("record_id",),
                 note="the person's people records (raw and standard values)"),
    PersonalData("person_records", "delete", f"t.record_id IN ({R}) OR t.person_id IN ({P})",
                 needs=("record_id", "person_id")),
    PersonalData("persons", "delete", f"t.person_id IN ({P})", needs=("person_id",), note="golden records"),
    PersonalData("golden_pending", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("rejects", "anonymise", "t.raw IS NOT NULL AND " + RAW_HAS.format(col="raw"),
                 set={"raw": "NULL", "reason": "regexp_replace(t.reason, ':.*$', '') || ': (erased)'"},
                 needs=("raw", "reason"), note="rejected lines that hold the email, phone or name"),
    PersonalData("suppression_entries", "delete",
                 "t.email_std IN (SELECT email_std FROM _erase_emails) OR t.phone_std IN "
                 f"(SELECT phone_std FROM _erase_phones) OR (t.match_on = 'name_address' AND {NAME_AT}) "
                 "OR (t.raw IS NOT NULL AND " + RAW_HAS.format(col="raw::VARCHAR") + ")",
                 needs=("email_std", "phone_std", "match_on", "raw"),
                 note="loaded opt-outs naming the person (the tombstone replaces them, on every channel)"),
    PersonalData("transactions", "anonymise", f"t.record_id IN ({R}) OR {ACTIVITY}",
                 set={"source_key": "NULL", "record_id": "NULL", "attrs": "NULL"},
                 needs=("record_id", "source", "source_key", "attrs"), note="orders stay, anonymous"),
    PersonalData("events", "delete", f"t.record_id IN ({R}) OR {ACTIVITY}", needs=("record_id", "source", "source_key")),
    PersonalData("contact_history", "anonymise",
                 f"t.record_id IN ({R}) OR t.person_id IN ({P}) OR t.email_std IN (SELECT email_std FROM _erase_emails) "
                 f"OR {ACTIVITY}",
                 set={"source_key": "NULL", "record_id": "NULL", "email_std": "NULL", "person_id": "NULL",
                      "household_id": "NULL"},
                 needs=("record_id", "person_id", "email_std", "source", "source_key", "household_id"),
                 note="contacts stay (campaign counts), anonymous"),
    PersonalData("moves", "delete",
                 "EXISTS (SELECT 1 FROM _erase_names n WHERE n.last_name_key = t.last_name_key AND "
                 "(n.addr_key = t.old_addr_key OR n.addr_key = t.new_addr_key OR (n.zip5 = t.old_zip5 AND "
                 "n.addr_street = t.old_addr_street)) AND (t.first_name_key IS NULL OR t.first_name_key = "
                 "n.first_name_key OR t.first_name_root = n.first_name_root))",
                 needs=("last_name_key", "old_addr_key", "new_addr_key", "old_zip5", "old_addr_street",
                        "first_name_key", "first_name_root"), note="NCOA rows for the person"),
    # -- suppressions (issue 5) -----------------------------------------------------------------
    PersonalData("manual_suppressions", "anonymise",
                 "t.email_std IN (SELECT email_std FROM _erase_emails) OR t.phone_std IN "
                 f"(SELECT phone_std FROM _erase_phones) OR t.person_id IN ({P}) OR "
                 f"list_has_any(t.record_ids, (SELECT list(record_id) FROM _erase_records)) OR "
                 f"(t.last_name_key IS NOT NULL AND {NAME_AT})",
                 set={c: "NULL" for c in ("email", "phone", "person_id", "record_ids", "first_name", "last_name",
                                          "address_line1", "postal_code", "email_std", "phone_std", "first_name_key",
                                          "first_name_root", "last_name_key", "addr_street", "addr_unit", "addr_key",
                                          "zip5")}
                 | {"reason": "'(erased)'", "removed_at": "coalesce(t.removed_at, {now})",
                    "removed_reason": "'erased on request: the erasure tombstone suppresses the person'"},
                 needs=("email_std", "phone_std", "person_id", "record_ids", "last_name_key", "removed_at"),
                 note="opt-outs added by hand for the person: withdrawn, their contact details removed"),
    PersonalData("person_suppressions", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    # -- identity (issue 3) ---------------------------------------------------------------------
    PersonalData("match_pairs", "delete", f"t.record_id_l IN ({R}) OR t.record_id_r IN ({R})",
                 needs=("record_id_l", "record_id_r")),
    PersonalData("match_decisions", "delete", f"t.record_id_l IN ({R}) OR t.record_id_r IN ({R})",
                 needs=("record_id_l", "record_id_r")),
    PersonalData("match_record_state", "delete", f"t.record_id IN ({R})", needs=("record_id",)),
    # -- accuracy samples (issue 18): the answer stays (the estimates keep their counts), the ids go --------
    PersonalData("quality_items", "anonymise", f"t.record_l IN ({R}) OR t.record_r IN ({R}) OR t.person_l IN ({P}) "
                 f"OR t.person_r IN ({P})", set={"record_l": "NULL", "record_r": "NULL", "person_l": "NULL",
                                                 "person_r": "NULL"},
                 needs=("record_l", "record_r", "person_l", "person_r")),
    # -- households (issue 4) -------------------------------------------------------------------
    PersonalData("households", "delete", "t.household_id IN (SELECT household_id FROM _erase_households)",
                 needs=("household_id",), note="households of the person alone"),
    PersonalData("households", "anonymise", f"t.head_person_id IN ({P})", set={"head_person_id": "NULL"},
                 needs=("head_person_id",)),
    PersonalData("household_members", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("household_records", "delete", f"t.record_id IN ({R})", needs=("record_id",)),
    PersonalData("household_decisions", "anonymise", "list_has_any(t.person_ids, (SELECT list(person_id) FROM "
                 "_erase_persons))", set={"person_ids": "list_filter(t.person_ids, lambda x: NOT list_contains({persons}, x))",
                                          "note": "NULL"}, needs=("person_ids", "note")),
    PersonalData("household_links", "delete", f"t.record_a IN ({R}) OR t.record_b IN ({R})",
                 needs=("record_a", "record_b")),
    PersonalData("household_review_items", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("applied_moves", "delete", "t.move_key IN (SELECT move_key FROM _erase_moves)", needs=("move_key",),
                 note="moves that reached only the person's records"),
    PersonalData("move_applications", "delete", f"t.record_id IN ({R})", needs=("record_id",)),
    PersonalData("address_history", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    # -- selections and exports (issue 5/6) -----------------------------------------------------
    PersonalData("person_attributes", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("order_facts", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    # -- contacts (issue 7) ---------------------------------------------------------------------
    PersonalData("planned_contacts", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("campaign_responses", "anonymise",
                 f"t.person_id IN ({P}) OR t.record_id IN ({R}) OR t.email_std IN (SELECT email_std FROM _erase_emails)",
                 set={"person_id": "NULL", "source_key": "NULL", "email_std": "NULL", "record_id": "NULL"},
                 needs=("person_id", "record_id", "email_std", "source_key"), note="responses stay, anonymous"),
    # -- segments and scores (issue 14); publish_state keeps a source key until the next publish lists it
    # as removed (docs/segments.md)
    PersonalData("rfm_scores", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    PersonalData("churn_scores", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
    # -- prospect lists and merge/purge (issue 15): a rented list's rows of the person go; what a run did
    # with them stays as counts (the keys are blanked)
    PersonalData("prospects", "delete",
                 "t.email_std IN (SELECT email_std FROM _erase_emails) OR t.phone_std IN "
                 f"(SELECT phone_std FROM _erase_phones) OR {NAME_AT}",
                 needs=("email_std", "phone_std", "last_name_key", "zip5", "addr_street", "first_name_key",
                        "first_name_root"), note="rows of rented or bought lists naming the person"),
    PersonalData("mergepurge_names", "anonymise",
                 f"t.person_id IN ({P}) OR t.email_std IN (SELECT email_std FROM _erase_emails) OR t.phone_std IN "
                 "(SELECT phone_std FROM _erase_phones) OR EXISTS (SELECT 1 FROM _erase_names n WHERE "
                 "n.last_name_key = t.last_name_key AND n.addr_key = t.addr_key)",
                 set={c: "NULL" for c in ("person_id", "email_std", "phone_std", "first_name_root", "last_name_key",
                                          "addr_key")},
                 needs=("person_id", "email_std", "phone_std", "last_name_key", "addr_key"),
                 note="merge/purge outcomes stay (the report's counts), anonymous"),
    PersonalData("customer_origins", "delete", f"t.person_id IN ({P})", needs=("person_id",)),
]


def register(entry: PersonalData) -> None:
    """Add a table of another capability (idempotent: an equal entry is not added twice)."""
    if entry.action not in ("delete", "anonymise"):
        raise ValueError(f"unknown erasure action {entry.action!r}")
    if entry not in PERSONAL_DATA:
        PERSONAL_DATA.append(entry)
