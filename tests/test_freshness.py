from __future__ import annotations

from workbench import clock
from workbench.freshness import exit_code, overall_status, source_freshness
from workbench.ingest.load import load_file


def fresh(store):
    with store.connect(read_only=True) as conn:
        return {f.name: f for f in source_freshness(conn)}


def test_states_under_a_set_clock(store, data_dir):
    clock.set_now("2026-11-20T10:00:00")
    load_file(store, "web", data_dir / "web_1.csv")  # as-of max 2026-11-20 09:00, hourly: warn 1.5h, error 3h
    load_file(store, "crm", data_dir / "crm.csv")  # no as-of: measured on the load time
    f = fresh(store)
    assert f["web"].status == "fresh" and f["web"].measured_on == "as_of"
    assert f["crm"].status == "fresh" and f["crm"].measured_on == "load"
    assert f["orders"].status == "never" and f["dnc"].status == "never"
    clock.set_now("2026-11-20T10:31:00")  # 91 minutes after the as-of
    assert fresh(store)["web"].status == "warn"
    clock.set_now("2026-11-20T12:00:00")  # exactly 3 h: error
    assert fresh(store)["web"].status == "error"
    clock.set_now("2026-11-21T22:01:00")  # crm daily: warn after 36 h from its load at 10:00
    f = fresh(store)
    assert f["crm"].status == "warn"
    assert overall_status(list(f.values())) in ("error", "never")
    assert exit_code(list(f.values())) == 2


def test_volume_anomaly_flags_short_load(store, data_dir):
    header = "source_key,first_name\n"
    for i, n in enumerate([100, 104, 98, 101, 20]):
        clock.set_now(f"2026-11-{10 + i:02d}T08:00:00")
        (data_dir / f"c{i}.csv").write_text(header + "".join(f"K{j},N{j}\n" for j in range(n)))
        load_file(store, "crm", data_dir / f"c{i}.csv")
    f = fresh(store)["crm"]
    assert f.history == [100, 104, 98, 101, 20]
    assert f.volume == "low" and f.status == "warn"
    assert f.median_rows == 100.5


def test_exit_codes():
    from workbench.freshness import SourceFreshness

    def s(status):
        return SourceFreshness("x", "people", "daily", 1, 2, status)

    assert exit_code([s("fresh"), s("fresh")]) == 0
    assert exit_code([s("fresh"), s("warn")]) == 1
    assert exit_code([s("warn"), s("never")]) == 2


def test_thresholds_use_the_units_of_ages():
    """A weekly source's warn threshold (1.5 x 7 days) reads in days beside ages in days, not 252h."""
    from workbench.freshness import format_age, format_interval

    assert format_interval(252 * 3600) == "10.5d" and format_age(13.4 * 86400) == "13.4d"
    assert [format_interval(s) for s in (30 * 60, 90 * 60, 36 * 3600, 3 * 86400)] == ["30m", "1.5h", "36h", "3d"]
