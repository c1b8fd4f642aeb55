from __future__ import annotations

import pytest

from workbench import clock
from workbench.errors import ConfigError, InputFileError, NotFoundError
from workbench.ingest.load import load_file, preview
from workbench.ingest.sources import parse_sources_toml
from workbench.store.sql import rows, scalar


def q(store, sql, params=None):
    with store.connect(read_only=True) as conn:
        return rows(conn, sql, params)


def test_people_load_standardises_and_rejects(store, data_dir):
    r = load_file(store, "web", data_dir / "web_1.csv")
    # 7 data rows: W5 has too many fields, no-key row, W3 bad birth date 31/02, W4 0000-00-00, W1 twice
    assert r.rows_read == 8 - 1
    assert r.rows_loaded == 2  # W1 (latest copy) and W2
    reasons = {x["reason"] for x in q(store, "SELECT reason FROM rejects")}
    assert "no source_key" in reasons
    assert any(x.startswith("unparseable birth_date: 31/02/1990") for x in reasons)
    assert any(x.startswith("unparseable birth_date: 0000-00-00") for x in reasons)
    assert any(x.startswith("wrong number of fields") for x in reasons)
    assert any(x.startswith("duplicate source_key") for x in reasons)
    w1 = q(store, "SELECT * FROM records WHERE source_key = 'W1'")[0]
    assert w1["email_std"] == "bob.smith@example.com"  # the later row stands
    assert w1["phone_std"] == "6175550101"
    assert w1["zip5"] == "02134"
    assert w1["first_name_root"] == "ROBERT"
    assert w1["birth_dt"].isoformat() == "1980-03-04"
    assert '"utm_source":"bing"' in w1["attrs"].replace(" ", "")
    w2 = q(store, "SELECT * FROM records WHERE source_key = 'W2'")[0]
    assert w2["first_name_display"] == "Liz" and w2["last_name_display"] == "Jones"
    assert w2["birth_dt"].isoformat() == "1975-03-15"
    # rejects keep line numbers and raw text
    lines = {x["reason"].split(":")[0]: x["line"] for x in q(store, "SELECT line, reason FROM rejects")}
    assert lines["no source_key"] == 5
    assert lines["unparseable birth_date"] in (4, 6)
    log = q(store, "SELECT * FROM loads")[0]
    assert log["rows_loaded"] == 2 and log["rows_rejected"] == 5 and log["status"] == "loaded"
    assert str(log["as_of_max"]) == "2026-11-20 09:00:00"


def test_same_content_is_a_noop(store, data_dir):
    first = load_file(store, "crm", data_dir / "crm.csv")
    again = load_file(store, "crm", data_dir / "crm.csv")
    assert first.status == "loaded" and again.status == "unchanged"
    assert "already loaded" in again.message
    assert q(store, "SELECT count(*) AS n FROM loads")[0]["n"] == 1


def test_full_mode_replaces_and_keeps_record_ids(store, data_dir):
    load_file(store, "crm", data_dir / "crm.csv")
    ids = {r["source_key"]: r["record_id"] for r in q(store, "SELECT source_key, record_id FROM records")}
    (data_dir / "crm2.csv").write_text(
        "source_key,first_name,last_name,postal_code\nC1,Robert,Smith,02134\nC4,New,Person,10001\n")
    r = load_file(store, "crm", data_dir / "crm2.csv")
    assert (r.rows_inserted, r.rows_updated, r.rows_removed) == (1, 1, 2)
    now = {x["source_key"]: x["record_id"] for x in q(store, "SELECT source_key, record_id FROM records")}
    assert set(now) == {"C1", "C4"} and now["C1"] == ids["C1"]


def test_incremental_upserts(store, data_dir):
    load_file(store, "web", data_dir / "web_1.csv")
    (data_dir / "web_2.csv").write_text(
        "visitor_id,fname,lname,street,zip,email_address,mobile,dob,signup_time\n"
        "W2,Elizabeth,Jones,5 Elm Ave,02139,liz@example.com,,,2026-11-20 10:00\n"
        "W9,Al,Bo,,,,,,2026-11-20 10:05\n")
    r = load_file(store, "web", data_dir / "web_2.csv")
    assert (r.rows_inserted, r.rows_updated) == (1, 1)
    assert scalar_q(store, "SELECT count(*) FROM records WHERE source = 'web'") == 3


def scalar_q(store, sql):
    with store.connect(read_only=True) as conn:
        return scalar(conn, sql)


def test_transactions_and_headerless_suppression(store, data_dir):
    r = load_file(store, "orders", data_dir / "orders.csv")
    assert r.rows_loaded == 2  # O1 and anonymous O3
    reasons = " | ".join(x["reason"] for x in q(store, "SELECT reason FROM rejects ORDER BY line"))
    assert "unparseable order_date" in reasons and "unparseable amount" in reasons
    assert "wrong number of fields" in reasons
    o3 = q(store, "SELECT * FROM transactions WHERE order_id = 'O3'")[0]
    assert o3["source_key"] is None and o3["brand"] == "fable"
    d = load_file(store, "dnc", data_dir / "dnc.txt")
    assert d.rows_loaded == 2 and d.rows_rejected == 1
    assert {x["phone_std"] for x in q(store, "SELECT phone_std FROM suppression_entries")} == {
        "6175550101", "2125550199"}


