"""Through the service: an accepted command leaves its tasking (who, what, where) and an
honest duty status; a drone low on battery in the air raises one alert."""

import pytest
from factories import tel
from test_service import CONFIG, FakeLink
from waits import until

from fleet.commands import Goto, Hold, Origin, Patrol, ReturnToLaunch
from fleet.errors import CommandRejectedError
from fleet.events import Severity
from fleet.model import UnitStatus
from fleet.service import FleetService


async def heard(svc, link, address="1:1", **fields):
    await link.reports.put((address, tel(**fields)))
    await until(svc, lambda: svc.snapshot("air-1").telemetry is not None)


async def test_an_operators_goto_is_recorded_and_takes_the_unit_off_patrol():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        await heard(svc, link, armed=True, mode="AUTO", relative_alt_m=40.0)
        svc.set_status("air-1", UnitStatus.PATROLLING, "schedule")
        await svc.send("air-1", Goto(26.9, 112.6, 40.0))
        snap = svc.snapshot("air-1")
        assert snap.duty_status is UnitStatus.AVAILABLE  # no longer "patrolling"
        assert snap.tasking is not None
        assert (snap.tasking.origin, snap.tasking.command) == ("operator", "goto")
        assert snap.tasking.target == (26.9, 112.6)
        await svc.send("air-1", ReturnToLaunch())
        assert svc.snapshot("air-1").duty_status is UnitStatus.RETURNING
        assert svc.snapshot("air-1").tasking.command == "return"


async def test_the_automations_commands_leave_the_status_to_the_automation():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link]) as svc:
        await heard(svc, link)
        svc.set_status("air-1", UnitStatus.PATROLLING, "schedule")
        route = ((26.9, 112.6), (26.91, 112.61))
        await svc.send("air-1", Patrol(route), origin=Origin.SCHEDULE)
        await svc.send("air-1", Hold(), origin=Origin.DISPATCH)
        snap = svc.snapshot("air-1")
        assert snap.duty_status is UnitStatus.PATROLLING
        assert (snap.tasking.origin, snap.tasking.command) == ("dispatch", "hold")


async def test_a_refused_command_changes_nothing():
    class Refuse:
        async def execute(self, unit_id, command):
            raise CommandRejectedError(unit_id, "goto", "denied", "no")

    link = FakeLink(driver=Refuse())
    async with FleetService(CONFIG, links=[link]) as svc:
        await heard(svc, link)
        svc.set_status("air-1", UnitStatus.PATROLLING, "schedule")
        with pytest.raises(CommandRejectedError):
            await svc.send("air-1", Goto(26.9, 112.6))
        snap = svc.snapshot("air-1")
        assert snap.duty_status is UnitStatus.PATROLLING and snap.tasking is None


async def test_a_drone_low_in_the_air_raises_one_warning():
    link = FakeLink()
    async with FleetService(CONFIG, links=[link], staleness_period_s=0.01) as svc:
        await heard(svc, link, armed=True, mode="GUIDED", relative_alt_m=40.0,
                    battery_pct=55.0)
        for pct in (29.0, 28.0, 27.0):
            await link.reports.put(("1:1", tel(armed=True, mode="GUIDED", relative_alt_m=40.0,
                                             battery_pct=pct)))
            await until(svc, lambda p=pct: svc.snapshot("air-1").telemetry.battery_pct == p)
        await until(svc, lambda: any(a.code == "unit.battery_low" for a in svc.alerts))
        await link.reports.put(("1:1", tel(armed=True, mode="GUIDED", relative_alt_m=40.0,
                                         battery_pct=12.0)))
        await until(svc, lambda: any(a.code == "unit.battery_critical" for a in svc.alerts))
        low = [a for a in svc.alerts if a.code == "unit.battery_low"]
        assert len(low) == 1 and low[0].severity is Severity.WARNING
        assert low[0].unit_id == "air-1" and "Eagle 1: battery" in low[0].message
