"""Property-based: whatever bytes an extract holds, loading it either raises InputFileError (the database
unchanged) or loads some rows and rejects the rest, with the counts adding up: never another exception."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_trust_helpers import make_store

from workbench.errors import InputFileError
from workbench.ingest.load import load_file
from workbench.store.sql import scalar

HEADER = b"source_key,first_name,last_name,email,phone,birth_date,address_line1,postal_code\n"
SETTINGS = settings(max_examples=40, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
_names = itertools.count()

# bytes that make CSV parsers work hard: delimiters, quotes, line ends, NUL, a BOM, high bytes
CSV_BYTES = st.lists(st.sampled_from([b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\xef\xbb\xbf", b"\xe9", b"\xc3\xa9",
                                      b"a", b"Zo", b"1990-01-01", b"31/02/1990", b"'; DROP TABLE records; --",
                                      b"=SUM(1)", b" ", b";", b"\t", b"\xff\xfe", b"K1", b"K2"]),
                     max_size=60).map(b"".join)


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    from workbench import clock

    tmp = tmp_path_factory.mktemp("prop")
    store = make_store(tmp)
    yield store, tmp
    clock.set_now(None)


def state(store) -> dict[str, int]:
    with store.connect(read_only=True) as conn:
        return {t: scalar(conn, f"SELECT count(*) FROM {t}") for t in ("records", "loads", "rejects", "audit_log")}


def check_load(store, tmp, data: bytes, suffix: str = ".csv") -> None:
    path = tmp / f"f{next(_names)}{suffix}"
    path.write_bytes(data)
    before = state(store)
    try:
        result = load_file(store, "web", path, force=True)
    except InputFileError as exc:
        assert str(exc).strip()
        assert state(store) == before
        return
    after = state(store)
    assert after["loads"] == before["loads"] + 1 and after["audit_log"] == before["audit_log"] + 1
    assert after["rejects"] - before["rejects"] == result.rows_rejected
    assert result.rows_read == result.rows_loaded + result.rows_rejected
    assert after["records"] - before["records"] == result.rows_inserted - result.rows_removed
    with store.connect(read_only=True) as conn:
        assert not scalar(conn, "SELECT count(*) FROM records WHERE contains(first_name, chr(0)) OR "
                                "contains(last_name, chr(0))")


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_never_raise_anything_else(shared, data):
    store, tmp = shared
    check_load(store, tmp, data)


@SETTINGS
@given(CSV_BYTES)
def test_random_csv_like_bodies_under_a_good_header(shared, body):
    store, tmp = shared
    check_load(store, tmp, HEADER + body)


@SETTINGS
@given(st.binary(max_size=200))
def test_random_bytes_as_json(shared, data):
    store, tmp = shared
    check_load(store, tmp, data, suffix=".json")
