"""DispatchCenter against an in-process link: the closed loop for ground units, and every
refusal leaving nothing half-recorded."""

import asyncio
from contextlib import closing

import pytest
from dispatch_helpers import UNITS, ScriptLink, config, running
from waits import until

from fleet.commands import Goto
from fleet.dispatch.audit import open_readonly, select, verify_db
from fleet.dispatch.errors import (
    BadLocationError,
    DispatchUnavailableError,
    IllegalTransitionError,
    NoUnitsAvailableError,
    OutsideCityError,
    UnitUnavailableError,
    UnknownCategoryError,
    UnknownIncidentError,
)
from fleet.dispatch.incident import AssignmentStatus, IncidentStatus
from fleet.errors import UnknownUnitError
from fleet.model import UnitStatus

SCENE = (26.8800, 112.6000)  # downtown, 3-minute target
IDS = [u["id"] for u in UNITS]


def rows(path):
    with closing(open_readonly(path)) as conn:
        return list(select(conn))


def place_units(link, *, near=(26.8830, 112.6000), spread=0.002):
    for i, uid in enumerate(IDS):
        link.report(uid, near[0] + i * spread, near[1], battery_pct=80.0)


async def started(svc):
    for uid in IDS:
        await svc.wait_for_unit(uid, timeout=5)
    return svc.dispatch


async def test_call_to_close_for_ground_units(tmp_path):
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        place_units(link)
        c = await started(svc)
        inc = await c.new_incident(*SCENE, "violent_crime", notes="knife, shopping centre",
                                   operator="Zhang")
        assert inc.status is IncidentStatus.RECEIVED and inc.zone_id == "downtown"
        assert inc.target_s == 180.0 and inc.priority == 1
        rec = c.recommend(inc.id)
        assert rec.unit_ids == ("car-1", "car-2")  # the two nearest responding land units
        inc = await c.dispatch(inc.id, operator="Zhang")
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.EN_ROUTE, 5)
        assert link.sent("car-1") == [Goto(*SCENE)]
        await until(svc, lambda: svc.state.status("car-1") is UnitStatus.EN_ROUTE, 5)
        link.report("car-1", SCENE[0] + 0.0002, SCENE[1])  # ~22 m away: on scene
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.ON_SCENE, 5)
        car = c.incident(inc.id).assignment("car-1")
        assert car.status is AssignmentStatus.ON_SCENE
        assert car.on_scene_at == svc.state.telemetry("car-1").received_time
        assert svc.state.status("car-1") is UnitStatus.ON_SCENE
        await c.clear(inc.id, operator="Zhang")
        await c.close(inc.id, operator="Zhang", disposition="suspect detained")
        assert svc.state.status("car-1") is UnitStatus.AVAILABLE
        assert svc.state.status("car-2") is UnitStatus.AVAILABLE
        final = c.incident(inc.id)
    assert final.status is IncidentStatus.CLOSED
    kinds = [r.kind for r in rows(db)]
    for kind in ("incident.received", "unit.assigned", "command.sent", "command.acked",
                 "unit.acknowledged", "unit.en_route", "unit.on_scene", "incident.cleared",
                 "incident.closed"):
        assert kind in kinds
    ops = {r.operator for r in rows(db) if r.kind.startswith("incident.")}
    assert ops == {"Zhang"}
    with closing(open_readonly(db)) as conn:
        assert verify_db(conn).ok


@pytest.mark.parametrize("args, error, message", [
    ((float("nan"), 112.6, "theft"), BadLocationError, "latitude"),
    ((28.19, 112.97, "theft"), OutsideCityError, "outside the Testcity area"),
    ((26.88, 112.60, "arson"), UnknownCategoryError, "unknown incident category 'arson'"),
])
async def test_bad_calls_are_refused_and_nothing_is_recorded(tmp_path, args, error, message):
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        with pytest.raises(error, match=message):
            await svc.dispatch.new_incident(*args)
        assert svc.dispatch.incidents() == []
    assert rows(db) == []


