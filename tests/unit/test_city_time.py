"""One time zone, the city's: shown and read the same whatever the machine's zone is."""

import datetime as dt
import os
import time

import pytest

from fleet.city_time import CITY_TZ, clock, local, to_unix
from fleet.cli.dispatch import parse_time
from fleet.dispatch import explain

# 2025-06-01 17:30:05 UTC is 2025-06-02 01:30:05 in Hengyang (UTC+8)
INSTANT = dt.datetime(2025, 6, 1, 17, 30, 5, tzinfo=dt.UTC).timestamp()


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Shanghai"])
def machine_zone(request, monkeypatch):
    """Run with the machine's own zone set to something else (a server in UTC...)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def test_times_are_the_citys_whatever_the_machine_says(machine_zone):
    assert clock(INSTANT) == "01:30:05"
    assert explain.clock(INSTANT) == "01:30:05"
    assert local(INSTANT).date() == dt.date(2025, 6, 2)  # the city's day for incident ids
    assert os.environ["TZ"] == machine_zone


def test_typed_times_are_read_as_city_time(machine_zone):
    assert parse_time("2025-06-02T01:30:05") == INSTANT
    assert parse_time("2025-06-01T17:30:05+00:00") == INSTANT
    assert to_unix(dt.datetime(2025, 6, 2, 1, 30, 5)) == INSTANT
    assert local(INSTANT).utcoffset() == CITY_TZ.utcoffset(local(INSTANT))
