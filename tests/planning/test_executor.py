"""The schedule executor end to end: drones from the simulator, cars from a fake link."""

import asyncio
import contextlib
import datetime as dt
import time

from sim_patrol import HOME, SPEEDUP, patrol_fleet, square
from waits import until

from fleet.commands import Patrol, ReturnToLaunch
from fleet.config import parse_config
from fleet.config.schedules import PatrolSchedule
from fleet.dispatch.audit import open_readonly, select
from fleet.events import ConnectionState
from fleet.model import Telemetry
from fleet.planning.local_time import CITY_TZ
from fleet.planning.schedule import slot
from fleet.service import FleetService

SITES = [{"id": "gate", "lat": HOME[0] + 0.0012, "lon": HOME[1]},
         {"id": "yard", "lat": HOME[0] + 0.0012, "lon": HOME[1] + 0.0012}]
NIGHT = {"id": "night", "patrol": "p", "start": "20:00", "end": "02:00", "every_min": 30,
         "group": "air1"}
DUE = dt.datetime(2025, 6, 2, 20, 0, tzinfo=CITY_TZ)  # a Monday, 20:00 in Hengyang


def shifted_wall(lead_s: float):
    """A wall clock that starts ``lead_s`` before the due time and runs at real speed."""
    origin, start = DUE.timestamp() - lead_s, time.monotonic()
    return lambda: origin + (time.monotonic() - start)


class MovableWall:
    """A wall clock running at real speed from wherever the test sets it."""

    def __init__(self, at: float) -> None:
        self.set(at)

    def set(self, at: float) -> None:
        self.origin, self.start = at, time.monotonic()

    def __call__(self) -> float:
        return self.origin + (time.monotonic() - self.start)


async def test_a_scheduled_patrol_takes_off_flies_lands_and_is_recorded():
    extra = {"key_sites": SITES,
             "patrols": [{"id": "p", "pattern": "tour", "sites": ["gate", "yard"],
                          "loiter_s": 10, "alt_m": 25}],
             "schedules": [NIGHT]}
    clock = MovableWall(DUE.timestamp() - 3600)  # 19:00: nothing due for an hour
    async with patrol_fleet(extra, count=1, wall=clock, poll_s=0.1) as (svc, _sim):
        await (await svc.wait_for_unit("air-1", timeout=10)).wait_ready(timeout=20)
        clock.set(DUE.timestamp() - 0.5)  # the wall clock jumps to 19:59:59.5
        await until(svc, lambda: bool(svc.schedules.records)
                    and svc.schedules.records[-1].state != "running", timeout=60)
        (rec,) = svc.schedules.records
        assert rec.state == "completed", rec.line()
        assert rec.due == DUE and rec.schedule_id == "night"
        (leg,) = rec.legs
        assert (leg.unit_id, leg.outcome) == ("air-1", "completed")
        t = svc.snapshot("air-1").telemetry
        assert t.armed is False and (t.relative_alt_m or 0) < 1.0
        reached = {a.message for a in svc.alerts if a.code == "mission.reached"}
        assert len(reached) >= 4  # both sites and the way home
        codes = [a.code for a in svc.alerts if a.code.startswith("schedule.")]
        assert codes == ["schedule.started", "schedule.completed"]


