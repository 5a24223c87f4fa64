"""Hand-over: an operator's command takes a unit off its scheduled run, and no
replacement goes out until the operator asks. Drones from the simulator, cars from a
fake link; every clock is set relative to a fixed Monday 20:00 in Hengyang."""

import asyncio

from sim_patrol import HOME, patrol_fleet, square
from test_executor import DUE, SITES, Cars, MovableWall
from waits import until

from fleet.commands import Goto, Origin, Patrol, ReturnToLaunch, SetSpeed, SetStatus
from fleet.config import parse_config
from fleet.model import UnitStatus
from fleet.planning.runs import HANDED_OVER
from fleet.service import FleetService

NIGHT = {"id": "night", "patrol": "p", "start": "20:00", "end": "02:00", "every_min": 30,
         "group": "air1"}


def schedule_codes(svc: FleetService) -> list[str]:
    return [a.code for a in svc.alerts if a.code.startswith("schedule.")]


async def test_an_operator_goto_takes_a_drone_over_and_no_replacement_flies():
    extra = {"key_sites": SITES,
             "patrols": [{"id": "p", "pattern": "tour", "sites": ["gate", "yard"],
                          "loiter_s": 20, "alt_m": 25}],
             "schedules": [NIGHT]}
    clock = MovableWall(DUE.timestamp() - 3600)  # 19:00: nothing falls due by itself
    async with patrol_fleet(extra, count=2, wall=clock) as (svc, _sim):
        for unit in ("air-1", "air-2"):
            await (await svc.wait_for_unit(unit, timeout=10)).wait_ready(timeout=20)
        run = asyncio.create_task(svc.schedules.run_now("night"))

        def flying() -> str | None:
            recs = svc.schedules.records
            if not recs or not recs[-1].legs:
                return None
            unit = recs[-1].legs[0].unit_id
            t = svc.snapshot(unit).telemetry
            return unit if t is not None and (t.relative_alt_m or 0) > 8 else None

        await until(svc, lambda: flying() is not None, timeout=30)
        unit = flying()
        other = "air-2" if unit == "air-1" else "air-1"
        await svc.send(unit, Goto(HOME[0] - 0.001, HOME[1], 25))  # the operator's goto
        rec = await asyncio.wait_for(run, 10)  # the run ends at once: nobody replaces it
        assert rec.state == HANDED_OVER, rec.line()
        (leg,) = rec.legs
        assert (leg.unit_id, leg.outcome) == (unit, HANDED_OVER)
        assert (leg.handover.by, leg.handover.command) == ("operator", "goto")
        assert leg.ended == leg.handover.at and leg.to_s is not None
        notice = [a for a in svc.alerts if a.code == "schedule.handed_over" and a.unit_id]
        assert [a.message for a in notice] == \
            [f"schedule night: {unit} handed over to the operator (goto)"]
        assert notice[0].severity.name == "NOTICE"
        assert f"{unit} to the operator (goto)" in rec.reason
        # the operator brings it home: the schedule neither fails the run nor launches another
        await svc.send(unit, ReturnToLaunch())
        await until(svc, lambda: svc.snapshot(unit).telemetry.armed is False, timeout=60)
        assert [r.state for r in svc.schedules.records] == [HANDED_OVER]
        assert svc.snapshot(other).telemetry.armed is False
        assert schedule_codes(svc) == ["schedule.started", "schedule.handed_over",
                                       "schedule.handed_over"]
        # sent home by the operator it was "returning"; landed and disarmed, available
        await until(svc, lambda: str(svc.snapshot(unit).duty_status) == "available")
        (status,) = svc.schedules.status()
        assert status.handed_over == (rec.run_id,) and status.last is rec


def car_config(**patrol: object) -> dict:
    return {
        "bases": [{"id": "post", "lat": HOME[0], "lon": HOME[1]}],
        "groups": [{"id": "rp01", "domain": "land", "base": "post",
                    "complement": {"patrol_car": 2}}],
        "zones": [{"id": "z", "target_min": 3,
                   "polygon": square(HOME[0] + 0.003, HOME[1], 0.002)}],
        "patrols": [{"id": "p", "pattern": "perimeter", "zone": "z", "offset_m": 20,
                     "duration_min": 0.05, **patrol}],
        "schedules": [{**NIGHT, "group": "rp01"}],
    }


