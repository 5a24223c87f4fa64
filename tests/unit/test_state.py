"""FleetState: status transitions, staleness and recovery, registry policy, counters."""

import math

import pytest
from factories import ManualClock, make_unit, tel

from fleet.errors import UnknownUnitError
from fleet.eta import rank_by_eta
from fleet.events import Alert, StatusChanged, UnitRegistered
from fleet.model import LinkState, UnitKind, UnitStatus
from fleet.state import REORDER_WINDOW_S, FleetState


class Recorder:
    def __init__(self):
        self.changed: list[str] = []
        self.events: list = []

    def unit_changed(self, unit_id):
        self.changed.append(unit_id)

    def emit(self, event):
        self.events.append(event)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]


@pytest.fixture
def rec():
    return Recorder()


@pytest.fixture
def state(rec):
    units = [make_unit("car-1"), make_unit("drone-1", UnitKind.DRONE, mavlink="1:1")]
    return FleetState(units, listener=rec, wall=ManualClock(1.7e9))


def test_never_heard_unit_is_lost_without_alert(state, rec):
    assert state.status("car-1") is UnitStatus.LOST
    assert state.link_state("car-1") is LinkState.NEVER_SEEN
    assert state.check_staleness(now=1e6) == []
    assert rec.events == []


def test_first_report_makes_unit_available(state, rec):
    state.ingest("car-1", tel(26.9, 112.6, ground_speed_m_s=4.0), now=10.0, link="mqtt")
    snap = state.snapshot("car-1")
    assert snap.status is UnitStatus.AVAILABLE
    assert snap.link_state is LinkState.OK
    assert snap.link == "mqtt"
    assert snap.telemetry.lat_deg == 26.9
    [change] = rec.of(StatusChanged)
    assert (change.old, change.new, change.reason) == (UnitStatus.LOST, UnitStatus.AVAILABLE,
                                                        "first report")
    assert rec.of(Alert) == []  # first contact is not a recovery
    assert rec.changed == ["car-1"]


def test_stale_unit_becomes_lost_with_alert_then_recovers(state, rec):
    state.ingest("car-1", tel(), now=10.0)
    state.set_status("car-1", UnitStatus.EN_ROUTE, "incident 7")
    rec.events.clear()
    # patrol car timeout is 10 s: not yet at 20.0, lost just after
    assert state.check_staleness(now=20.0) == []
    assert state.check_staleness(now=20.01) == ["car-1"]
    assert state.status("car-1") is UnitStatus.LOST
    assert state.link_state("car-1") is LinkState.LOST
    [lost] = rec.of(StatusChanged)
    assert (lost.old, lost.new) == (UnitStatus.EN_ROUTE, UnitStatus.LOST)
    [alert] = rec.of(Alert)
    assert alert.code == "unit.lost" and alert.unit_id == "car-1"
    assert "no telemetry for 10.0 s (timeout 10 s)" in alert.message
    # lost once: no repeated alerts while it stays silent
    assert state.check_staleness(now=60.0) == []
    rec.events.clear()
    state.ingest("car-1", tel(), now=61.0)
    # it comes back to what it was doing, not to "available"
    assert state.status("car-1") is UnitStatus.EN_ROUTE
    [back] = rec.of(StatusChanged)
    assert (back.old, back.new) == (UnitStatus.LOST, UnitStatus.EN_ROUTE)
    assert [a.code for a in rec.of(Alert)] == ["unit.recovered"]


def test_staleness_uses_each_kinds_timeout(state):
    state.ingest("car-1", tel(), now=0.0)
    state.ingest("drone-1", tel(), now=0.0)
    assert state.check_staleness(now=6.0) == ["drone-1"]  # drones: 5 s (GCS failsafe)
    assert state.check_staleness(now=11.0) == ["car-1"]  # cars: 10 s


def test_status_changes_while_lost_apply_on_recovery(state, rec):
    state.ingest("car-1", tel(), now=0.0)
    state.check_staleness(now=100.0)
    rec.events.clear()
    state.set_status("car-1", UnitStatus.OUT_OF_SERVICE, "workshop")
    assert state.status("car-1") is UnitStatus.LOST
    assert rec.of(StatusChanged) == []
    state.ingest("car-1", tel(), now=101.0)
    assert state.status("car-1") is UnitStatus.OUT_OF_SERVICE


def test_set_status_emits_once_and_rejects_lost(state, rec):
    state.ingest("car-1", tel(), now=0.0)
    rec.events.clear()
    state.set_status("car-1", UnitStatus.PATROLLING)
    state.set_status("car-1", UnitStatus.PATROLLING)
    assert len(rec.of(StatusChanged)) == 1
    with pytest.raises(ValueError, match="LOST is derived"):
        state.set_status("car-1", UnitStatus.LOST)