async def test_a_lost_drone_is_replaced_and_the_patrol_finishes():
    extra = {"patrols": [{"id": "p", "pattern": "coverage", "spacing_m": 50, "alt_m": 30,
                          "polygon": square(HOME[0] + 0.002, HOME[1], 0.0012)}],
             "schedules": [NIGHT]}
    # 19:00 in the city: the night schedule must not fall due by itself during the test
    clock = MovableWall(DUE.timestamp() - 3600)
    async with patrol_fleet(extra, count=2, wall=clock) as (svc, sim):
        for unit in ("air-1", "air-2"):
            await (await svc.wait_for_unit(unit, timeout=10)).wait_ready(timeout=20)
        run = asyncio.create_task(svc.schedules.run_now("night"))

        def first_airborne() -> str | None:
            recs = svc.schedules.records
            if not recs or not recs[-1].legs:
                return None
            unit = recs[-1].legs[0].unit_id
            t = svc.snapshot(unit).telemetry
            return unit if t is not None and (t.relative_alt_m or 0) > 8 else None

        await until(svc, lambda: first_airborne() is not None, timeout=30)
        first = first_airborne()
        sim.instances[int(first.split("-")[1]) - 1].drop_link(20 * SPEEDUP)
        rec = await asyncio.wait_for(run, 120)
        assert rec.state == "completed", rec.line()
        lost, relief = rec.legs
        assert (lost.unit_id, lost.outcome) == (first, "lost")
        assert relief.unit_id != first and relief.outcome == "completed"
        assert relief.from_s == lost.to_s  # took over where the lost one stopped
        codes = [a.code for a in svc.alerts if a.code.startswith("schedule.")]
        assert codes == ["schedule.started", "schedule.lost", "schedule.replaced",
                         "schedule.completed"]


async def test_runs_are_skipped_with_the_reason():
    config = parse_config({
        "groups": [{"id": "air1", "domain": "air"}],
        "units": [{"id": f"air-{i}", "kind": "drone", "group": "air1",
                   "mavlink": {"sysid": i}} for i in (1, 2)],
        "key_sites": SITES,
        "patrols": [{"id": "p", "pattern": "tour", "sites": ["gate"]}],
        "schedules": [NIGHT, {"id": "storm", "kind": "blackout", "start": "19:00",
                              "end": "21:00", "reason": "typhoon warning"}],
    })
    async with FleetService(config, wall=shifted_wall(-600)) as svc:  # 20:10, in the storm
        rec = await svc.schedules.run_now("night")
        assert (rec.state, rec.reason) == ("skipped", "blackout storm: typhoon warning")
        rec = await svc.schedules.run_now("night", force=True)
        assert rec.state == "skipped"
        assert rec.reason == "no available unit (air-1: never heard, air-2: never heard)"
        assert [a.code for a in svc.alerts if a.code.startswith("schedule.")] == \
            ["schedule.skipped", "schedule.skipped"]


class Cars:
    """A fake ground link: reports for the cars it is told to keep alive, and a log of
    every command it was given."""

    name = "cars"

    def __init__(self) -> None:
        self.alive: set[str] = set()
        self.commands: list[tuple[str, object]] = []
        self.sent = asyncio.Event()

    async def execute(self, unit_id: str, command: object) -> None:
        self.commands.append((unit_id, command))

    async def run(self, ctx) -> None:  # ctx: the LinkContext protocol
        ctx.connection(ConnectionState.CONNECTED)
        while True:
            for address in sorted(self.alive):
                unit_id = ctx.resolve("mqtt", address)
                ctx.route(unit_id, self)
                ctx.telemetry(unit_id, Telemetry(HOME[0], HOME[1], ctx.wall()))
            await asyncio.sleep(0.05)  # the cars' own report rate