def test_latin1_semicolon_crlf(store, data_dir):
    content = "source_key;first_name;last_name;postal_code\r\nL1;José;Müller;02134\r\nL2;Zoë;Ødegård;10001\r\n"
    (data_dir / "latin.csv").write_bytes(content.encode("cp1252"))
    r = load_file(store, "crm", data_dir / "latin.csv")
    assert r.encoding == "cp1252" and r.rows_loaded == 2
    names = {x["first_name"] for x in q(store, "SELECT first_name FROM records")}
    assert names == {"José", "Zoë"}


def test_utf8_bom(store, data_dir):
    (data_dir / "bom.csv").write_bytes("\ufeffsource_key,first_name\nB1,Ärne\n".encode())
    r = load_file(store, "crm", data_dir / "bom.csv")
    assert r.rows_loaded == 1 and r.encoding == "utf-8"


@pytest.mark.parametrize("content,expect", [
    (None, "no such file"),
    (b"", "empty"),
    (b"source_key,first_name\n", "no data rows"),
    (b"\x89PNG\r\n\x1a\nabc", "PNG"),
    (b"a\x00b\x00c\x00" * 200, "binary"),
    (b"first_name,last_name\nA,B\n", "required field 'source_key'"),
])
def test_bad_files_leave_database_unchanged(store, data_dir, content, expect):
    path = data_dir / "bad.csv"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(InputFileError) as err:
        load_file(store, "crm", path)
    assert expect in str(err.value)
    assert q(store, "SELECT count(*) AS n FROM loads")[0]["n"] == 0
    assert q(store, "SELECT count(*) AS n FROM records")[0]["n"] == 0


def test_directory_and_unknown_source(store, data_dir):
    with pytest.raises(InputFileError, match="directory"):
        load_file(store, "crm", data_dir)
    with pytest.raises(NotFoundError, match="did you mean 'crm'|Did you mean 'crm'"):
        load_file(store, "crn", data_dir / "crm.csv")


def test_missing_mapping_names_the_fix(store, data_dir):
    (data_dir / "w.csv").write_text("visitor,fname\nX,Y\n")
    with pytest.raises(InputFileError) as err:
        load_file(store, "web", data_dir / "w.csv")
    assert "visitor_id" in str(err.value)


def test_huge_header_refused(store, data_dir):
    (data_dir / "wide.csv").write_text(",".join(f"c{i}" for i in range(100_000)) + "\n1\n")
    with pytest.raises(InputFileError, match="100,000 columns"):
        load_file(store, "crm", data_dir / "wide.csv")


def test_huge_field_rejected_not_hung(store, data_dir):
    big = "x" * (10 * 1024 * 1024)
    (data_dir / "big.csv").write_text(f"source_key,first_name\nK1,{big}\nK2,Ok\n")
    r = load_file(store, "crm", data_dir / "big.csv")
    assert r.rows_loaded == 1 and r.rows_rejected == 1
    raw = q(store, "SELECT length(raw) AS n FROM rejects")[0]["n"]
    assert raw <= 10_000


def test_failed_load_rolls_back(store, data_dir, monkeypatch):
    import workbench.ingest.load as loader

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "_apply", boom)
    with pytest.raises(RuntimeError):
        load_file(store, "orders", data_dir / "orders.csv")
    assert q(store, "SELECT count(*) AS n FROM rejects")[0]["n"] == 0
    assert q(store, "SELECT count(*) AS n FROM transactions")[0]["n"] == 0


def test_preview_applies_mapping(store, data_dir):
    p = preview(store, "web", data_dir / "web_1.csv", limit=3)
    assert p["mapping"]["source_key"] == "visitor_id"
    assert len(p["rows"]) == 3 and p["rows"][0]["source_key"] == "W1"


def test_toml_errors_name_source_key_and_line(tmp_path):
    bad = tmp_path / "s.toml"
    bad.write_text('[sources.web]\nkind = "people"\ncadence = "daily"\ncadance = "x"\n')
    with pytest.raises(ConfigError) as err:
        parse_sources_toml(bad)
    msg = str(err.value)
    assert "'web'" in msg and "'cadance'" in msg and ":4:" in msg and "cadence" in msg
    bad.write_text('[sources.web]\nkind = "people"\ncadence = "fortnightly"\n')
    with pytest.raises(ConfigError, match="fortnightly"):
        parse_sources_toml(bad)
    bad.write_text('[sources.web\nkind = "people"\n')
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_sources_toml(bad)
    bad.write_text('[sources.s]\nkind = "suppression"\ncadence = "36h"\nchannel = "fax"\nmatch_on = "email"\n')
    with pytest.raises(ConfigError, match="'channel'"):
        parse_sources_toml(bad)


