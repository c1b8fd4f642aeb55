"""The canonical fields of each kind of extract (their spelling is part of the CLI contract)."""

from __future__ import annotations

KINDS = ("people", "transactions", "events", "suppression", "contacts", "moves", "appends", "prospects")

CANONICAL: dict[str, tuple[str, ...]] = {
    "people": (
        "source_key", "first_name", "last_name", "address_line1", "address_line2", "city", "state",
        "postal_code", "country", "email", "phone", "birth_date",
    ),
    "transactions": (
        "source_key", "order_id", "order_date", "amount", "brand", "channel", "category", "returned",
    ),
    "events": ("source_key", "event_type", "event_time"),
    "suppression": (
        "email", "phone", "area_code", "first_name", "last_name", "address_line1", "address_line2", "city",
        "state", "postal_code", "reason", "effective_date", "brand", "channel",
    ),
    "contacts": ("source_key", "email", "campaign", "brand", "channel", "contact_date", "keycode"),
    "moves": (
        "first_name", "last_name", "address_line1", "address_line2", "city", "state", "postal_code",
        "new_address_line1", "new_address_line2", "new_city", "new_state", "new_postal_code",
        "return_code", "move_type", "move_effective_date",
    ),
    # an agency's traits (workbench/appends): the key by match_on, then the traits and the file's date
    "appends": (
        "first_name", "last_name", "address_line1", "address_line2", "city", "state", "postal_code", "agency",
        "file_date", "presence_of_children", "income_band", "home_owner", "length_of_residence", "age_band",
        "marital_status", "occupation",
    ),
    # a rented or bought list (never customers; see workbench.mergepurge); seed: the list owner's decoy
    "prospects": (
        "source_key", "first_name", "last_name", "address_line1", "address_line2", "city", "state",
        "postal_code", "email", "phone", "seed",
    ),
}

# Fields a kind cannot load without (suppression requirements depend on match_on, see below).
REQUIRED: dict[str, tuple[str, ...]] = {
    "people": ("source_key",),
    "transactions": ("order_id", "order_date", "amount"),
    "events": ("source_key", "event_type", "event_time"),
    "suppression": (),
    "contacts": ("campaign", "contact_date"),
    "moves": ("last_name", "address_line1", "postal_code", "return_code"),
    "appends": (),
    "prospects": (),  # a row needs a mail address, an email or a phone (checked per row)
}

SUPPRESSION_REQUIRED: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "phone": ("phone",),
    "name_address": ("last_name", "address_line1", "postal_code"),
    "address": ("address_line1", "postal_code"),
}

# appends sources: what a row is keyed by (the suppressions' door and name rules)
APPEND_REQUIRED: dict[str, tuple[str, ...]] = {
    "address": ("address_line1", "postal_code"),
    "household": ("last_name", "address_line1", "postal_code"),
    "person": ("first_name", "last_name", "address_line1", "postal_code"),
}

CHANNELS = ("mail", "email", "phone", "all")
MATCH_RULES = tuple(SUPPRESSION_REQUIRED)
FORMATS = ("csv", "tsv", "parquet", "json", "ndjson")
MODES = ("full", "incremental")

# The table each kind loads into.
TARGET_TABLE = {
    "people": "records",
    "transactions": "transactions",
    "events": "events",
    "suppression": "suppression_entries",
    "contacts": "contact_history",
    "moves": "moves",
    "appends": "append_entries",
    "prospects": "prospects",
}


def required_fields(kind: str, match_on: str | None = None) -> tuple[str, ...]:
    if kind == "suppression":
        return SUPPRESSION_REQUIRED.get(match_on or "", ())
    if kind == "appends":
        return APPEND_REQUIRED.get(match_on or "", ())
    return REQUIRED[kind]