async def test_a_ground_patrol_drives_its_time_and_a_lost_car_is_relieved(tmp_path):
    audit_db = tmp_path / "audit.db"
    config = parse_config({
        "dispatch": {"audit_db": str(audit_db)},
        "kinds": {"patrol_car": {"stale_after_s": 0.5}},
        "bases": [{"id": "post", "lat": HOME[0], "lon": HOME[1]}],
        "groups": [{"id": "rp01", "domain": "land", "base": "post",
                    "complement": {"patrol_car": 2}}],
        "zones": [{"id": "z", "target_min": 3,
                   "polygon": square(HOME[0] + 0.003, HOME[1], 0.002)}],
        "patrols": [{"id": "p", "pattern": "perimeter", "zone": "z", "offset_m": 20,
                     "duration_min": 0.04}],
        "schedules": [{**NIGHT, "group": "rp01"},
                      {"id": "rota", "kind": "roster", "crews": ["A", "B", "C", "D", "E"],
                       "epoch": dt.date(2025, 6, 2)}],
    })
    cars = Cars()
    cars.alive = {"rp01-pc1", "rp01-pc2"}
    async with FleetService(config, links=[cars], wall=shifted_wall(-600)) as svc:  # 20:10
        await until(svc, lambda: all(svc.snapshot(u).telemetry for u in cars.alive))
        run = asyncio.create_task(svc.schedules.run_now("night"))
        await until(svc, lambda: any(isinstance(c, Patrol) for _, c in cars.commands))
        first = cars.commands[0][0]
        cars.alive.discard(first)  # its radio goes quiet
        rec = await asyncio.wait_for(run, 30)
        assert rec.state == "completed", rec.line()
        lost, relief = rec.legs
        assert (lost.unit_id, lost.outcome, relief.outcome) == (first, "lost", "completed")
        assert lost.crew == relief.crew == "C"  # day 0, 20:10: shift 3 (20-02) is crew C
        patrols = [(u, c) for u, c in cars.commands if isinstance(c, Patrol)]
        assert [u for u, _ in patrols] == [first, relief.unit_id]
        assert patrols[0][1].loop and len(patrols[0][1].route) == 4
        assert cars.commands[-1] == (relief.unit_id, ReturnToLaunch())
        assert str(svc.snapshot(relief.unit_id).duty_status) == "available"
    # every change of the run is also in the dispatch audit (written when the core stops)
    with contextlib.closing(open_readonly(audit_db)) as conn:
        rows = [r for r in select(conn) if r.kind.startswith("schedule.")]
    assert [r.kind for r in rows] == ["schedule.started", "schedule.lost", "schedule.replaced",
                                      "schedule.completed"]
    assert rows[1].unit == first and rows[-1].data["run"] == rec.run_id


async def test_a_run_skipped_for_want_of_a_unit_is_tried_again_within_its_slot():
    config = parse_config({
        "bases": [{"id": "post", "lat": HOME[0], "lon": HOME[1]}],
        "groups": [{"id": "rp01", "domain": "land", "base": "post",
                    "complement": {"patrol_car": 1}}],
        "zones": [{"id": "z", "target_min": 3,
                   "polygon": square(HOME[0] + 0.003, HOME[1], 0.002)}],
        "patrols": [{"id": "p", "pattern": "perimeter", "zone": "z", "duration_min": 0.02}],
        "schedules": [{"id": "once", "patrol": "p", "start": "20:00", "end": "02:00",
                       "group": "rp01"}],  # once a night, at 20:00
    })
    cars = Cars()  # nobody on the air yet
    async with FleetService(config, links=[cars], wall=shifted_wall(0.5)) as svc:  # 19:59:59.5
        svc.schedules.poll_s, svc.schedules.retry_s = 0.1, 0.2
        await until(svc, lambda: any(r.state == "skipped" for r in svc.schedules.records), 10)
        cars.alive = {"rp01-pc1"}  # the car comes on the air: the next try takes it
        await until(svc, lambda: any(r.state == "completed" for r in svc.schedules.records), 20)
        states = [r.state for r in svc.schedules.records]
        assert states[0] == "skipped" and states[-1] == "completed"
        assert {r.due for r in svc.schedules.records} == {DUE}  # one slot, tried again


def test_a_slot_ends_at_the_next_run_or_the_window_end():
    night = PatrolSchedule("n", "n", "p", dt.time(20), dt.time(2), 30.0, frozenset(range(7)),
                           ("a",))
    assert slot(night, DUE) == DUE + dt.timedelta(minutes=30)
    late = DUE.replace(hour=1, minute=45) + dt.timedelta(days=1)
    assert slot(night, late) == late.replace(hour=2, minute=0)
    once = PatrolSchedule("o", "o", "p", dt.time(20), dt.time(2), None, frozenset(range(7)),
                          ("a",))
    assert slot(once, DUE) == DUE.replace(hour=2) + dt.timedelta(days=1)
