"""Prospects sources (rental terms checked strictly) and merge/purge run files; a run on another channel."""

from __future__ import annotations

import pytest
from mergepurge_support import _names, _write, build_mp_store

from workbench.errors import ConfigError, NotFoundError


@pytest.fixture
def mp_store(tmp_path, built):
    return built(build_mp_store, tmp_path)  # built once, copied per test


def _source(body: str):
    import tomllib

    from workbench.ingest.sources import source_from_dict

    return source_from_dict("rented", tomllib.loads(body))


def test_prospects_source_keeps_its_terms():
    s = _source(
        'kind = "prospects"\ncadence = "monthly"\nsupplier = "Acme"\nexpires = 2026-12-31\ncpm = 85\n'
    )
    assert (s.supplier, s.one_time, s.expires, s.cpm) == (
        "Acme",
        True,
        "2026-12-31",
        85.0,
    )  # one-time by default


@pytest.mark.parametrize(
    "body, problem",
    [
        ('kind = "people"\ncadence = "daily"\ncpm = 10\n', "only applies to prospects"),
        ('kind = "prospects"\ncadence = "daily"\none_time = "yes"\n', "must be true"),
        ('kind = "prospects"\ncadence = "daily"\nexpires = "soon"\n', "must be a date"),
        ('kind = "prospects"\ncadence = "daily"\ncpm = -1\n', "price per thousand"),
        ('kind = "prospects"\ncadence = "daily"\nmode = "incremental"\n', "loaded in full"),
        ('kind = "prospects"\ncadence = "daily"\n[columns]\norder_id = "x"\n', "not a canonical field"),
    ],
)
def test_prospects_source_errors(body, problem):
    with pytest.raises(ConfigError, match=problem):
        _source(body)


def test_terms_survive_the_store(mp_store):
    from workbench.ingest.sources import get_source

    with mp_store.connect(read_only=True) as conn:
        a, b = get_source(conn, "list_a"), get_source(conn, "list_b")
    assert (a.supplier, a.one_time, a.expires, a.cpm) == ("Acme Lists", True, "2026-12-31", 100.0)
    assert (b.one_time, b.expires) == (False, None)


@pytest.mark.parametrize(
    "text, problem",
    [
        ('[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["a"]\nhouse = "keep"\n', ":5: .*'house'"),
        ('[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["a", "a"]\n', "names 'a' twice"),
        ('[mergepurge]\nname = "x"\nchannel = "fax"\nlists = ["a"]\n', "'channel'"),
        ('[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["a"]\nlsits = 1\n', "unknown key"),
        (
            '[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["a"]\nkeycodes = { b = "K" }\n',
            "not one of the run's",
        ),
        (
            '[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["a"]\n[[mergepurge.seeds]]\nname = "s"\nzip5 = "01970"\n',
            "needs address_line1",
        ),
    ],
)
def test_run_file_errors(text, problem):
    from workbench.mergepurge import parse_run_text

    with pytest.raises(ConfigError, match=problem):
        parse_run_text(text)


def test_a_list_must_be_a_prospects_source(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    run = _write(tmp_path, "r.toml", '[mergepurge]\nname = "x"\nchannel = "mail"\nlists = ["crm"]\n')
    with pytest.raises(NotFoundError, match="not a prospects list"):
        run_mergepurge(mp_store, run, None, dry_run=True)


def test_email_run_keeps_the_names_with_an_email(mp_store, tmp_path):
    from workbench.mergepurge import run_mergepurge

    run = _write(
        tmp_path,
        "e.toml",
        '[mergepurge]\nname = "mail_me"\nchannel = "email"\nlists = ["list_a"]\n'
        'one_per = "person"\n[[mergepurge.seeds]]\nname = "inbox"\n'
        'email = "seed@example.com"\n',
    )
    result = run_mergepurge(mp_store, run, tmp_path / "e.csv")
    names = _names(mp_store, result.run_id)
    assert names["A5"][0] == "net"  # Hal has only an email
    assert names["A3"] == ("reject", "no usable email", None)
    assert names["A4"][0] == "reject"  # by person, Frank would have stayed; here he has no email either
    assert result.seeds_from == "own" and result.seeds == 1


def test_one_per_person_keeps_a_second_person_of_a_household(mp_store, tmp_path):
    from mergepurge_support import _run_file

    from workbench.mergepurge import run_mergepurge

    result = run_mergepurge(mp_store, _run_file(tmp_path, one_per="person"), None, dry_run=True)
    a = next(r for r in result.lists if r.source == "list_a")
    assert a.duplicates == {} and a.net == 3  # Frank stays beside Eve


def test_a_placeholder_email_joins_nobody(mp_store, tmp_path):
    from workbench.ingest.load import load_file
    from workbench.ingest.sources import save_sources, source_from_dict
    from workbench.mergepurge import run_mergepurge

    with mp_store.transaction() as conn:
        save_sources(
            conn, [source_from_dict("list_c", {"kind": "prospects", "cadence": "52w", "one_time": False})]
        )
    rows = "".join(
        f"C{i},Pat,Person{chr(65 + i)},{i} Main St,Boston,MA,02150,none@example.com,\n" for i in range(25)
    )
    load_file(
        mp_store,
        "list_c",
        _write(
            tmp_path,
            "c.csv",
            "source_key,first_name,last_name,address_line1,city,state,postal_code,email,seed\n" + rows,
        ),
    )
    run = _write(tmp_path, "c.toml", '[mergepurge]\nname = "c"\nchannel = "mail"\nlists = ["list_c"]\n')
    result = run_mergepurge(mp_store, run, None, dry_run=True)
    assert result.lists[0].net == 25 and result.lists[0].duplicates == {}