def patrols_sent(cars: Cars) -> list[str]:
    return [u for u, c in cars.commands if isinstance(c, Patrol)]


async def test_a_car_handed_over_waits_until_the_operator_asks_for_a_replacement():
    cars = Cars()
    cars.alive = {"rp01-pc1", "rp01-pc2"}
    clock = MovableWall(DUE.timestamp() - 3600)
    async with FleetService(parse_config(car_config()), links=[cars], wall=clock) as svc:
        await until(svc, lambda: all(svc.snapshot(u).telemetry for u in cars.alive))
        run = asyncio.create_task(svc.schedules.run_now("night"))
        await until(svc, lambda: bool(patrols_sent(cars)))
        first = patrols_sent(cars)[0]
        # automation and passive commands leave it on its run ...
        await svc.send(first, Goto(HOME[0], HOME[1]), origin=Origin.DISPATCH)
        await svc.send(first, SetStatus(UnitStatus.PATROLLING))
        await svc.send(first, SetSpeed(5.0))
        assert svc.schedules.records[-1].legs[0].outcome == "running"
        await svc.send(first, ReturnToLaunch())  # ... the operator's RTL takes it over
        rec = await asyncio.wait_for(run, 10)
        assert rec.state == HANDED_OVER, rec.line()
        (leg,) = rec.legs
        assert leg.handover.command == "return to launch"
        assert patrols_sent(cars) == [first]  # no replacement went out
        (status,) = svc.schedules.status()
        assert status.handed_over == (rec.run_id,) and not status.running
        # the operator asks: a fresh car drives what is left (not the whole patrol again)
        rest = await asyncio.wait_for(svc.schedules.replace(rec.run_id), 15)
        assert rest.state == "completed" and rest.resumes == rec.run_id, rest.line()
        assert rest.due == rec.due and len(patrols_sent(cars)) == 2
        assert svc.schedules.status()[0].handed_over == ()
        assert schedule_codes(svc) == [
            "schedule.started", "schedule.handed_over", "schedule.handed_over",
            "schedule.started", "schedule.completed"]


async def test_pause_skip_and_run_now_from_the_operator():
    config = car_config()
    once = {k: v for k, v in NIGHT.items() if k != "every_min"}  # once a night, at 20:00
    config["schedules"].append({**once, "id": "watch", "group": "rp01"})
    cars = Cars()
    cars.alive = {"rp01-pc1", "rp01-pc2"}
    clock = MovableWall(DUE.timestamp() - 3600)  # 19:00
    async with FleetService(parse_config(config), links=[cars], wall=clock) as svc:
        sx = svc.schedules
        sx.poll_s = 0.1
        await until(svc, lambda: all(svc.snapshot(u).telemetry for u in cars.alive))
        assert sx.pause("watch") and not sx.pause("watch")
        assert sx.skip_next("night") == DUE
        night, watch = sx.status()
        assert (night.skipping, night.next_at, watch.paused) == (DUE, DUE, True)
        clock.set(DUE.timestamp() - 0.2)  # 19:59:59.8: both fall due at 20:00
        await until(svc, lambda: bool(sx.records), timeout=10)
        # one pass of the clock decided both: night is skipped, watch (paused) not started
        (rec,) = sx.records
        assert (rec.schedule_id, rec.state, rec.reason) == \
            ("night", "skipped", "skipped by the operator")
        assert cars.commands == []
        night, watch = sx.status()
        assert night.skipping is None and night.next_at == DUE.replace(minute=30)
        assert night.last is rec and watch.last is None
        assert sx.resume("watch") and not sx.resume("watch")
        sx.start_now("watch")
        await until(svc, lambda: len(sx.records) == 2 and sx.records[-1].state == "completed",
                    timeout=15)
        assert sx.records[-1].schedule_id == "watch" and len(patrols_sent(cars)) == 1
        assert [c for c in schedule_codes(svc) if c != "schedule.started"] == [
            "schedule.paused", "schedule.skip", "schedule.skipped", "schedule.resumed",
            "schedule.run_now", "schedule.completed"]
