"""Simulated drones on separate TCP links, and one drone on two paths with failover."""

from broker import free_port
from udp_tee import UdpTee
from waits import connected, until

from fleet.config import parse_config
from fleet.service import FleetService
from simulators.drone import FAST_BOOT, DroneFleetSim, FleetConfig, Home

HOME = Home(26.8930, 112.5880, 95.0)


async def test_three_drones_on_three_tcp_links():
    sim_config = FleetConfig(count=3, tcp_base=0, speedup=20, boot=FAST_BOOT, home=HOME)
    async with DroneFleetSim(sim_config) as sim:
        config = parse_config({
            "mavlink": {"links": [{"name": f"sitl{i}", "url": f"tcp://127.0.0.1:{inst.port}"}
                                  for i, inst in enumerate(sim.instances)]},
            "units": [{"id": f"air-{i}", "kind": "drone", "mavlink": {"sysid": i}}
                      for i in (1, 2, 3)],
        })
        async with FleetService(config) as svc:
            for i in (1, 2, 3):
                drone = await svc.wait_for_unit(f"air-{i}", timeout=10)
                assert drone.snapshot.link == f"mavlink:sitl{i - 1}"
                await drone.wait_ready(timeout=20)
                await drone.action.arm(timeout=10)


async def test_one_drone_two_paths_fails_over_and_keeps_flying():
    p1, p2 = free_port(), free_port()
    config = parse_config({
        "mavlink": {"link_timeout_s": 1.0, "heartbeat_hz": 20, "links": [
            {"name": "radio", "url": f"udpin://127.0.0.1:{p1}"},
            {"name": "lte", "url": f"udpin://127.0.0.1:{p2}"}]},
        "units": [{"id": "air-1", "kind": "drone", "mavlink": {"sysid": 1}}],
    })
    async with FleetService(config) as svc:
        await connected(svc)
        async with UdpTee([("127.0.0.1", p1), ("127.0.0.1", p2)]) as tee:
            sim_config = FleetConfig(count=1, udpout=("127.0.0.1", tee.port), speedup=20,
                                     boot=FAST_BOOT, home=HOME)
            async with DroneFleetSim(sim_config):
                drone = await svc.wait_for_unit("air-1", timeout=10)
                await drone.wait_ready(timeout=20)
                assert drone.snapshot.link == "mavlink:radio"
                tee.up[0] = False  # the radio path fails
                await until(svc, lambda: drone.snapshot.link == "mavlink:lte")
                await drone.action.arm(timeout=10)  # commands now go over LTE
                await drone.action.takeoff(15, timeout=10)
                await until(svc, lambda: (drone.snapshot.telemetry.relative_alt_m or 0) > 10,
                            timeout=30)
                tee.up[0] = True  # the radio is back: fleet returns to it
                await until(svc, lambda: drone.snapshot.link == "mavlink:radio")
                await drone.action.land(timeout=10)
                assert drone.snapshot.link_state.value == "ok"
                router = svc._links[0].router
                assert router.counters.failovers == 2
                assert router.counters.intruder_messages == 0
