"""Honest arrivals: on scene by position, or by the crew's word with its distance kept and
a warning when that is beyond the arrival radius; aircraft arrive by position only."""

from contextlib import closing

import pytest
from dispatch_helpers import ScriptLink, config, haversine_m, running
from mqtt_helpers import ScriptedUnit
from waits import connected, until

from fleet.config import load_config
from fleet.dispatch import reports
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.incident import AssignmentStatus, IncidentStatus
from fleet.events import Alert, Severity, StatusChanged
from fleet.model import LinkState, UnitStatus
from fleet.service import FleetService

SCENE = (26.8800, 112.6000)  # downtown, 3-minute target
DRONE = {"id": "air-1", "callsign": "Eagle 1", "kind": "drone"}
UNITS = [{"id": "cv-1", "callsign": "RP18 Command 1", "kind": "command_vehicle"},
         {"id": "car-1", "callsign": "Car 1", "kind": "patrol_car"}, DRONE]


def north(metres: float) -> tuple[float, float]:
    """A point ``metres`` north of the scene."""
    return SCENE[0] + metres / 111_195.0, SCENE[1]


async def sent(svc, link, unit_id, at, **kw):
    """The unit heard at ``at``, then sent (alone) to a new call at SCENE."""
    link.report(unit_id, *at, battery_pct=80.0, **kw)
    await svc.wait_for_unit(unit_id, timeout=5)
    c = svc.dispatch
    inc = await c.new_incident(*SCENE, "theft")
    await c.dispatch(inc.id, [unit_id])
    await c.wait_for(lambda: c.incident(inc.id).assignment(unit_id).status
                     is AssignmentStatus.EN_ROUTE, 5)
    return inc


def on_scene_alert(svc, unit_id):
    return next(a for a in svc.alerts if a.code == "dispatch.on_scene" and a.unit_id == unit_id)


async def test_inside_the_radius_is_arrival_by_position():
    link = ScriptLink([u["id"] for u in UNITS])
    async with running(config(UNITS), link) as svc:
        c = svc.dispatch
        inc = await sent(svc, link, "car-1", north(400))
        link.report("car-1", *north(22))
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        a = c.incident(inc.id).assignment("car-1")
        assert (a.arrived_by, a.beyond_radius) == ("position", False)
        assert a.arrival_distance_m == pytest.approx(22, abs=1)
        assert a.on_scene_at == svc.state.telemetry("car-1").received_time
        alert = on_scene_alert(svc, "car-1")
        assert alert.severity is Severity.INFO and "(22 m from it)" in alert.message


async def test_goto_completed_beyond_the_radius_counts_but_is_flagged(tmp_path):
    """The demo's case: a command vehicle 102 m away that never moved, "on scene" by its
    crew a second after dispatch."""
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink([u["id"] for u in UNITS])
    async with running(config(UNITS, audit_db=str(db)), link) as svc:
        c = svc.dispatch
        inc = await sent(svc, link, "cv-1", north(102))
        # a set_status completing (a release from an earlier call) says nothing
        link.ctx.alert(Severity.INFO, "command.completed", "cv-1: set_status completed",
                       "cv-1")
        link.ctx.alert(Severity.INFO, "command.completed", "cv-1: goto completed", "cv-1")
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        a = c.incident(inc.id).assignment("cv-1")
        assert (a.arrived_by, a.beyond_radius) == ("crew report", True)
        assert a.arrival_distance_m == pytest.approx(
            haversine_m(*north(102), *SCENE), abs=0.1)
        completed = next(x for x in svc.alerts if x.code == "command.completed"
                         and "goto" in x.message)
        assert a.on_scene_at == completed.time  # the report's time
        alert = on_scene_alert(svc, "cv-1")
        assert alert.severity is Severity.WARNING
        assert "on scene by crew report 102 m from the call, beyond the 50 m radius" in \
            alert.message
    with closing(open_readonly(db)) as conn:
        rows = list(select(conn))
    [row] = [r for r in rows if r.kind == "unit.on_scene"]
    assert row.data["by"] == "crew report" and row.data["report"] == "goto completed"
    report = reports.build(rows, rows[0].time - 1, rows[-1].time + 1)
    overall = report.groups[0]
    assert overall.within_target == 1.0 and overall.within_target_verified == 0.0
    assert overall.first_by_crew_beyond == 1
    [flag] = report.flagged
    assert (flag.incident_id, flag.unit_id, flag.first) == (inc.id, "cv-1", True)


