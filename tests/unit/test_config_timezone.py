"""``[fleet] timezone``: the city's clock comes from the config, and a wrong zone name is
one clear error naming the key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from fleet import city_time
from fleet.city_time import CITY_TZ, DEFAULT_ZONE, clock, local, to_unix, zone_label
from fleet.cli import main
from fleet.config import parse_config
from fleet.errors import ConfigError

# 2025-06-01 17:30:05 UTC: 01:30:05 next day in Hengyang, 19:30:05 in Berlin (summer)
SUMMER = dt.datetime(2025, 6, 1, 17, 30, 5, tzinfo=dt.UTC).timestamp()
WINTER = dt.datetime(2025, 1, 15, 17, 30, 5, tzinfo=dt.UTC).timestamp()


@pytest.fixture(autouse=True)
def city_zone_restored() -> Iterator[None]:
    """Loading a config sets the process's zone: put Hengyang's back for other tests."""
    yield
    city_time.use_zone(DEFAULT_ZONE)


def test_the_default_is_hengyangs_zone_labelled_cst() -> None:
    config = parse_config({"fleet": {"name": "x"}})
    assert config.timezone == DEFAULT_ZONE == "Asia/Shanghai"
    assert clock(SUMMER) == "01:30:05" and zone_label(SUMMER) == "CST"
    assert zone_label(WINTER) == "CST"  # no daylight saving


def test_the_configured_zone_sets_the_clock_the_label_and_typed_times() -> None:
    config = parse_config({"fleet": {"name": "x", "timezone": "Europe/Berlin"}})
    assert config.timezone == "Europe/Berlin" and CITY_TZ.name == "Europe/Berlin"
    assert clock(SUMMER) == "19:30:05" and zone_label(SUMMER) == "CEST"
    assert clock(WINTER) == "18:30:05" and zone_label(WINTER) == "CET"
    assert to_unix(dt.datetime(2025, 6, 1, 19, 30, 5)) == SUMMER  # naive: city time
    assert local(SUMMER).utcoffset() == dt.timedelta(hours=2)
    # a time the clocks skip or repeat is still one instant each way
    repeated = dt.datetime(2025, 10, 26, 2, 30, tzinfo=CITY_TZ)
    assert repeated.utcoffset() != repeated.replace(fold=1).utcoffset()


def test_a_zone_without_an_abbreviation_shows_its_offset() -> None:
    parse_config({"fleet": {"timezone": "Asia/Dubai"}})
    assert zone_label(SUMMER) == "+04"


@pytest.mark.parametrize(("value", "message"), [
    ("Asia/Hengyang", "fleet.timezone: unknown time zone 'Asia/Hengyang'"),
    ("CST+8", "fleet.timezone: unknown time zone"),
    ("../../etc/passwd", "fleet.timezone: unknown time zone"),
    (8, "fleet.timezone: expected a string, got integer 8"),
    ("", "fleet.timezone: expected a non-empty string"),
])
def test_a_wrong_zone_is_an_error_naming_the_key(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match="") as caught:
        parse_config({"fleet": {"timezone": value}})
    assert message in str(caught.value)
    assert CITY_TZ.name == DEFAULT_ZONE  # a refused config changes nothing


def test_check_config_names_the_zone_or_the_bad_key(tmp_path: Path, capsys) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[fleet]\nname = "Berlin"\ntimezone = "Europe/Berlin"\n', encoding="utf-8")
    assert main(["check-config", str(good)]) == 0
    assert "time zone: Europe/Berlin" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[fleet]\ntimezone = "Europe/Berlni"\n', encoding="utf-8")
    assert main(["check-config", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "fleet.timezone: unknown time zone 'Europe/Berlni'" in err
