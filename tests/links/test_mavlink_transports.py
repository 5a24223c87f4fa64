"""Every MAVLink transport against a real peer: TCP client, TCP server, serial (a pty
pair), plus signing and read-only units."""

import asyncio
import os
import pty
import socket
import tty

import pytest
from broker import free_port
from mav_peer import ScriptedVehicle, ack
from pymavlink.dialects.v20 import ardupilotmega as m
from waits import connected

from fleet.config import parse_config
from fleet.errors import CommandRejectedError
from fleet.events import ConnectionState
from fleet.links.mavlink.signing import signing_key
from fleet.service import FleetService

UNITS = [{"id": "air-1", "kind": "drone", "mavlink": {"sysid": 1}},
         {"id": "air-2", "kind": "drone", "mavlink": {"sysid": 2}, "read_only": True}]


def config(link, **extra):
    # the scripted peer answers no parameters: fleet must not set its GCS failsafe
    return parse_config({"mavlink": {"links": [{"name": "l", **link}],
                                     "gcs_failsafe": "vehicle"},
                         "units": UNITS,
                         **extra})


async def test_tcp_client_link_reconnects_when_the_vehicle_comes_back():
    port = free_port()
    accepted: asyncio.Queue = asyncio.Queue()

    async def vehicle_side(reader, writer):
        await accepted.put((reader, writer))

    server = await asyncio.start_server(vehicle_side, "127.0.0.1", port)
    from fleet.links.supervisor import ReconnectPolicy
    async with FleetService(config({"url": f"tcp://127.0.0.1:{port}"}),
                            reconnect=ReconnectPolicy(initial_s=0.05, max_s=0.1)) as svc:
        for _ in range(2):  # connect, drop, reconnect
            _, writer = await asyncio.wait_for(accepted.get(), 10)
            sock = writer.get_extra_info("socket")
            v = ScriptedVehicle(stream=_dup_nonblocking(sock))
            task = asyncio.create_task(v.run())
            await svc.wait_for_unit("air-1", timeout=10)
            assert svc.snapshot("air-1").link == "mavlink:l"
            task.cancel()
            writer.close()
            v.stream.close()
        assert svc.links()[0].state in (ConnectionState.CONNECTED, ConnectionState.CONNECTING,
                                        ConnectionState.DISCONNECTED)
    server.close()


async def test_tcp_server_link_accepts_vehicles():
    port = free_port()
    async with FleetService(config({"url": f"tcpin://127.0.0.1:{port}"})) as svc:
        await connected(svc)
        sock = socket.create_connection(("127.0.0.1", port))
        sock.setblocking(False)
        v = ScriptedVehicle(stream=sock, on_command=lambda msg: [ack(msg, 0)])
        task = asyncio.create_task(v.run())
        try:
            drone = await svc.wait_for_unit("air-1", timeout=10)
            await drone.action.set_mode("GUIDED", timeout=10)  # a reply reaches us
        finally:
            task.cancel()
            sock.close()


async def test_serial_link_over_a_pty():
    ours, theirs = pty.openpty()
    tty.setraw(theirs)
    os.set_blocking(ours, False)
    device = os.ttyname(theirs)
    async with FleetService(config({"url": f"serial://{device}", "baud": 115200})) as svc:
        v = ScriptedVehicle(stream=ours, on_command=lambda msg: [ack(msg, 0)])
        task = asyncio.create_task(v.run())
        try:
            drone = await svc.wait_for_unit("air-1", timeout=10)
            await drone.action.arm(timeout=10)
        finally:
            task.cancel()
    os.close(ours)
    os.close(theirs)


async def test_signed_link_refuses_unsigned_and_wrongly_signed_packets():
    port = free_port()
    key_text = "fleet test passphrase"
    cfg = config({"url": f"udpin://127.0.0.1:{port}", "signing_key": key_text})
    async with FleetService(cfg) as svc:
        link = svc._links[0]
        await connected(svc)
        plain = ScriptedVehicle(("127.0.0.1", port), sysid=2)
        wrong = ScriptedVehicle(("127.0.0.1", port), sysid=2, signing_key=b"x" * 32)
        signed = ScriptedVehicle(("127.0.0.1", port), signing_key=signing_key(key_text),
                                 on_command=lambda msg: [ack(msg, 0)])
        for v in (plain, wrong):
            v.heartbeat()
            v.position()
        task = asyncio.create_task(signed.run())
        try:
            drone = await svc.wait_for_unit("air-1", timeout=10)
            await drone.action.arm(timeout=10)  # our commands are signed: the peer accepts
            assert link.frame_counters.bad_signature >= 4
            assert svc.snapshot("air-2").link_state.value == "never_seen"
            cmd = next(x for x in signed.received if x.get_type() == "COMMAND_LONG")
            assert cmd._signed
        finally:
            task.cancel()
            for v in (plain, wrong, signed):
                v.close()


async def test_read_only_units_are_refused_locally():
    port = free_port()
    async with FleetService(config({"url": f"udpin://127.0.0.1:{port}"})) as svc:
        v = ScriptedVehicle(("127.0.0.1", port), sysid=2, on_command=lambda msg: [ack(msg, 0)])
        task = asyncio.create_task(v.run())
        try:
            drone = await svc.wait_for_unit("air-2", timeout=10)
            with pytest.raises(CommandRejectedError, match="read-only"):
                await drone.action.arm(timeout=5)
            v.poll()
            assert not [x for x in v.received if x.get_type() == "COMMAND_LONG"
                        and x.command == m.MAV_CMD_COMPONENT_ARM_DISARM]  # data requests only
        finally:
            task.cancel()
            v.close()



def _dup_nonblocking(sock):
    dup = socket.socket(fileno=os.dup(sock.fileno()))
    dup.setblocking(False)
    return dup
