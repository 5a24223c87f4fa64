"""What a restart does with each cut sequence (fleet.dispatch.recovery), pure: where the
audit says each assignment stopped, and the decision from that and the telemetry now."""

import pytest

from fleet.dispatch.chain import AuditRecord
from fleet.dispatch.incident import AssignmentStatus as A
from fleet.dispatch.recovery import Do, Now, Step, describe, last_steps, plan


def row(kind, unit="air-1", incident="INC-1", **data):
    return AuditRecord(1, 0.0, "system", kind, incident, unit, data, "", "")


def test_last_steps_follow_each_assignment_and_restart_at_a_new_one():
    rows = [row("unit.assigned"), row("command.sent", command="arm"),
            row("command.acked", command="arm"), row("unit.acknowledged"),
            row("command.sent", command="takeoff"), row("command.acked", command="takeoff"),
            row("command.sent", "car-1", command="goto"),  # not assigned: ignored
            row("command.sent", None, None, command="return_to_launch"),
            row("unit.assigned", incident="INC-2")]
    steps = last_steps(rows)
    assert steps[("INC-1", "air-1")] == Step("takeoff", "acked")
    assert steps[("INC-2", "air-1")] == Step()
    assert ("INC-1", "car-1") not in steps
    assert describe(A.ACKNOWLEDGED, Step("takeoff", "acked")) == "takeoff acked"
    assert describe(A.ASSIGNED, Step()) == "assigned, nothing sent"
    assert describe(A.ON_SCENE, Step("orbit", "sent")) == "on scene, orbit sent"


HOVER = Now(True, 40.0, "GUIDED")
PAD = Now(False, 0.0, "STABILIZE")


@pytest.mark.parametrize(("status", "step", "now", "do"), [
    # before the takeoff was acknowledged: the sequence had not lifted it
    (A.ASSIGNED, Step(), PAD, Do.RELAUNCH),
    (A.ASSIGNED, Step("arm", "sent"), PAD, Do.RELAUNCH),
    (A.ACKNOWLEDGED, Step("arm", "acked"), PAD, Do.RELAUNCH),
    (A.ACKNOWLEDGED, Step("arm", "acked"), Now(True, 0.0, "STABILIZE"), Do.TAKEOFF),
    (A.ACKNOWLEDGED, Step("arm", "acked"), Now(True, 0.0, "RTL"), Do.FLAG),
    (A.ACKNOWLEDGED, Step("takeoff", "sent"), HOVER, Do.CLIMB),
    (A.ACKNOWLEDGED, Step("takeoff", "sent"), Now(True, 3.0, "GUIDED"), Do.FLAG),
    # the probe: takeoff acked, killed before the goto; hovering over its base
    (A.ACKNOWLEDGED, Step("takeoff", "acked"), HOVER, Do.CLIMB),
    (A.ACKNOWLEDGED, Step("takeoff", "acked"), Now(True, 12.0, "RTL"), Do.FLAG),
    (A.ACKNOWLEDGED, Step("takeoff", "acked"), PAD, Do.FLAG),  # landed: not relaunched
    (A.ACKNOWLEDGED, Step("goto", "sent"), HOVER, Do.GOTO),
    (A.ACKNOWLEDGED, Step("goto", "cancelled"), HOVER, Do.GOTO),
    (A.ACKNOWLEDGED, Step("goto", "sent"), Now(True, 40.0, "BRAKE"), Do.FLAG),
    (A.EN_ROUTE, Step("goto", "acked"), HOVER, Do.WATCH),
    (A.EN_ROUTE, Step("goto", "acked"), Now(True, 30.0, "LAND"), Do.FLAG),
    (A.ON_SCENE, Step("goto", "acked"), HOVER, Do.ORBIT),
    (A.ON_SCENE, Step("orbit", "acked"), Now(False, 0.0, "RTL"), Do.FLAG),
    (A.ACKNOWLEDGED, Step("takeoff", "failed"), HOVER, Do.FLAG),
    (A.ACKNOWLEDGED, Step("takeoff", "acked"), None, Do.FLAG),  # not heard
    (A.ACKNOWLEDGED, Step("takeoff", "acked"), Now(None, 40.0, "GUIDED"), Do.FLAG),
])
def test_aircraft_are_resumed_only_where_the_telemetry_bears_the_step_out(
        status, step, now, do):
    p = plan(True, status, step, now)
    assert p.do is do, p
    assert p.step == describe(status, step)


def test_ground_units_get_their_goto_again_unless_already_on_their_way():
    assert plan(False, A.ASSIGNED, Step("goto", "sent"), Now()).do is Do.GOTO
    assert plan(False, A.ACKNOWLEDGED, Step("goto", "acked"), Now()).do is Do.GOTO
    assert plan(False, A.EN_ROUTE, Step("goto", "acked"), None).do is Do.WATCH
    assert plan(False, A.ON_SCENE, Step("goto", "acked"), None).do is Do.WATCH
    flagged = plan(False, A.ASSIGNED, Step("goto", "sent"), None)
    assert flagged.do is Do.FLAG and "not heard since the restart" in flagged.why