def test_counts_follow_effective_status(state):
    state.ingest("car-1", tel(), now=0.0)
    counts = state.counts()
    assert counts[UnitStatus.AVAILABLE] == 1
    assert counts[UnitStatus.LOST] == 1  # drone-1 never heard
    assert sum(counts.values()) == 2


def test_invalid_and_out_of_order_reports_are_counted_not_applied(state):
    state.ingest("car-1", tel(source_time=100.0), now=0.0)
    state.ingest("car-1", tel(lat=91.0), now=0.1)
    state.ingest("car-1", tel(lat=26.0, source_time=99.0), now=0.2)
    assert state.counters.invalid == 1
    assert state.counters.out_of_order == 1
    assert state.telemetry("car-1").source_time == 100.0


def test_one_report_from_the_future_cannot_hide_the_next_ones(state):
    """Issue #14: a report stamped 10 years ahead froze a car for minutes: reports stamped
    earlier are dropped only as late duplicates, within the reorder window."""
    state.ingest("car-1", tel(source_time=1_000.0), now=10.0)
    state.ingest("car-1", tel(lat=26.5, source_time=1_000.0 + 10 * 365 * 86400), now=11.0)
    state.ingest("car-1", tel(lat=26.6, source_time=1_002.0), now=12.0)  # within the window
    assert state.counters.out_of_order == 1
    state.ingest("car-1", tel(lat=26.7, source_time=1_003.0), now=11.0 + REORDER_WINDOW_S)
    assert state.telemetry("car-1").lat_deg == 26.7
    state.ingest("car-1", tel(lat=26.8, source_time=1_004.0), now=14.0)
    assert state.telemetry("car-1").lat_deg == 26.8 and state.counters.out_of_order == 1


def test_unknown_unit_id_raises_typed_error(state):
    with pytest.raises(UnknownUnitError, match="unknown unit 'nope'"):
        state.ingest("nope", tel(), now=0.0)
    with pytest.raises(UnknownUnitError):
        state.snapshot("nope")


def test_resolve_rejects_unknown_addresses_and_counts_each(state, rec):
    assert state.resolve("mavlink", "1:1") == "drone-1"
    assert state.resolve("mavlink", "9:1", kind=UnitKind.DRONE) is None
    assert state.resolve("mavlink", "9:1", kind=UnitKind.DRONE) is None
    assert state.counters.unknown_rejected == 2
    [alert] = rec.of(Alert)  # one alert per address, not per report
    assert alert.code == "unit.unknown" and "'9:1'" in alert.message


def test_resolve_auto_registers_when_policy_allows(rec):
    state = FleetState([], listener=rec, unknown_units="auto_register")
    uid = state.resolve("mavlink", "7:1", kind=UnitKind.DRONE, callsign="Sparrow")
    assert uid == "mavlink-7-1"
    assert state.unit(uid).kind is UnitKind.DRONE
    assert state.resolve("mavlink", "7:1") == uid
    assert [type(e) for e in rec.events] == [UnitRegistered]
    assert state.counters.auto_registered == 1
    # a link that cannot tell the kind cannot auto-register
    assert state.resolve("mqtt", "x") is None


def test_columns_grow_past_initial_capacity(rec):
    state = FleetState([], listener=rec)
    for i in range(200):
        state.add_unit(make_unit(f"u{i}"))
        state.ingest(f"u{i}", tel(lat=20 + i * 0.01), now=1.0)
    assert state.columns.capacity >= 200
    assert state.counts()[UnitStatus.AVAILABLE] == 200
    assert state.telemetry("u150").lat_deg == pytest.approx(21.5)
    with pytest.raises(ValueError, match="duplicate unit id"):
        state.add_unit(make_unit("u3"))


def test_a_unit_heard_without_a_position_is_heard_but_not_placed(state):
    nan = float("nan")
    state.ingest("drone-1", tel(nan, nan, mode="STABILIZE"), now=1.0)
    assert state.status("drone-1") is UnitStatus.AVAILABLE
    assert state.counters.invalid == 0
    assert math.isnan(state.columns.lat_deg[state.index_of("drone-1")])
    assert rank_by_eta(state.columns, 26.9, 112.6, k=5) == []  # nowhere: never ranked
    state.ingest("drone-1", tel(26.9, 112.6), now=2.0)
    assert len(rank_by_eta(state.columns, 26.9, 112.6, k=5)) == 1
