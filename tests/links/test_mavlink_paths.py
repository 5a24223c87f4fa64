"""One vehicle on two links (primary and backup), and two vehicles claiming one id:
failover, failback, de-duplication and collision detection over real UDP sockets."""

import asyncio

import pytest
from broker import free_port
from mav_peer import ScriptedVehicle
from waits import until

from fleet.config import parse_config
from fleet.service import FleetService


def two_link_config(p1, p2):
    return parse_config({
        "mavlink": {"link_timeout_s": 1.0, "links": [
            {"name": "radio", "url": f"udpin://127.0.0.1:{p1}"},
            {"name": "lte", "url": f"udpin://127.0.0.1:{p2}"},
        ]},
        "units": [{"id": "air-1", "kind": "drone", "mavlink": {"sysid": 1}}],
    })



def router(svc):
    return svc._links[0].router


async def test_backup_link_takes_over_when_primary_goes_quiet_and_gives_back():
    p1, p2 = free_port(), free_port()
    async with FleetService(two_link_config(p1, p2)) as svc:
        radio = ScriptedVehicle(("127.0.0.1", p1))
        lte = ScriptedVehicle(("127.0.0.1", p2), booted_at=radio.booted_at)  # same vehicle
        radio_task = asyncio.create_task(radio.run())
        await svc.wait_for_unit("air-1", timeout=10)
        lte_task = asyncio.create_task(lte.run())
        try:
            await until(svc, lambda: router(svc).counters.duplicates > 5)
            assert svc.snapshot("air-1").link == "mavlink:radio"  # one path used
            radio_task.cancel()  # the radio goes quiet
            await until(svc, lambda: svc.snapshot("air-1").link == "mavlink:lte")
            failover = [a for a in svc.alerts if a.code == "mavlink.failover"]
            assert "now on mavlink:lte" in failover[-1].message
            assert svc.snapshot("air-1").link_state.value == "ok"  # never lost
            radio_task = asyncio.create_task(radio.run())  # the radio comes back
            await until(svc, lambda: svc.snapshot("air-1").link == "mavlink:radio")
            assert "healthy again" in [a for a in svc.alerts
                                       if a.code == "mavlink.failover"][-1].message
            assert router(svc).counters.intruder_messages == 0
        finally:
            radio_task.cancel()
            lte_task.cancel()
            radio.close()
            lte.close()


async def test_two_vehicles_with_one_sysid_are_not_merged():
    p1, p2 = free_port(), free_port()
    async with FleetService(two_link_config(p1, p2)) as svc:
        first = ScriptedVehicle(("127.0.0.1", p1), lat=26.89)
        other = ScriptedVehicle(("127.0.0.1", p2), lat=27.5,
                                booted_at=first.booted_at + 60)  # booted a minute later
        tasks = [asyncio.create_task(first.run())]
        await svc.wait_for_unit("air-1", timeout=10)
        tasks.append(asyncio.create_task(other.run()))
        try:
            await until(svc, lambda: any(a.code == "mavlink.sysid_collision"
                                         for a in svc.alerts))
            alert = next(a for a in svc.alerts if a.code == "mavlink.sysid_collision")
            assert "another vehicle claims MAVLink id 1:1 on mavlink:lte" in alert.message
            await until(svc, lambda: router(svc).counters.intruder_messages > 5)
            assert svc.snapshot("air-1").telemetry.lat_deg == pytest.approx(26.89)  # ours
        finally:
            for t in tasks:
                t.cancel()
            first.close()
            other.close()


async def test_link_loss_marks_the_drone_lost_and_recovery_is_automatic():
    p1, p2 = free_port(), free_port()
    async with FleetService(two_link_config(p1, p2)) as svc:
        v = ScriptedVehicle(("127.0.0.1", p1))
        task = asyncio.create_task(v.run())
        drone = await svc.wait_for_unit("air-1", timeout=10)
        statuses = drone.telemetry.status()
        try:
            assert (await anext(statuses)).value == "available"
            task.cancel()
            assert (await asyncio.wait_for(anext(statuses), 15)).value == "lost"
            task = asyncio.create_task(v.run())
            assert (await asyncio.wait_for(anext(statuses), 15)).value == "available"
            codes = [a.code for a in svc.alerts]
            assert codes.index("unit.lost") < codes.index("unit.recovered")
        finally:
            await statuses.aclose()
            task.cancel()
            v.close()
