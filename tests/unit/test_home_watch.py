"""The home-against-base check (fleet/home_watch.py) and its use by FleetState: one alert
per change of side, worded for an operator, with hysteresis; SetHome's shape."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from factories import make_unit

from fleet.commands import SetHome, command_name
from fleet.events import Alert, Severity
from fleet.geo import displace
from fleet.home_watch import (
    AWAY_M,
    BACK_M,
    CODE_AWAY,
    CODE_BACK,
    distance_words,
    from_base_m,
    is_away,
    watch,
)
from fleet.model import Base, Position, UnitKind
from fleet.state import FleetState

AIRPORT = Base("airport", "Airport", Position(26.8930, 112.5880, 95.0))
DRONE = replace(make_unit("air-3", UnitKind.DRONE), callsign="Eagle 3", base=AIRPORT)


def at(north_m: float, east_m: float = 0.0, alt: float = 95.0) -> Position:
    lat, lon = displace(AIRPORT.position.lat_deg, AIRPORT.position.lon_deg, east_m, north_m)
    return Position(lat, lon, alt)


@pytest.mark.parametrize(("metres", "words"), [
    (0.4, "0 m"), (320.0, "320 m"), (999.0, "999 m"), (1234.0, "1.2 km"), (9949.0, "9.9 km"),
    (15400.0, "15 km")])
def test_distances_read_as_an_operator_says_them(metres: float, words: str) -> None:
    assert distance_words(metres) == words


def test_distance_from_base_is_unknown_without_a_base_or_a_point() -> None:
    assert from_base_m(None, at(10)) is None
    assert from_base_m(AIRPORT, None) is None
    assert from_base_m(AIRPORT, Position(math.nan, math.nan)) is None
    assert from_base_m(AIRPORT, at(1200)) == pytest.approx(1200.0, rel=1e-3)


def test_away_has_hysteresis() -> None:
    assert AWAY_M > BACK_M
    assert is_away(None) is None
    assert is_away(AWAY_M - 1) is False and is_away(AWAY_M + 1) is True
    assert is_away(AWAY_M - 5, was_away=True) is True  # still away until within BACK_M
    assert is_away(BACK_M - 1, was_away=True) is False


def test_a_home_first_heard_at_base_says_nothing_and_away_warns() -> None:
    assert watch(DRONE, at(5), None) == (False, None)
    away, news = watch(DRONE, at(1200), None)
    assert away is True and news is not None
    assert (news.severity, news.code) == (Severity.WARNING, CODE_AWAY)
    assert news.message == ("Eagle 3: home is 1.2 km from its base (Airport): RTL would land "
                            "there — set home to base")


def test_one_alert_per_change_of_side() -> None:
    state: bool | None = None
    said = []
    for home in (at(3), at(4), at(1200), at(1250), at(45), at(30), at(20), at(60)):
        state, news = watch(DRONE, home, state)
        said.append(news.code if news else None)
    assert said == [None, None, CODE_AWAY, None, None, CODE_BACK, None, CODE_AWAY]


def test_back_at_base_is_a_notice_and_boats_go_rather_than_land() -> None:
    _, news = watch(DRONE, at(2), True)
    assert news is not None and (news.severity, news.code) == (Severity.NOTICE, CODE_BACK)
    assert news.message == "Eagle 3: home is back at its base (Airport)"
    boat = replace(make_unit("boat-1", UnitKind.PATROL_BOAT), callsign="River 1",
                   base=AIRPORT)
    _, news = watch(boat, at(300), False)
    assert news is not None and "RTL would go there" in news.message


def test_no_base_or_no_home_keeps_the_state() -> None:
    assert watch(replace(DRONE, base=None), at(5000), None) == (None, None)
    assert watch(DRONE, None, True) == (True, None)


class Heard:
    def __init__(self) -> None:
        self.events: list[object] = []
        self.changed: list[str] = []

    def unit_changed(self, unit_id: str) -> None:
        self.changed.append(unit_id)

    def emit(self, event: object) -> None:
        self.events.append(event)


def test_the_state_raises_the_alerts_once_per_change() -> None:
    heard = Heard()
    state = FleetState([DRONE], listener=heard, wall=lambda: 1_800_000_000.0)
    for home in (at(2), at(2), at(1200), at(1200.5), at(1), None, at(1)):
        state.set_home("air-3", home)
    alerts = [e for e in heard.events if isinstance(e, Alert)]
    assert [(a.code, a.severity, a.unit_id) for a in alerts] == [
        (CODE_AWAY, Severity.WARNING, "air-3"), (CODE_BACK, Severity.NOTICE, "air-3")]
    assert state.snapshot("air-3").home == at(1)
    assert heard.changed.count("air-3") == 6  # every new value, not the repeat


def test_set_home_is_a_point_or_here() -> None:
    assert SetHome().here and command_name(SetHome()) == "set_home"
    assert not SetHome(26.9, 112.6).here
    with pytest.raises(ValueError, match="both latitude and longitude"):
        SetHome(26.9, None)
    with pytest.raises(ValueError, match="own altitude"):
        SetHome(alt_amsl_m=95.0)
