"""The console driving simulated drones: fleet and the simulator in this process, meeting
only on real UDP sockets, the operator's keys going all the way to the vehicles."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from broker import free_port
from console_harness import Console, console
from textual.widgets import Button
from waits import connected

from fleet.config import parse_config
from fleet.model import LinkState
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, SITL_BOOT, DroneFleetSim, FleetConfig, Home
from tui.screens.confirm import ConfirmScreen


@contextlib.asynccontextmanager
async def drones(count: int = 2, stale_after_s: float = 5.0, gcs_failsafe: str = "rtl",
                 **sim_options) -> AsyncIterator[tuple[Console, DroneFleetSim]]:
    """fleet listening on one UDP port, ``count`` simulated drones, the console on top.
    ``gcs_failsafe="vehicle"`` leaves the drones' FS_GCS_ENABLE as set in ``params``: a
    test of something else at 10x or more, on a loaded machine, should not see its drone
    RTL because one of fleet's heartbeats came half a wall second late."""
    sim_options.setdefault("speedup", 20)
    port = free_port()
    config = parse_config({
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "command_timeout_s": 0.15, "gcs_failsafe": gcs_failsafe,
                    "heartbeat_hz": sim_options["speedup"], "link_timeout_s": stale_after_s},
        "kinds": {"drone": {"stale_after_s": stale_after_s}},
        "units": [{"id": f"air-{i}", "callsign": f"Eagle {i}", "kind": "drone",
                   "mavlink": {"sysid": i}} for i in range(1, count + 1)],
    })
    sim_options.setdefault("boot", FAST_BOOT)
    async with FleetService(config) as svc:
        await connected(svc)
        async with DroneFleetSim(FleetConfig(count=count, udpout=("127.0.0.1", port),
                                             home=Home(26.893, 112.588, 95),
                                             **sim_options)) as sim, console(svc) as c:
            yield c, sim


def telemetry(c: Console, unit_id: str):
    snap = c.app.model.units[unit_id]
    return snap.telemetry


async def test_arming_two_drones_after_confirmation_arms_both() -> None:
    # at 4x ArduCopter's 10 s auto-disarm on the ground is 2.5 s: long enough to watch
    async with drones(2, speedup=4) as (c, _sim):
        await c.until(lambda: all(getattr(telemetry(c, u), "ready", False)
                                  for u in ("air-1", "air-2")), 15, "both drones ready")
        await c.press("space", "space")
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        await c.pilot.click(Button, offset=(2, 1))  # "Send", the first button
        await c.until(lambda: all(getattr(telemetry(c, u), "armed", False)
                                  for u in ("air-1", "air-2")), 15, "both drones armed")
        await c.until(lambda: c.last_command("air-1") == c.last_command("air-2")
                      == "arm: accepted", 15)


async def test_arming_before_ready_shows_the_vehicles_reason() -> None:
    async with drones(1, boot=SITL_BOOT, speedup=1.0) as (c, _sim):
        await c.until(lambda: c.status_of("air-1") == "landed", 10)
        await c.press("a")
        await c.until(lambda: c.last_command("air-1").startswith("arm: failed"), 15)
        reason = c.app.model.last_command["air-1"].detail  # e.g. "MAV_RESULT_FAILED: Arm:
        assert reason.startswith("MAV_RESULT_") and "Arm" in reason  # System not initialised"
        await c.until(lambda: reason in c.log_text())


async def test_a_dropped_link_shows_lost_then_back() -> None:
    async with drones(1, stale_after_s=1.0) as (c, sim):
        await c.until(lambda: c.status_of("air-1") == "landed", 10)
        sim.instances[0].drop_link(3 * 20)  # 3 s of wall time at 20x; lost after 1 s
        await c.until(lambda: c.status_of("air-1") == "lost", 15)
        assert c.app.model.units["air-1"].link_state is LinkState.LOST
        assert c.header.counts["lost"] == 1
        await c.until(lambda: "Eagle 1: no telemetry" in c.log_text())
        await c.until(lambda: c.status_of("air-1") == "landed", 20)
        await c.until(lambda: "Eagle 1: telemetry back" in c.log_text())