async def test_crew_status_within_the_radius_is_a_verified_crew_report():
    link = ScriptLink([u["id"] for u in UNITS])
    async with running(config(UNITS), link) as svc:
        seen = []
        svc.stream.add_tap(seen.append)
        c = svc.dispatch
        inc = await sent(svc, link, "cv-1", north(300))
        # as the MQTT link delivers a report: its position, then the crew's status
        # (no await between: the supervisor sees both in one batch, the status first)
        link.report("cv-1", *north(33))
        link.ctx.crew_status("cv-1", UnitStatus.ON_SCENE)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        a = c.incident(inc.id).assignment("cv-1")
        assert (a.arrived_by, a.beyond_radius) == ("crew report", False)
        assert a.arrival_distance_m == pytest.approx(33, abs=1)
        status = next(e for e in seen if isinstance(e, StatusChanged)
                      and e.unit_id == "cv-1" and e.new is UnitStatus.ON_SCENE)
        assert a.on_scene_at == status.time
        alert = on_scene_alert(svc, "cv-1")
        assert alert.severity is Severity.INFO
        assert "by crew report 33 m from the call" in alert.message


async def test_aircraft_arrive_by_position_only():
    link = ScriptLink([u["id"] for u in UNITS])
    async with running(config(UNITS), link) as svc:
        c = svc.dispatch
        airborne = {"armed": True, "relative_alt_m": 40.0}
        inc = await sent(svc, link, "air-1", north(500), **airborne)
        # a completed goto and an "on scene" status prove nothing for an aircraft; its
        # position over the scene, in the same batch, does
        link.ctx.alert(Severity.INFO, "command.completed", "air-1: goto completed", "air-1")
        link.ctx.crew_status("air-1", UnitStatus.ON_SCENE)
        link.report("air-1", *north(10), battery_pct=80.0, **airborne)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        a = c.incident(inc.id).assignment("air-1")
        assert a.arrived_by == "position" and a.arrival_distance_m == pytest.approx(10, abs=1)
        assert a.on_scene_at == svc.state.telemetry("air-1").received_time


@pytest.mark.broker
async def test_crew_status_over_mqtt_beyond_the_radius_is_flagged(tmp_path, broker):
    path = tmp_path / "fleet.toml"
    path.write_text(f"""
units = [{{ id = "car-1", callsign = "Car 1", kind = "patrol_car" }}]
[fleet]
name = "Testcity"
[mqtt]
url = "{broker.url}"
keepalive_s = 5
[dispatch]
audit_db = "audit.sqlite3"
ack_timeout_s = 3
cad_intake = false
[[zones]]
id = "downtown"
name = "Downtown"
target_min = 3
polygon = [[26.910, 112.575], [26.910, 112.635], [26.868, 112.635], [26.868, 112.575]]
""", encoding="utf-8")
    async with FleetService(load_config(path)) as svc, ScriptedUnit(broker, "car-1") as car:
        seen: list = []
        svc.stream.add_tap(seen.append)
        await connected(svc)
        parked = north(330)
        await car.report(lat=parked[0], lon=parked[1])
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        c = svc.dispatch
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await car.wait_commands(1)
        await car.report(lat=parked[0], lon=parked[1], status="on_scene")
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 10)
        a = c.incident(inc.id).assignment("car-1")
        assert (a.arrived_by, a.beyond_radius) == ("crew report", True)
        assert a.arrival_distance_m == pytest.approx(330, abs=1)
        crew = next(e for e in seen if isinstance(e, StatusChanged) and
                    e.new is UnitStatus.ON_SCENE and e.reason == "crew reported on_scene")
        assert a.on_scene_at == crew.time
        alert = next(e for e in seen if isinstance(e, Alert) and e.code == "dispatch.on_scene")
        assert alert.severity is Severity.WARNING and "beyond the 50 m radius" in alert.message
