"""Issue #14, probe 3: the recommender and the dispatch check apply one eligibility rule,
and one refused unit does not void the others.

The probe: after a core restart a command vehicle still assigned to an open incident,
whose crew had reported ``available``, was recommended, refused by the dispatch check,
and the whole call voided (reported as a success)."""

from contextlib import closing

import pytest
from dispatch_helpers import UNITS, ScriptLink, config, running
from waits import until

from fleet.dispatch import deployment
from fleet.dispatch.audit import open_readonly, select
from fleet.dispatch.eligibility import Reason
from fleet.dispatch.errors import NoUnitsAvailableError, UnitUnavailableError
from fleet.dispatch.incident import IncidentStatus
from fleet.model import UnitStatus

SCENE = (26.8800, 112.6000)  # downtown, 3-minute target
IDS = [u["id"] for u in UNITS]


def rows(path):
    with closing(open_readonly(path)) as conn:
        return list(select(conn))


def alerts(svc, code):
    return [a for a in svc.alerts if a.code == code]


async def fleet_heard(svc, link):
    """Every unit heard near the scene; cv-1 the nearest (it is the probe's unit)."""
    for i, uid in enumerate(["cv-1", "car-1", "car-2", "moto-1", "boat-1"]):
        link.report(uid, 26.8805 + i * 0.002, 112.6000, battery_pct=80.0)
    for uid in IDS:
        await svc.wait_for_unit(uid, timeout=5)
    await svc.dispatch.incidents_ready(timeout=5)  # the audit is open and replayed
    return svc.dispatch


async def crew_says_available(svc, link, unit_id):
    link.ctx.crew_status(unit_id, UnitStatus.AVAILABLE)
    assert svc.state.status(unit_id) is UnitStatus.AVAILABLE


def assert_agree(c):
    """Every unit the recommender would send passes the dispatch check, and every unit
    the check refuses is left out of the recommendation with the same reason."""
    ranker = c.recommender.ranker
    for uid in IDS:
        why = ranker.eligibility(c.port.view.index_of(uid))
        assert (why is Reason.ELIGIBLE) == (deployment.unavailable_reason(c, uid) == "")


@pytest.mark.parametrize("restart", [False, True], ids=["live", "after-restart"])
async def test_a_committed_unit_its_crew_calls_available_is_neither_recommended_nor_sent(
        tmp_path, restart):
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        c = await fleet_heard(svc, link)
        first = await c.new_incident(*SCENE, "terror")
        await c.dispatch(first.id, ["cv-1"])
        if not restart:
            await crew_says_available(svc, link, "cv-1")
            await probe(svc, link, c, first.id)
    if restart:
        link = ScriptLink(IDS)
        async with running(config(audit_db=str(db)), link) as svc:
            c = await fleet_heard(svc, link)
            assert c.owner("cv-1") == first.id  # resumed from the audit
            # its status too (en route, once heard): then its crew says otherwise
            await until(svc, lambda: svc.state.status("cv-1") is UnitStatus.EN_ROUTE)
            await crew_says_available(svc, link, "cv-1")
            await probe(svc, link, c, first.id)


async def probe(svc, link, c, first_id):
    second = await c.new_incident(*SCENE, "violent_crime")
    rec = c.recommend(second.id)
    assert "cv-1" not in rec.unit_ids and len(rec.unit_ids) == 2  # cv-1 is the nearest
    [why] = [e for e in rec.excluded if e.unit_id == "cv-1"]
    assert why.reason is Reason.COMMITTED and f"committed to {first_id}" in why.detail
    assert_agree(c)
    done = await c.dispatch_units(second.id)  # the recommendation goes, nothing refused
    assert done.refused == () and set(done.sent) == set(rec.unit_ids)
    assert alerts(svc, "dispatch.partial") == [] and alerts(svc, "dispatch.not_sent") == []
    with pytest.raises(UnitUnavailableError,
                       match=f"cv-1: cannot be dispatched: committed to {first_id} "
                       r"\(its crew reports available\)"):
        await c.dispatch(second.id, ["cv-1"])


async def test_one_refused_unit_does_not_void_the_others(tmp_path):
    db = tmp_path / "audit.sqlite3"
    link = ScriptLink(IDS)
    async with running(config(audit_db=str(db)), link) as svc:
        c = await fleet_heard(svc, link)
        first = await c.new_incident(*SCENE, "theft")
        await c.dispatch(first.id, ["cv-1"])
        await crew_says_available(svc, link, "cv-1")
        link.ctx.unit_offline("moto-1", "Last Will")
        second = await c.new_incident(*SCENE, "violent_crime")
        done = await c.dispatch_units(second.id, ["cv-1", "car-1", "moto-1", "car-2"],
                                      operator="Zhang")
        assert done.sent == ("car-1", "car-2") and done.result == "partial"
        assert [r.unit_id for r in done.refused] == ["cv-1", "moto-1"]
        assert done.refused[0].reason.startswith(f"committed to {first.id}")
        assert done.refused[1].reason == "lost (no telemetry)"
        inc = c.incident(second.id)
        assert inc.status is IncidentStatus.DISPATCHED
        assert [a.unit_id for a in inc.active] == ["car-1", "car-2"]
        assert inc.notes[-1].startswith("not sent: Command 1 (cv-1): committed to")
        [partial] = alerts(svc, "dispatch.partial")
        assert "sent 2 of 4 units" in partial.message and "moto-1" in partial.message
        # nobody can go: nothing is recorded, the refusal names every unit, an alert says so
        notes = len(c.incident(second.id).notes)
        with pytest.raises(UnitUnavailableError) as err:
            await c.dispatch(second.id, ["cv-1", "moto-1"])
        assert [r.unit_id for r in err.value.refused] == ["cv-1", "moto-1"]
        assert "cv-1: cannot be dispatched" in str(err.value)
        assert "moto-1: cannot be dispatched: lost" in str(err.value)
        [none] = alerts(svc, "dispatch.not_sent")
        assert second.id in none.message and "nobody sent" in none.message
        assert len(c.incident(second.id).notes) == notes
    after = rows(db)
    [note] = [r for r in after if r.kind == "incident.note" and r.incident == second.id]
    assert [x["unit"] for x in note.data["refused"]] == ["cv-1", "moto-1"]
    assigned = [r.unit for r in after if r.kind == "unit.assigned" and r.incident == second.id]
    assert assigned == ["car-1", "car-2"]


async def test_nobody_eligible_is_an_alert_naming_the_units_left_out(tmp_path):
    link = ScriptLink(["car-1"])
    async with running(config(units=[UNITS[0]]), link) as svc:
        link.report("car-1", 26.8805, 112.6000, battery_pct=5.0)  # below the reserve
        await svc.wait_for_unit("car-1", timeout=5)
        c = svc.dispatch
        inc = await c.new_incident(*SCENE, "theft")
        with pytest.raises(NoUnitsAvailableError) as err:
            await c.dispatch(inc.id)
        assert [(r.unit_id, r.reason) for r in err.value.refused] == \
            [("car-1", "battery 5 % below the 10 % reserve")]
        assert alerts(svc, "dispatch.not_sent")
