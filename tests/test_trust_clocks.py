"""Legal clocks on suppressions: the do-not-call copy (< 31 days for a phone export), email opt-outs (within
10 business days), NCOA (within 95 days before a mail export); shown by `workbench freshness`."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from test_trust_helpers import DNC, NCOA, UNSUBSCRIBES, load_file, make_store, write

from workbench import clock
from workbench.privacy import business_days_between, legal_clock_gate, legal_clocks


@pytest.mark.parametrize("start, end, expected", [
    ("2026-11-20", "2026-11-20", 0),  # Friday, same day
    ("2026-11-20", "2026-11-23", 1),  # Friday -> Monday
    ("2026-11-20", "2026-11-27", 5),
    ("2026-11-20", "2026-12-04", 10),
    ("2026-11-21", "2026-11-22", 0),  # a weekend
    ("2026-11-20", "2026-11-19", 0),
])
def test_business_days(start, end, expected):
    assert business_days_between(date.fromisoformat(start), date.fromisoformat(end)) == expected


def clocks_at(store, when: str) -> dict[str, object]:
    with store.connect(read_only=True) as conn:
        return {c.clock: c for c in legal_clocks(conn, datetime.fromisoformat(when))}


def gate_at(store, channel: str, when: str) -> list[str]:
    with store.connect(read_only=True) as conn:
        return legal_clock_gate(conn, channel, datetime.fromisoformat(when))


@pytest.fixture
def loaded(tmp_path):
    store = make_store(tmp_path)  # clock: Friday 2026-11-20 10:00
    for name, text in (("dnc", DNC), ("unsubscribes", UNSUBSCRIBES), ("ncoa", NCOA)):
        load_file(store, name, write(tmp_path, name, text))
    return store


def test_nothing_loaded_means_every_clock_is_missing(tmp_path):
    store = make_store(tmp_path)
    clocks = clocks_at(store, "2026-11-20T10:00:00")
    assert {k: c.status for k, c in clocks.items()} == {"do_not_call": "missing", "email_opt_outs": "missing",
                                                         "ncoa": "missing"}
    assert "never loaded" in clocks["do_not_call"].message
    assert gate_at(store, "phone", "2026-11-20T10:00:00") == [clocks["do_not_call"].message]
    assert gate_at(store, "mail", "2026-11-20T10:00:00") == [clocks["ncoa"].message]


def test_do_not_call_copy_must_be_under_31_days_for_phone_exports(loaded):
    assert clocks_at(loaded, "2026-12-10T09:00:00")["do_not_call"].status == "ok"  # 20 days
    assert clocks_at(loaded, "2026-12-15T09:00:00")["do_not_call"].status == "due"  # 25 days
    late = clocks_at(loaded, "2026-12-21T09:00:00")["do_not_call"]  # 31 days: not under 31 any more
    assert (late.status, late.age, late.limit) == ("overdue", 31, 31)
    assert gate_at(loaded, "phone", "2026-12-21T09:00:00") == [late.message]
    assert "over the limit (must be under 31 days)" in late.message
    assert gate_at(loaded, "mail", "2026-12-21T09:00:00") == []  # a phone clock does not stop a mailing
    assert gate_at(loaded, "phone", "2026-12-20T09:00:00") == []  # 30 days: still fine


def test_email_opt_outs_within_10_business_days(loaded):
    assert clocks_at(loaded, "2026-12-01T09:00:00")["email_opt_outs"].status == "ok"  # 7 business days
    assert clocks_at(loaded, "2026-12-02T09:00:00")["email_opt_outs"].status == "due"  # 8
    over = clocks_at(loaded, "2026-12-04T09:00:00")["email_opt_outs"]  # 10 business days: an opt-out of the
    assert (over.status, over.age, over.unit) == ("overdue", 10, "business days")  # day after the load is due
    assert gate_at(loaded, "email", "2026-12-04T09:00:00") == [over.message]


def test_ncoa_within_95_days_before_a_mail_export(loaded):
    assert clocks_at(loaded, "2027-02-10T09:00:00")["ncoa"].status == "ok"  # 82 days
    assert clocks_at(loaded, "2027-02-20T09:00:00")["ncoa"].status == "due"  # 92 days: a week to go
    assert gate_at(loaded, "mail", "2027-02-23T09:00:00") == []  # 95 days: the last day
    late = clocks_at(loaded, "2027-02-24T09:00:00")["ncoa"]
    assert late.status == "overdue" and gate_at(loaded, "mail", "2027-02-24T09:00:00") == [late.message]
    # a fresh NCOA file resets the clock
    clock.set_now("2027-02-24T08:00:00")
    load_file(loaded, "ncoa", write(loaded.path.parent, "ncoa2", NCOA.replace("2026-10-01", "2027-01-15")))
    assert gate_at(loaded, "mail", "2027-02-24T09:00:00") == []


def test_freshness_shows_the_clocks(loaded):
    from workbench.cli import main

    runner = CliRunner()
    clock.set_now("2026-12-22T09:00:00")
    out = runner.invoke(main, ["--db", str(loaded.path), "freshness", "--json"])
    data = json.loads(out.output)
    by = {c["clock"]: c for c in data["legal_clocks"]}
    assert by["do_not_call"]["status"] == "overdue" and by["do_not_call"]["source"] == "dnc"
    assert by["ncoa"]["status"] == "ok" and by["email_opt_outs"]["unit"] == "business days"
    text = runner.invoke(main, ["--db", str(loaded.path), "freshness"])
    assert "legal clock do_not_call (phone exports): overdue" in text.output