async def test_lost_committed_unknown_and_low_units_are_refused_with_nothing_recorded(tmp_path):
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        place_units(link)
        c = await started(svc)
        first = await c.new_incident(*SCENE, "theft")
        await c.dispatch(first.id, ["car-1"])
        await c.wait_for(lambda: c.incident(first.id).status is IncidentStatus.EN_ROUTE, 5)
        second = await c.new_incident(*SCENE, "theft")
        before = len(rows(db))
        link.ctx.unit_offline("moto-1", "Last Will")
        link.report("car-2", 26.8850, 112.6000, battery_pct=5.0)
        cases = [
            (["car-1"], UnitUnavailableError, f"committed to {first.id}"),
            (["moto-1"], UnitUnavailableError, "moto-1: cannot be dispatched: lost"),
            (["car-2"], UnitUnavailableError, "battery 5 % below the 10 % reserve"),
            (["cv-1", "nobody"], UnknownUnitError, "nobody"),
        ]
        for ids, error, message in cases:
            with pytest.raises(error, match=message):
                await c.dispatch(second.id, ids)
        assert [r for r in rows(db)[before:] if r.incident == second.id] == []
        assert "cv-1" not in {r.unit for r in rows(db)}  # valid, but not half-dispatched
        assert c.incident(second.id).assignments == ()
        assert svc.state.status("cv-1") is UnitStatus.AVAILABLE
        with pytest.raises(UnknownIncidentError):
            await c.dispatch("INC-000000-999")


async def test_unit_that_never_acknowledges_fails_and_a_replacement_is_proposed(tmp_path):
    link = ScriptLink(IDS)
    link.silent.add("car-1")
    async with running(config(ack_timeout_s=0.3), link) as svc:
        place_units(link)
        c = await started(svc)
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).assignment("car-1").status
                         is AssignmentStatus.FAILED, 5)
        failed = c.incident(inc.id).assignment("car-1")
        assert "no result within 0.3 s" in failed.reason
        assert failed.acknowledged_at is None
        await c.wait_for(lambda: inc.id in c.proposals, 5)  # status and proposal follow
        assert svc.state.status("car-1") is UnitStatus.OUT_OF_SERVICE
        codes = [a.code for a in svc.alerts]
        assert "dispatch.unit_failed" in codes and "dispatch.replacement" in codes
        proposal = c.proposals[inc.id]
        assert proposal.unit_ids == ("car-2",)
        inc = await c.reassign(inc.id, "car-1", operator="Zhang")
        await c.wait_for(lambda: c.incident(inc.id).assignment("car-2").status
                         is AssignmentStatus.EN_ROUTE, 5)
        assert c.incident(inc.id).assignment("car-1").replaced_by == "car-2"
        assert c.incident(inc.id).assignment("car-2").replaces == "car-1"


async def test_refusal_reason_is_kept(tmp_path):
    link = ScriptLink(IDS)
    link.refuse["car-1"] = "flat tyre"
    async with running(config(), link) as svc:
        place_units(link)
        c = await started(svc)
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).assignment("car-1").status
                         is AssignmentStatus.FAILED, 5)
        assert "flat tyre" in c.incident(inc.id).assignment("car-1").reason


async def test_lost_en_route_is_flagged_then_recovered():
    link = ScriptLink(IDS)
    async with running(config(), link) as svc:
        place_units(link)
        c = await started(svc)
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.EN_ROUTE, 5)
        link.ctx.unit_offline("car-1", "tunnel")
        await c.wait_for(lambda: c.incident(inc.id).assignment("car-1").lost_at is not None, 5)
        assert any(a.code == "dispatch.replacement" and "is lost" in a.message
                   for a in svc.alerts)
        assert c.incident(inc.id).assignment("car-1").status is AssignmentStatus.EN_ROUTE
        link.report("car-1", 26.8825, 112.6000)
        await c.wait_for(lambda: c.incident(inc.id).assignment("car-1").lost_at is None, 5)


async def test_cancel_releases_units_and_late_news_is_ignored():
    link = ScriptLink(IDS)
    async with running(config(), link) as svc:
        place_units(link)
        c = await started(svc)
        inc = await c.new_incident(*SCENE, "theft")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.EN_ROUTE, 5)
        await c.cancel(inc.id, reason="false alarm")
        assert svc.state.status("car-1") is UnitStatus.AVAILABLE
        link.report("car-1", *SCENE)  # arrives anyway: not on scene of a cancelled call
        await until(svc, lambda: svc.state.telemetry("car-1").lat_deg == SCENE[0], 5)
        assert c.incident(inc.id).on_scene_at is None
        with pytest.raises(IllegalTransitionError, match="no longer open"):
            await c.dispatch(inc.id, ["car-2"])


