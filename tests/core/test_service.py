"""FleetService: lifecycle, links under supervision, the public API, commands, staleness.

The links here are in-process test links that implement the Link contract; the real
MAVLink and MQTT links have their own suites against real peers.
"""

import asyncio

import pytest
from broker import free_port
from factories import ManualClock, tel
from waits import until

import fleet
from fleet.commands import Arm, Goto
from fleet.config import parse_config
from fleet.errors import (
    CommandRejectedError,
    CommandTimeoutError,
    FleetTimeoutError,
    NoRouteError,
    UnknownUnitError,
)
from fleet.events import ConnectionState, LinkStatusChanged, StatusChanged
from fleet.links.supervisor import ReconnectPolicy
from fleet.model import LinkState, UnitStatus
from fleet.service import FleetService

CONFIG_RAW = {
    "fleet": {"name": "test"},
    "kinds": {"drone": {"stale_after_s": 5.0}},
    "units": [
        {"id": "air-1", "callsign": "Eagle 1", "kind": "drone", "mavlink": {"sysid": 1}},
        {"id": "air-2", "callsign": "Eagle 2", "kind": "drone", "mavlink": {"sysid": 2}},
        {"id": "car-1", "callsign": "Car 1", "kind": "patrol_car"},
    ],
}
CONFIG = parse_config(CONFIG_RAW)


class Driver:
    def __init__(self, outcome=None, delay=0.0):
        self.outcome = outcome
        self.delay = delay
        self.calls = []

    async def execute(self, unit_id, command):
        self.calls.append((unit_id, command))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.outcome is not None:
            raise self.outcome(unit_id)


class FakeLink:
    """Feeds reports the test puts in its queue; registers a command route per unit."""

    def __init__(self, name="test", driver=None, fail_first=0):
        self.name = name
        self.reports: asyncio.Queue = asyncio.Queue(maxsize=100)
        self.driver = driver or Driver()
        self.fail_first = fail_first
        self.runs = 0
        self.closed = asyncio.Event()

    async def run(self, ctx):
        self.runs += 1
        if self.runs <= self.fail_first:
            raise ConnectionRefusedError(111, "Connection refused")
        ctx.connection(ConnectionState.CONNECTED)
        try:
            while True:
                address, report = await self.reports.get()
                unit_id = ctx.resolve("mavlink", address)
                if unit_id is not None:
                    ctx.route(unit_id, self.driver)
                    ctx.telemetry(unit_id, report)
        finally:
            self.closed.set()



async def test_starts_and_stops_every_task_and_link():
    link = FakeLink()
    svc = FleetService(CONFIG, links=[link])
    async with svc:
        assert svc.running
        await until(svc, lambda: svc.links()[0].state is ConnectionState.CONNECTED)
        assert link.runs == 1
        tasks = list(svc._tasks)
    assert not svc.running
    assert all(t.done() for t in tasks)
    assert link.closed.is_set()  # the link's connection was closed, not abandoned
    assert [ls.state for ls in svc.links()] == [ConnectionState.DISCONNECTED]


async def test_connect_accepts_a_path(tmp_path):
    path = tmp_path / "f.toml"
    path.write_text('[fleet]\nname = "x"\n')
    async with fleet.connect(path) as f:
        assert f.config.name == "x"


async def test_wait_for_unit_then_stream_positions():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        waiter = asyncio.create_task(svc.wait_for_unit("air-1", timeout=5))
        await link.reports.put(("1:1", tel(26.9, 112.6)))
        drone = await waiter
        assert drone.snapshot.status is UnitStatus.AVAILABLE
        positions = drone.telemetry.position()
        first = await anext(positions)
        assert (first.lat_deg, first.lon_deg) == (26.9, 112.6)
        await link.reports.put(("1:1", tel(26.95, 112.6)))
        second = await asyncio.wait_for(anext(positions), 5)
        assert second.lat_deg == 26.95
        await positions.aclose()
        assert svc.stream.subscriber_count == 0


async def test_wait_for_unit_times_out_with_typed_error():
    async with FleetService(CONFIG) as svc:
        with pytest.raises(FleetTimeoutError, match=r"air-2: not heard within 0\.05 s"):
            await svc.wait_for_unit("air-2", timeout=0.05)
        with pytest.raises(UnknownUnitError):
            svc.unit("air-99")


async def test_silent_unit_goes_lost_and_recovers_through_the_service():
    clock = ManualClock()
    link = FakeLink()
    async with FleetService(CONFIG, links=[link], monotonic=clock,
                            staleness_period_s=0.01) as svc:
        drone = svc.unit("air-1")
        statuses = drone.telemetry.status()
        assert await anext(statuses) is UnitStatus.LOST  # never heard yet
        await link.reports.put(("1:1", tel()))
        assert await asyncio.wait_for(anext(statuses), 5) is UnitStatus.AVAILABLE
        clock.advance(5.5)
        assert await asyncio.wait_for(anext(statuses), 5) is UnitStatus.LOST
        assert svc.alerts[-1].code == "unit.lost"
        await link.reports.put(("1:1", tel()))
        assert await asyncio.wait_for(anext(statuses), 5) is UnitStatus.AVAILABLE
        assert svc.alerts[-1].code == "unit.recovered"
        await statuses.aclose()


async def test_supervisor_reconnects_after_failures():
    link = FakeLink(fail_first=2)
    policy = ReconnectPolicy(initial_s=0.001, max_s=0.01)
    async with FleetService(CONFIG, links=[link], reconnect=policy) as svc:
        with svc.subscribe() as sub:
            await until(svc, lambda: svc.links()[0].state is ConnectionState.CONNECTED)
            states = [e.state for e in sub.drain().events if isinstance(e, LinkStatusChanged)]
    assert link.runs == 3
    assert states[-1] is ConnectionState.CONNECTED
    assert states.count(ConnectionState.DISCONNECTED) >= 1


