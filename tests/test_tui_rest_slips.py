"""Small slips of issue 13: "an email" / "an events source" where a word starts with a vowel."""

from __future__ import annotations

from datetime import datetime

import pytest

from workbench.errors import ConfigError
from workbench.ingest.sources import source_from_dict
from workbench.privacy.clocks import _clock


def test_a_mapping_field_unknown_to_an_events_source_reads_an_events_source():
    with pytest.raises(ConfigError) as caught:
        source_from_dict("web", {"kind": "events", "cadence": "daily", "columns": {"colour": "c"}})
    assert "is not a canonical field of an events source" in caught.value.message


@pytest.mark.parametrize("loaded", [None, "never"])
def test_the_email_legal_clock_says_an_email_export(loaded):
    clock = _clock("email_opt_outs", None if loaded is None else "optouts", None, datetime(2026, 11, 24))
    assert "an email export needs" in clock.message and "a email" not in clock.message
