"""End to end against the drone simulator (20x): call in, drone launched and flown,
arrival detected and stamped, incident cleared and closed, report from the audit."""

from contextlib import closing

from dispatch_helpers import drones_with_dispatch
from pymavlink.dialects.v20 import ardupilotmega as m
from waits import until

from fleet.dispatch import report_render, reports
from fleet.dispatch.audit import open_readonly, select, verify_db
from fleet.dispatch.incident import AssignmentStatus, IncidentStatus
from fleet.model import UnitStatus

SCENE = (26.8955, 112.5880)  # ~280 m north of the drones' roof, downtown (3 min)


def audit_rows(path):
    with closing(open_readonly(path)) as conn:
        return list(select(conn))


async def test_overwatch_call_from_intake_to_report(tmp_path):
    db = tmp_path / "audit.sqlite3"
    async with drones_with_dispatch(1, audit_db=str(db)) as (svc, _sim):
        c = svc.dispatch
        inc = await c.new_incident(*SCENE, "overwatch", notes="crowd at the square")
        assert c.recommend(inc.id).unit_ids == ("air-1",)
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 30)
        a = c.incident(inc.id).assignment("air-1")
        assert a.acknowledged_at <= a.en_route_at <= a.on_scene_at
        tel = svc.state.telemetry("air-1")
        assert (tel.relative_alt_m or 0) > 30  # it flew there at the safe altitude
        assert svc.state.status("air-1") is UnitStatus.ON_SCENE
        await until(svc, lambda: any(r.kind == "command.sent" and r.data["command"] == "orbit"
                                     for r in audit_rows(db)), 10)
        await c.clear(inc.id)
        await until(svc, lambda: svc.state.telemetry("air-1").mode == "RTL", 10)
        assert svc.state.status("air-1") is UnitStatus.RETURNING
        await until(svc, lambda: svc.state.status("air-1") is UnitStatus.AVAILABLE, 30)
        await c.close(inc.id, disposition="dispersed")
        # landed by RTL, it keeps that mode on the pad, where ArduCopter will not arm:
        # the next call must still get it airborne
        again = await c.new_incident(*SCENE, "overwatch")
        await c.dispatch(again.id)
        await c.wait_for(lambda: c.incident(again.id).status is IncidentStatus.EN_ROUTE, 30)
        await c.cancel(again.id, reason="caller rang back: all calm")
    rows = audit_rows(db)
    with closing(open_readonly(db)) as conn:
        assert verify_db(conn).ok
    sent = [r.data["command"] for r in rows if r.kind == "command.sent"]
    assert sent[:3] == ["arm", "takeoff", "goto"] and "orbit" in sent
    assert sent.count("arm") == 2 and sent.count("return_to_launch") == 2
    assert sent[-1] == "return_to_launch"
    report = reports.build(rows, rows[0].time - 1, rows[-1].time + 1)
    overall = report.groups[0]
    assert overall.reached == 1 and overall.within_target == 1.0
    assert overall.total.max == a.on_scene_at - inc.received_at
    text = report_render.text(report)
    assert "Downtown / overwatch" in text and "air-1" in text


async def test_drone_that_never_acks_is_replaced_by_the_next(tmp_path):
    async with drones_with_dispatch(2) as (svc, sim):
        c = svc.dispatch
        sim.instances[0].ignore_command(m.MAV_CMD_COMPONENT_ARM_DISARM)
        inc = await c.new_incident(*SCENE, "overwatch")
        await c.dispatch(inc.id, ["air-1"])
        await c.wait_for(lambda: c.incident(inc.id).assignment("air-1").status
                         is AssignmentStatus.FAILED, 20)
        failed = c.incident(inc.id).assignment("air-1")
        assert "no COMMAND_ACK" in failed.reason and failed.acknowledged_at is None
        # the failure is recorded first; the unit's status and the proposal follow it
        await c.wait_for(lambda: inc.id in c.proposals, 10)
        assert svc.state.status("air-1") is UnitStatus.OUT_OF_SERVICE
        assert c.proposals[inc.id].unit_ids == ("air-2",)
        await c.reassign(inc.id, "air-1")
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 30)
        assert c.incident(inc.id).assignment("air-2").status is AssignmentStatus.ON_SCENE


async def test_a_drone_released_before_it_left_the_pad_is_not_sent_home(tmp_path):
    """Nothing to fly home; an RTL on the pad would only leave it in a mode ArduCopter
    refuses to arm in."""
    db = tmp_path / "audit.sqlite3"
    async with drones_with_dispatch(1, audit_db=str(db)) as (svc, sim):
        c = svc.dispatch
        sim.instances[0].ignore_command(m.MAV_CMD_COMPONENT_ARM_DISARM)  # stays on the pad
        inc = await c.new_incident(*SCENE, "overwatch")
        await c.dispatch(inc.id)
        await c.cancel(inc.id, reason="duplicate call")
        await until(svc, lambda: svc.state.status("air-1") is UnitStatus.AVAILABLE, 10)
        assert svc.state.telemetry("air-1").mode != "RTL"
    sent = [r.data["command"] for r in audit_rows(db) if r.kind == "command.sent"]
    assert "return_to_launch" not in sent
