"""The console's pure parts, without a screen: model, alert book, table rows, commands."""

from __future__ import annotations

import dataclasses
import math

import pytest
from fake_service import FakeBatch, FakeService

from fleet.commands import (
    Arm,
    Disarm,
    Hold,
    Orbit,
    Patrol,
    PauseMission,
    SetStatus,
    StartMission,
)
from fleet.events import (
    Alert,
    ConnectionState,
    LinkStatusChanged,
    Severity,
    UnitRegistered,
    UnitSnapshot,
)
from fleet.links.mavlink.dialect import mavlink2 as m
from fleet.links.mavlink.modes import needs_pilot
from fleet.model import LinkState, Telemetry, UnitStatus
from tui.alert_book import AlertBook
from tui.cells import sparkline
from tui.command_plans import (
    MODE_SUGGESTIONS,
    OVERWATCH_RADIUS_M,
    SPEC_BY_NAME,
    parse_altitude,
    parse_mode,
    parse_point,
    plan,
)
from tui.model import BatteryTrend, ConsoleModel
from tui.table_rows import Filter, RowOrder, row_cells


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    s.report("air-1", battery_pct=80.0, relative_alt_m=0.0, armed=False, mode="LOITER")
    s.report("air-2", battery_pct=40.0, relative_alt_m=30.0, armed=True, mode="GUIDED")
    s.report("rp02-pc1", battery_pct=60.0, ground_speed_m_s=5.0)
    return s


def snaps(svc: FakeService) -> dict[str, UnitSnapshot]:
    return {s.id: s for s in svc.snapshots()}


# -- model ---------------------------------------------------------------------------------
def test_battery_trend_keeps_one_reading_per_period_and_a_bounded_window() -> None:
    trend = BatteryTrend(size=3, every_s=5.0)
    assert trend.add(90.0, 0.0) and not trend.add(89.0, 4.9)
    assert not trend.add(math.nan, 10.0) and not trend.add(None, 10.0)
    for i, pct in enumerate((88.0, 87.0, 86.0)):
        assert trend.add(pct, 10.0 + 5 * i)
    assert list(trend.values) == [88.0, 87.0, 86.0]


def test_model_applies_batches_and_reports_what_changed(svc: FakeService) -> None:
    model = ConsoleModel()
    model.load(svc.snapshots(), [Alert(1.0, Severity.INFO, "x", "history")])
    first = model.take_changes()
    assert first.units == set(snaps(svc)) and first.alerts and first.links
    assert not model.take_changes()
    alert = Alert(2.0, Severity.WARNING, "unit.lost", "Eagle 2: lost", unit_id="air-2")
    missing = model.apply(FakeBatch(
        [alert, LinkStatusChanged("mqtt", ConnectionState.FAILED, 2.0),
         UnitRegistered("mqtt-x9", 2.0)], [svc.snapshot("air-1")]), wall=2.0)
    assert missing == ["mqtt-x9"]
    changes = model.take_changes()
    assert changes.units == {"air-1", "air-2"}  # air-2: its detail lists the alert
    assert changes.alerts and changes.links
    model.apply(FakeBatch([], [], dropped_events=7), wall=3.0)
    assert "7 events dropped" in model.alerts.entries[-1].alert.message


def test_targets_are_the_marked_units_else_the_cursor(svc: FakeService) -> None:
    model = ConsoleModel()
    model.load(svc.snapshots())
    assert model.targets("air-1").ids == ("air-1",) and not model.targets("nope")
    model.toggle_mark("rp02-pc1")
    model.toggle_mark("air-2")
    assert model.targets("air-1").ids == ("air-2", "rp02-pc1")
    assert not model.toggle_mark("air-2")


def test_low_battery_is_one_line_per_level_until_recharged(svc: FakeService) -> None:
    model = ConsoleModel()
    model.load(svc.snapshots())
    for pct in (29.0, 28.0, 14.0, 12.0, 20.0, 40.0, 25.0):
        model.apply(FakeBatch([], [svc.report("rp02-pc1", battery_pct=pct)]), wall=1.0)
        # an aircraft's battery is the core's alert, and only in the air (battery_watch)
        model.apply(FakeBatch([], [svc.report("air-1", battery_pct=pct)]), wall=1.0)
    name = svc.snapshot("rp02-pc1").unit.callsign
    lines = [e.alert.message for e in model.alerts.entries if e.alert.code == "console.battery"]
    assert lines == [f"{name}: battery low (29 %)", f"{name}: battery critical (14 %)",
                     f"{name}: battery low (25 %)"]