async def test_nothing_to_send_says_why():
    link = ScriptLink(IDS)
    async with running(config(), link) as svc:
        c = svc.dispatch
        inc = await c.new_incident(*SCENE, "theft")  # no unit has been heard yet
        with pytest.raises(NoUnitsAvailableError, match="no eligible unit"):
            await c.dispatch(inc.id)


async def test_overdue_target_raises_one_alert(tmp_path):
    link = ScriptLink(IDS)
    cfg = config(default_target_min=0.01)  # outside every zone: 0.6 s target
    async with running(cfg, link) as svc:
        c = svc.dispatch
        inc = await c.new_incident(26.80, 112.50, "assistance")
        await until(svc, lambda: any(a.code == "dispatch.target_missed" for a in svc.alerts), 5)
        assert inc.id in next(a.message for a in svc.alerts if a.code == "dispatch.target_missed")


async def test_open_incidents_resume_after_a_restart(tmp_path):
    db = tmp_path / "audit.sqlite3"
    cfg = config(audit_db=str(db))
    link = ScriptLink(IDS)
    async with running(cfg, link) as svc:
        place_units(link)
        c = await started(svc)
        open_one = await c.new_incident(*SCENE, "theft")
        await c.dispatch(open_one.id)
        await c.wait_for(lambda: c.incident(open_one.id).status is IncidentStatus.EN_ROUTE, 5)
        done = await c.new_incident(*SCENE, "assistance")
        await c.cancel(done.id)
    link = ScriptLink(IDS)
    async with running(cfg, link) as svc:
        c = svc.dispatch
        await asyncio.wait_for(c._ready(), 5)
        assert [i.id for i in c.incidents()] == [open_one.id]
        assert c.owner("car-1") == open_one.id
        assert svc.state.snapshot("car-1").duty_status is UnitStatus.EN_ROUTE
        nxt = await c.new_incident(*SCENE, "theft")
        assert nxt.id.endswith("-003")  # numbering continues for the day


async def test_dispatch_is_disabled_not_the_fleet_when_the_audit_cannot_open(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(blocker / "audit.sqlite3")), link) as svc:
        with pytest.raises(DispatchUnavailableError, match="cannot open the audit"):
            await svc.dispatch.new_incident(*SCENE, "theft")
        assert any(a.code == "dispatch.unavailable" for a in svc.alerts)
        link.report("car-1", *SCENE)
        await svc.wait_for_unit("car-1", timeout=5)  # the rest of the fleet runs on


async def test_a_damaged_audit_disables_dispatch_and_says_why(tmp_path):
    from fleet.dispatch.audit import AuditLog
    from fleet.dispatch.chain import AuditEntry

    db = tmp_path / "audit.sqlite3"
    received = {"lat": 26.88, "lon": 112.6, "category": "theft", "priority": 3,
                "zone": "downtown", "zone_name": "Downtown", "target_s": 180.0}
    with AuditLog(db) as log:  # a unit on scene that was never assigned: not replayable
        log.append_sync(AuditEntry("incident.received", 1.0, "op", "I1", data=received),
                        AuditEntry("unit.on_scene", 2.0, "system", "I1", "car-1"))
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        with pytest.raises(DispatchUnavailableError, match="cannot resume"):
            await svc.dispatch.new_incident(*SCENE, "theft")
        assert any(a.code == "dispatch.unavailable" for a in svc.alerts)


async def test_preview_note_and_release():
    link = ScriptLink(IDS)
    async with running(config(), link) as svc:
        place_units(link)
        c = await started(svc)
        preview = c.preview(*SCENE, "violent_crime")
        assert preview.unit_ids == ("car-1", "car-2") and c.incidents() == []
        inc = await c.new_incident(*SCENE, "violent_crime")
        await c.dispatch(inc.id)
        await c.wait_for(lambda: c.incident(inc.id).status is IncidentStatus.EN_ROUTE, 5)
        await c.add_note(inc.id, "suspect wearing red", operator="Zhang")
        inc = await c.release(inc.id, "car-2", reason="needed elsewhere")
        assert inc.notes == ("suspect wearing red",)
        assert inc.assignment("car-2").status is AssignmentStatus.RELEASED
        assert svc.state.status("car-2") is UnitStatus.AVAILABLE
        assert c.owner("car-2") is None and c.owner("car-1") == inc.id
        with pytest.raises(IllegalTransitionError, match="car-2 is released"):
            await c.release(inc.id, "car-2")
        with pytest.raises(IllegalTransitionError, match="clear needs a unit on scene"):
            await c.clear(inc.id)