def test_cadence_defaults(tmp_path):
    f = tmp_path / "s.toml"
    f.write_text('[sources.a]\nkind = "events"\ncadence = "36h"\n[sources.b]\nkind = "people"\ncadence = "weekly"\n'
                 'warn_after = "8d"\nerror_after = "15d"\n')
    a, b = parse_sources_toml(f)
    assert (a.cadence_s, a.warn_after_s, a.error_after_s) == (36 * 3600, 54 * 3600, 108 * 3600)
    assert (b.warn_after_s, b.error_after_s) == (8 * 86400, 15 * 86400)
    clock.set_now(None)


def test_derived_addresses_and_golden_on_first_use(store, data_dir):
    from workbench.ingest.derived import ensure_derived, pending_work

    load_file(store, "crm", data_dir / "crm.csv")
    with store.transaction() as conn:
        assert pending_work(conn) == (3, 3)
        assert ensure_derived(conn) == 3
        assert pending_work(conn) == (0, 0)
        assert ensure_derived(conn) == 0
    c1 = q(store, "SELECT p.* FROM persons p JOIN person_records pr USING (person_id) JOIN records r USING (record_id) "
                  "WHERE r.source_key = 'C1'")[0]
    assert c1["addr_key"] and c1["addr_key"].endswith("|02134") and c1["email"] == "bob.smith@example.com"
    assert c1["golden_from"]["address"] is not None and c1["record_count"] == 1
    assert q(store, "SELECT count(*) AS n FROM persons")[0]["n"] == 3


def test_keep_when_and_people_source_round_trip(tmp_path):
    from workbench.ingest.sources import get_source, save_sources, source_from_dict
    from workbench.store import Store

    s = Store(tmp_path / "k.duckdb")
    src = source_from_dict("bounces", {"kind": "suppression", "cadence": "daily", "channel": "email",
                                       "match_on": "email", "keep_when": {"bounce_type": ["hard"]}})
    orders = source_from_dict("orders", {"kind": "transactions", "cadence": "daily", "people_source": "crm"})
    with s.transaction() as conn:
        save_sources(conn, [src, orders])
    with s.connect(read_only=True) as conn:
        assert get_source(conn, "bounces").keep_when == {"bounce_type": ["hard"]}
        assert get_source(conn, "orders").people_source == "crm"
    (tmp_path / "b.csv").write_text("email,bounce_type\na@x.com,hard\nb@x.com,soft\nc@x.com,HARD\n")
    r = load_file(s, "bounces", tmp_path / "b.csv")
    assert r.rows_loaded == 2 and r.rows_rejected == 1
    assert r.top_reasons[0][0] == "filtered by keep_when"


def test_a_file_loaded_into_the_wrong_source_is_named_as_the_other_sources(store, data_dir):
    """The web sign-ups extract loaded into 'orders' says it looks like source 'web', instead of suggesting
    a mapping that would load people as transactions; nothing is loaded."""
    with pytest.raises(InputFileError) as caught:
        load_file(store, "orders", data_dir / "web_1.csv")
    assert "looks like an extract of source 'web'" in str(caught.value)
    assert "workbench load web" in str(caught.value)
    with pytest.raises(InputFileError, match="looks like an extract of source 'web'"):
        preview(store, "orders", data_dir / "web_1.csv")
    with store.connect(read_only=True) as conn:
        assert scalar(conn, "SELECT count(*) FROM transactions") == 0


def test_columns_over_absent_fields_fold_to_typed_nulls(store):
    """A suppression list matched on phone has no name or address: those columns are plain typed NULLs in the
    load's SQL (the address macros cost ~35 ms each to bind, even over NULL), with the same types and values
    as the macros give."""
    from workbench.ingest.derive import constant_folder, derivation
    from workbench.ingest.sources import get_source

    with store.connect() as conn:
        source = get_source(conn, "dnc")
        mapping = {"area_code": "area_code", "phone": "phone"}
        plain = derivation(source, mapping, ["area_code", "phone"])
        folded = derivation(source, mapping, ["area_code", "phone"], fold=constant_folder(conn))
        assert "wb_addr_street" in plain.select.split("AS _reason")[0]
        assert "wb_addr_street" not in folded.select.split(" AS raw")[0]
        assert "wb_phone" in folded.select  # a mapped field keeps its expression
        conn.execute("CREATE TEMP TABLE s AS SELECT '617' AS area_code, '5550101' AS phone, 0 AS _row")
        got = [conn.execute(f"SELECT {d.select} FROM s").fetchall() for d in (plain, folded)]
        types = [[c[1] for c in conn.execute(f"SELECT {d.select} FROM s").description] for d in (plain, folded)]
        assert got[0] == got[1] and types[0] == types[1]