def test_links_connecting_are_logged_but_not_their_start(svc: FakeService) -> None:
    """(Going down is the core's alert, link.down: tests/core/test_service_links.py.)"""
    model = ConsoleModel()
    model.apply(FakeBatch([
        LinkStatusChanged("mqtt", ConnectionState.DISCONNECTED, 1.0, "starting"),
        LinkStatusChanged("mqtt", ConnectionState.CONNECTING, 1.0),
        LinkStatusChanged("mqtt", ConnectionState.CONNECTED, 2.0),
        LinkStatusChanged("mqtt", ConnectionState.DISCONNECTED, 3.0, "broker went away"),
    ], []), wall=3.0)
    assert [e.alert.message for e in model.alerts.entries] == ["link mqtt connected"]


# -- alert book ---------------------------------------------------------------------------
def test_alert_book_acknowledges_filters_and_merges_repeated_failures() -> None:
    book = AlertBook(max_entries=4)
    book.add(Alert(1.0, Severity.INFO, "mission.reached", "air-1: reached 2", unit_id="air-1"))
    book.add(Alert(1.5, Severity.NOTICE, "unit.recovered", "Eagle 2: telemetry back"))
    fail = Alert(2.0, Severity.WARNING, "command.failed", "air-1: goto failed: no", "air-1")
    book.add(fail)
    assert not book.add(dataclasses.replace(fail, time=2.5, code="console.command"))  # ours
    assert book.add(dataclasses.replace(fail, time=40.0, code="console.command"))
    assert book.unseen() == 2  # warning and worse: the notice needs no acknowledgement
    book.acknowledge(book.entries[1].seq)
    assert book.unseen() == 1 and book.acknowledge_all() == 2 and book.unseen() == 0
    assert book.set_level(2) == "warning+"
    assert [e.alert.code for e in book.shown()] == ["command.failed", "console.command"]
    assert [a.message for a in book.for_unit("air-1", 5)] == [  # the unit's own log
        "air-1: reached 2", "air-1: goto failed: no", "air-1: goto failed: no"]
    for i in range(5):
        book.add(Alert(50.0 + i, Severity.ERROR, "x", f"m{i}"))
    assert len(book.entries) == 4


# -- table rows -----------------------------------------------------------------------------
def test_filter_words_fields_and_alternatives(svc: FakeService) -> None:
    units = snaps(svc)
    shown = lambda text: sorted(u for u, s in units.items() if Filter.parse(text).matches(s))  # noqa: E731
    assert shown("kind:drone") == ["air-1", "air-2"]
    assert shown("kind:boat,heli") == ["boat-pb1", "heli-1"]
    assert shown("status:not_heard") == ["boat-pb1", "heli-1", "rp02-mc1", "rp02-pc2"]
    assert shown("group:rp02 status:available") == ["rp02-pc1"]
    assert shown("eagle guided") == ["air-2"]  # words match callsign, mode, ...
    assert not Filter.parse("") and Filter.parse("x").volatile


def test_sort_puts_missing_values_last_both_ways(svc: FakeService) -> None:
    units = snaps(svc)
    order = RowOrder()
    order.sort_by("battery")
    order.recompute(units, 1000.0)
    assert order.ids[:3] == ["air-2", "rp02-pc1", "air-1"]
    order.sort_by("battery")  # the same column again: reversed
    assert order.reverse
    order.recompute(units, 1000.0)
    assert order.ids[:3] == ["air-1", "rp02-pc1", "air-2"]
    assert set(order.ids[3:]) == {"heli-1", "boat-pb1", "rp02-pc2", "rp02-mc1"}
    assert order.next_sort() == "speed" and not order.reverse
    with pytest.raises(ValueError):
        order.sort_by("nope")


def test_row_cells_tolerate_odd_telemetry(svc: FakeService) -> None:
    unit = svc.snapshot("air-1").unit
    odd = Telemetry(0.0, 0.0, 0.0, alt_m=math.nan, ground_speed_m_s=math.inf,
                    battery_pct=None, mode="")
    for tel, seen, shown_age in ((None, None, "—"), (odd, 1.0, "4s"), (odd, math.nan, "—")):
        snap = UnitSnapshot(unit, UnitStatus.AVAILABLE, UnitStatus.AVAILABLE, LinkState.OK,
                            None, tel, seen)
        assert [cell.text for cell in row_cells(snap, 5.0)][4:] == ["—"] * 5 + [shown_age]


def test_sparkline_scales_and_blanks_odd_values() -> None:
    assert sparkline([0, 50, 100, math.nan]) == "▁▅█ "
    assert sparkline([1, 2], lo=5, hi=5) == ""