async def test_supervisor_gives_up_by_policy_with_an_alert():
    link = FakeLink(fail_first=99)
    policy = ReconnectPolicy(initial_s=0.001, max_s=0.001, max_attempts=3)
    async with FleetService(CONFIG, links=[link], reconnect=policy) as svc:
        await until(svc, lambda: svc.links()[0].state is ConnectionState.FAILED)
        assert link.runs == 3
        assert "gave up after 3 attempts" in svc.links()[0].detail
        assert svc.alerts[-1].code == "link.failed"


async def test_configured_links_start_and_missing_drivers_are_reported_unavailable(
        monkeypatch):
    from fleet.links import factory
    monkeypatch.delitem(factory.BUILDERS, "mqtt")  # a build without the MQTT driver
    port = free_port()
    config = parse_config({
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}]},
        "mqtt": {"url": "mqtt://127.0.0.1:1883"},
    })
    async with FleetService(config) as svc:
        await until(svc, lambda: {ls.name: ls.state for ls in svc.links()}.get("mavlink:air")
                    is ConnectionState.CONNECTED)
        states = {ls.name: ls.state for ls in svc.links()}
        assert states["mqtt"] is ConnectionState.UNAVAILABLE
        assert {a.code for a in svc.alerts} == {"link.unavailable"}


async def test_commands_route_through_the_link_that_hears_the_unit():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        with pytest.raises(NoRouteError, match="no link can command this unit"):
            await svc.unit("air-1").action.arm()
        await link.reports.put(("1:1", tel()))
        drone = await svc.wait_for_unit("air-1", timeout=5)
        await drone.action.arm()
        await drone.action.goto(26.9, 112.6, 50.0)
        assert link.driver.calls == [("air-1", Arm(force=False)), ("air-1", Goto(26.9, 112.6, 50))]


async def test_command_failures_raise_typed_errors_and_alert():
    def denied(unit_id):
        return CommandRejectedError(unit_id, "arm", "MAV_RESULT_DENIED", "PreArm: GPS")

    link = FakeLink(driver=Driver(outcome=denied))
    async with FleetService(CONFIG, links=[link]) as svc:
        await link.reports.put(("1:1", tel()))
        drone = await svc.wait_for_unit("air-1", timeout=5)
        with pytest.raises(CommandRejectedError) as err:
            await drone.action.arm()
        assert err.value.result == "MAV_RESULT_DENIED"
        assert str(err.value) == "air-1: arm failed: MAV_RESULT_DENIED: PreArm: GPS"
        assert svc.alerts[-1].code == "command.failed"
        link.driver.outcome, link.driver.delay = None, 10
        with pytest.raises(CommandTimeoutError, match=r"no result within 0\.05 s"):
            await drone.action.land(timeout=0.05)


async def test_lost_unit_has_no_route():
    clock = ManualClock()
    link = FakeLink()
    async with FleetService(CONFIG, links=[link], monotonic=clock,
                            staleness_period_s=0.01) as svc:
        await link.reports.put(("1:1", tel()))
        await svc.wait_for_unit("air-1", timeout=5)
        clock.advance(6)
        await until(svc, lambda: svc.state.link_state("air-1") is LinkState.LOST)
        with pytest.raises(NoRouteError, match="unit is lost"):
            await svc.unit("air-1").action.hold()


async def test_send_many_reports_each_units_result():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        await link.reports.put(("1:1", tel()))
        await svc.wait_for_unit("air-1", timeout=5)
        results = await svc.send_many(["air-1", "air-2"], Arm())
        assert results["air-1"] is None
        assert isinstance(results["air-2"], NoRouteError)


async def test_set_status_and_rank_by_eta_through_the_service():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        with svc.subscribe() as sub:
            await link.reports.put(("1:1", tel(26.90, 112.57)))
            await link.reports.put(("2:1", tel(26.95, 112.57)))
            await until(svc, lambda: svc.counts()[UnitStatus.AVAILABLE] == 2)
            svc.set_status("air-1", UnitStatus.EN_ROUTE, "incident 1")
            ranked = svc.rank_by_eta(26.90, 112.57)
            assert [c.unit.id for c in ranked] == ["air-2"]
            events = sub.drain().events
        assert any(isinstance(e, StatusChanged) and e.new is UnitStatus.EN_ROUTE
                   and e.reason == "incident 1" for e in events)


async def test_a_link_crash_that_is_a_bug_propagates():
    class Broken:
        name = "broken"

        async def run(self, ctx):
            raise ZeroDivisionError("bug")

    with pytest.raises(ExceptionGroup) as err:
        async with FleetService(CONFIG, links=[Broken()]):
            await asyncio.sleep(10)
    assert err.group_contains(ZeroDivisionError)


async def test_a_core_stopped_while_its_audit_opens_leaves_it_free_for_the_next(tmp_path):
    """A link bug stops the core at once, while the dispatch centre is still opening its
    audit in a thread: that open is closed again (writer thread and file lock), so a core
    started next in this process opens the same audit."""
    class Broken:
        name = "broken"

        async def run(self, ctx):
            raise ZeroDivisionError("bug")

    cfg = parse_config({**CONFIG_RAW, "dispatch": {"audit_db": str(tmp_path / "a.db")}})
    with pytest.raises(ExceptionGroup):
        async with FleetService(cfg, links=[Broken()]):
            await asyncio.sleep(10)
    async with FleetService(cfg) as svc:
        await svc.dispatch.incidents_ready(10)  # DispatchUnavailableError if still locked
