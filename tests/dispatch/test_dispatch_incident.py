"""The incident state machine: every legal path, every illegal step refused unchanged."""

import pytest

from fleet.dispatch.errors import IllegalTransitionError
from fleet.dispatch.incident import (
    AssignmentStatus,
    EventKind,
    IncidentEvent,
    IncidentStatus,
    apply,
    replay,
)

RECEIVED = {"lat": 26.9, "lon": 112.6, "category": "theft", "priority": 3, "zone": "downtown",
            "zone_name": "Downtown", "target_s": 180.0}


def ev(kind, t, unit=None, **data):
    return IncidentEvent(kind, "I1", float(t), "op", unit, data)


def run(*events):
    inc = None
    for e in events:
        inc = apply(inc, e)
    return inc


def received():
    return ev(EventKind.RECEIVED, 0, **RECEIVED)


def test_the_full_closed_loop_with_every_timestamp():
    inc = run(
        received(),
        ev(EventKind.ASSIGNED, 10, "car-1", requirement="1 land (theft)", eta_s=90.0),
        ev(EventKind.ASSIGNED, 11, "air-1"),
        ev(EventKind.ACKNOWLEDGED, 12, "car-1"),
        ev(EventKind.EN_ROUTE, 13, "car-1"),
        ev(EventKind.EN_ROUTE, 20, "air-1"),
        ev(EventKind.ON_SCENE, 100, "car-1"),
        ev(EventKind.ON_SCENE, 130, "air-1"),
        ev(EventKind.CLEARED, 600),
        ev(EventKind.CLOSED, 900, disposition="arrest"),
    )
    assert inc.status is IncidentStatus.CLOSED
    assert (inc.received_at, inc.dispatched_at, inc.en_route_at, inc.on_scene_at,
            inc.cleared_at, inc.closed_at) == (0, 10, 13, 100, 600, 900)
    car, air = inc.assignment("car-1"), inc.assignment("air-1")
    assert (car.assigned_at, car.acknowledged_at, car.en_route_at, car.on_scene_at,
            car.ended_at) == (10, 12, 13, 100, 600)
    assert air.acknowledged_at == 20  # en route implies the unit answered
    assert {a.status for a in inc.assignments} == {AssignmentStatus.RELEASED}
    assert inc.response_s == 100 and inc.target_met


def test_cancel_releases_every_unit_and_is_final():
    inc = run(received(), ev(EventKind.ASSIGNED, 5, "car-1"), ev(EventKind.CANCELLED, 9))
    assert inc.status is IncidentStatus.CANCELLED and inc.cancelled_at == 9
    assert inc.assignment("car-1").status is AssignmentStatus.RELEASED
    for late in (ev(EventKind.ASSIGNED, 10, "car-2"), ev(EventKind.CLEARED, 10),
                 ev(EventKind.ON_SCENE, 10, "car-1"), ev(EventKind.CANCELLED, 10)):
        with pytest.raises(IllegalTransitionError):
            apply(inc, late)


@pytest.mark.parametrize("steps, bad, message", [
    ([], ev(EventKind.CLEARED, 1), "cannot clear when it is received"),
    ([], ev(EventKind.CLOSED, 1), "close follows clear"),
    ([], ev(EventKind.ON_SCENE, 1, "car-1"), "car-1 is not assigned"),
    ([ev(EventKind.ASSIGNED, 1, "car-1")], ev(EventKind.ASSIGNED, 2, "car-1"),
     "car-1 is already assigned"),
    ([ev(EventKind.ASSIGNED, 1, "car-1"), ev(EventKind.FAILED, 2, "car-1")],
     ev(EventKind.ON_SCENE, 3, "car-1"), "car-1 is failed"),
    ([ev(EventKind.ASSIGNED, 1, "car-1"), ev(EventKind.ON_SCENE, 2, "car-1")],
     ev(EventKind.EN_ROUTE, 3, "car-1"), "car-1 is on_scene"),
    ([ev(EventKind.ASSIGNED, 1, "car-1")], ev(EventKind.RECOVERED, 2, "car-1"),
     "car-1 is not lost"),
])
def test_illegal_steps_are_refused_with_a_clear_message(steps, bad, message):
    inc = run(received(), *steps)
    with pytest.raises(IllegalTransitionError, match=message):
        apply(inc, bad)
    assert run(received(), *steps) == inc  # values: nothing was changed


def test_events_before_the_call_and_duplicates_of_it_are_refused():
    with pytest.raises(IllegalTransitionError, match="never received"):
        apply(None, ev(EventKind.ASSIGNED, 1, "car-1"))
    with pytest.raises(IllegalTransitionError, match="already exists"):
        apply(run(received()), received())


def test_failed_unit_is_reassigned_and_the_replacement_tracked():
    inc = run(received(), ev(EventKind.ASSIGNED, 1, "air-1"),
              ev(EventKind.FAILED, 2, "air-1", reason="no COMMAND_ACK"),
              ev(EventKind.REASSIGNED, 3, "air-1", to="air-2"),
              ev(EventKind.ASSIGNED, 3, "air-2", replaces="air-1"))
    old, new = inc.assignment("air-1"), inc.assignment("air-2")
    assert old.status is AssignmentStatus.REASSIGNED and old.replaced_by == "air-2"
    assert old.reason == "no COMMAND_ACK" and old.ended_at == 2
    assert new.replaces == "air-1" and new.status is AssignmentStatus.ASSIGNED


def test_lost_and_recovered_flag_without_ending_the_assignment():
    inc = run(received(), ev(EventKind.ASSIGNED, 1, "car-1"), ev(EventKind.EN_ROUTE, 2, "car-1"),
              ev(EventKind.LOST, 3, "car-1"))
    assert inc.assignment("car-1").lost_at == 3
    assert inc.assignment("car-1").status is AssignmentStatus.EN_ROUTE
    with pytest.raises(IllegalTransitionError, match="already lost"):
        apply(inc, ev(EventKind.LOST, 4, "car-1"))
    inc = apply(inc, ev(EventKind.RECOVERED, 5, "car-1"))
    assert inc.assignment("car-1").lost_at is None


def test_a_unit_may_be_assigned_again_after_release():
    inc = run(received(), ev(EventKind.ASSIGNED, 1, "car-1"), ev(EventKind.RELEASED, 2, "car-1"),
              ev(EventKind.ASSIGNED, 3, "car-1"))
    assert [a.status for a in inc.assignments] == [AssignmentStatus.RELEASED,
                                                   AssignmentStatus.ASSIGNED]


def test_notes_accumulate_until_closed():
    inc = run(received(), ev(EventKind.NOTE, 1, text="suspect in red"))
    assert inc.notes == ("suspect in red",)


def test_replay_rebuilds_many_incidents():
    other = IncidentEvent(EventKind.RECEIVED, "I2", 0.0, "op", data=RECEIVED)
    incs = replay([received(), other, ev(EventKind.ASSIGNED, 1, "car-1")])
    assert incs["I1"].status is IncidentStatus.DISPATCHED
    assert incs["I2"].status is IncidentStatus.RECEIVED