# -- commands ------------------------------------------------------------------------------
def test_plans_say_exactly_what_goes_where_and_when_to_ask(svc: FakeService) -> None:
    units = snaps(svc)
    one = plan(SPEC_BY_NAME["arm"], [units["air-1"]])
    assert one.sends[0].command == Arm() and not one.dangerous
    two = plan(SPEC_BY_NAME["arm"], [units["air-1"], units["air-2"], units["rp02-pc1"]])
    assert two.describe() == ["Arm → Eagle 1 (air-1), Eagle 2 (air-2)"]
    assert two.dangers == ("this goes to 2 units",)
    assert two.skipped == (("RP02 Car 1", "arm is for aircraft only"),)
    flying = plan(SPEC_BY_NAME["disarm"], [units["air-2"]])
    assert flying.sends[0].command == Disarm()
    assert flying.dangers == ("Eagle 2 is flying (30 m up): disarming stops its motors",)
    assert plan(SPEC_BY_NAME["force_arm"], [units["air-1"]]).dangerous
    assert not plan(SPEC_BY_NAME["disarm"], [units["air-1"]]).dangerous


def test_status_is_set_in_fleet_and_sent_to_crews(svc: FakeService) -> None:
    units = snaps(svc)
    p = plan(SPEC_BY_NAME["status"], [units["air-1"], units["rp02-pc1"]], UnitStatus.ON_SCENE)
    assert p.local == (("air-1", "Eagle 1"), ("rp02-pc1", "RP02 Car 1"))
    assert p.status is UnitStatus.ON_SCENE
    assert [(s.unit_id, s.command) for s in p.sends] == [
        ("rp02-pc1", SetStatus(UnitStatus.ON_SCENE))]
    assert p.describe()[0].startswith("set status on_scene in fleet → Eagle 1 (air-1)")


def test_patrol_is_a_mission_for_drones_and_a_route_for_vehicles(svc: FakeService) -> None:
    units = snaps(svc)
    route = ((26.89, 112.59), (26.90, 112.60))
    start = plan(SPEC_BY_NAME["patrol"], [units["air-1"], units["rp02-pc1"]],
                 route_for=lambda s: route)
    assert [s.command for s in start.sends] == [StartMission(), Patrol(route)]
    nowhere = plan(SPEC_BY_NAME["patrol"], [units["rp02-pc1"]])
    assert nowhere.empty and nowhere.skipped == (("RP02 Car 1", "no patrol route known for it"),)
    stop = plan(SPEC_BY_NAME["stop_patrol"], [units["air-1"], units["rp02-pc1"]])
    assert [s.command for s in stop.sends] == [PauseMission(), Hold()]


def test_overwatch_circles_the_point_with_flying_aircraft_only(svc: FakeService) -> None:
    units = snaps(svc)
    p = plan(SPEC_BY_NAME["overwatch"], [units["air-1"], units["air-2"], units["rp02-pc1"]],
             (26.9, 112.6))
    assert [(s.unit_id, s.command) for s in p.sends] == [
        ("air-2", Orbit(26.9, 112.6, OVERWATCH_RADIUS_M, None))]
    assert p.skipped == (("Eagle 1", "not flying: take off first"),
                         ("RP02 Car 1", "overwatch (pick on map) is for aircraft only"))
    typed = plan(SPEC_BY_NAME["overwatch_typed"], [units["air-2"]], (26.9, 112.6, 45.0))
    assert typed.sends[0].command == Orbit(26.9, 112.6, OVERWATCH_RADIUS_M, 45.0)


def test_mode_suggestions_need_no_pilot() -> None:
    assert not any(needs_pilot(m.MAV_AUTOPILOT_ARDUPILOTMEGA, m.MAV_TYPE_QUADROTOR, name)
                   for name in MODE_SUGGESTIONS)


def test_typed_values_are_checked_with_messages_an_operator_can_act_on() -> None:
    assert parse_altitude(" 30 m") == 30.0
    assert parse_point("26.9 112.6") == (26.9, 112.6)
    assert parse_point("26.9,112.6, 40") == (26.9, 112.6, 40.0)
    assert parse_mode(" loiter ") == "LOITER"
    for parse, text, message in (
        (parse_altitude, "high", "type a height"), (parse_altitude, "0.5", "must be 1 to"),
        (parse_point, "26.9", "latitude, longitude"), (parse_point, "95, 10", "-90..90"),
        (parse_point, "1, 2, 900", "altitude must be"), (parse_mode, "no way", "mode name"),
    ):
        with pytest.raises(ValueError, match=message):
            parse(text)


def test_never_heard_units_are_not_heard_not_lost(svc: FakeService) -> None:
    snap = svc.snapshot("heli-1")
    assert row_cells(snap, 1000.0)[3].text == "not heard"
    lost = dataclasses.replace(svc.snapshot("air-1"), status=UnitStatus.LOST,
                               link_state=LinkState.LOST)
    assert {c.style for c in row_cells(lost, 1000.0)} == {"bold red"}
