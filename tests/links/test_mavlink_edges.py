"""MAVLink core against a scripted peer over real UDP: discovery, telemetry, the
command protocol's corners, garbage on the wire, collisions, registry policy."""

import asyncio
import itertools

import pytest
from broker import free_port
from mav_peer import ScriptedVehicle, ack
from pymavlink.dialects.v20 import ardupilotmega as m
from waits import connected, until

from fleet.config import parse_config
from fleet.errors import CommandRejectedError, CommandTimeoutError
from fleet.model import GpsFix, LinkState, UnitStatus
from fleet.service import FleetService


def config(port, **mavlink):
    return parse_config({
        # the scripted peer answers no parameters: fleet must not set its GCS failsafe
        "mavlink": {"links": [{"name": "air", "url": f"udpin://127.0.0.1:{port}"}],
                    "gcs_failsafe": "vehicle", **mavlink},
        "units": [
            {"id": "air-1", "callsign": "Eagle 1", "kind": "drone", "mavlink": {"sysid": 1}},
            {"id": "air-2", "callsign": "Eagle 2", "kind": "drone", "mavlink": {"sysid": 2}},
        ],
    })



@pytest.fixture
async def fleet_and_port():
    port = free_port()
    async with FleetService(config(port)) as svc:
        await connected(svc)
        yield svc, port


async def fly(vehicle):
    return asyncio.create_task(vehicle.run())


async def test_discovers_vehicle_and_reports_telemetry(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port), custom_mode=4, armed=True)
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        await until(svc, lambda: drone.snapshot.telemetry is not None
                    and drone.snapshot.telemetry.lat_deg == pytest.approx(26.89))
        t = drone.snapshot.telemetry
        assert (t.mode, t.armed) == ("GUIDED", True)
        assert t.relative_alt_m == pytest.approx(10.0)
        assert t.ground_speed_m_s == pytest.approx(5.0)
        assert t.heading_deg == pytest.approx(90.0)
        assert drone.snapshot.link == "mavlink:air"
        assert drone.snapshot.status is UnitStatus.AVAILABLE
        # fleet asked for streams and sends its GCS heartbeat
        await until(svc, lambda: {msg.get_type() for msg in v.received}
                    >= {"HEARTBEAT", "REQUEST_DATA_STREAM"})
        hb = next(x for x in v.received if x.get_type() == "HEARTBEAT")
        assert (hb.type, hb.autopilot) == (m.MAV_TYPE_GCS, m.MAV_AUTOPILOT_INVALID)
        assert hb.get_srcSystem() == 255
    finally:
        task.cancel()
        v.close()


async def test_readiness_from_gps_ekf_and_prearm(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port))
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        v.send(m.MAVLink_gps_raw_int_message(0, 3, 0, 0, 0, 100, 100, 0, 0, 12))
        v.send(m.MAVLink_sys_status_message(0, 0, 0, 500, 12600, -1, 87, 0, 0, 0, 0, 0, 0))
        v.send(m.MAVLink_ekf_status_report_message(m.EKF_CONST_POS_MODE, 0, 0, 0, 0, 0))
        await until(svc, lambda: drone.snapshot.telemetry.gps_fix == GpsFix.FIX_3D
                    and drone.snapshot.telemetry.battery_pct == 87)
        assert drone.snapshot.telemetry.ready is False  # no pre-arm, EKF constant position
        assert drone.snapshot.telemetry.satellites == 12
        assert drone.snapshot.telemetry.battery_v == pytest.approx(12.6)
        v.send(m.MAVLink_sys_status_message(0, 0, m.MAV_SYS_STATUS_PREARM_CHECK, 500, 12600,
                                            -1, 87, 0, 0, 0, 0, 0, 0))
        v.send(m.MAVLink_ekf_status_report_message(m.EKF_POS_HORIZ_ABS, 0, 0, 0, 0, 0))
        await until(svc, lambda: drone.snapshot.telemetry.ready is True)
    finally:
        task.cancel()
        v.close()


async def test_command_accepted_after_in_progress(fleet_and_port):
    svc, port = fleet_and_port

    def answer(msg):
        return [ack(msg, m.MAV_RESULT_IN_PROGRESS, 50), ack(msg, m.MAV_RESULT_ACCEPTED)]

    v = ScriptedVehicle(("127.0.0.1", port), on_command=answer)
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        await drone.action.arm(timeout=10)
        cmd = next(x for x in v.received if x.get_type() == "COMMAND_LONG"
                   and x.command == m.MAV_CMD_COMPONENT_ARM_DISARM)
        assert (cmd.param1, cmd.param2) == (1, 0)  # not forced unless asked
        await drone.action.arm(force=True, timeout=10)
        forced = [x for x in v.received if x.get_type() == "COMMAND_LONG"
                  and x.command == m.MAV_CMD_COMPONENT_ARM_DISARM][-1]
        assert forced.param2 == 21196
    finally:
        task.cancel()
        v.close()


async def test_rejection_carries_result_and_statustext_reason(fleet_and_port):
    svc, port = fleet_and_port
    peer = {}

    def refuse(msg):
        peer["v"].statustext("PreArm: Need 3D Fix")
        return [ack(msg, m.MAV_RESULT_FAILED)]

    v = ScriptedVehicle(("127.0.0.1", port), on_command=refuse)
    peer["v"] = v
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        with pytest.raises(CommandRejectedError) as err:
            await drone.action.arm(timeout=10)
        assert err.value.result == "MAV_RESULT_FAILED"
        assert "PreArm: Need 3D Fix" in str(err.value)
        assert any(a.code == "mavlink.statustext" and "Need 3D Fix" in a.message
                   for a in svc.alerts)
    finally:
        task.cancel()
        v.close()


async def test_retries_with_confirmation_then_times_out():
    port = free_port()
    async with FleetService(config(port)) as svc:
        v = ScriptedVehicle(("127.0.0.1", port), on_command=lambda msg: [])  # never acks
        task = await fly(v)
        try:
            await svc.wait_for_unit("air-1", timeout=10)
            entry = next(iter(svc_router(svc).vehicles.values()))
            entry.commands.policy = type(entry.commands.policy)(attempts=3, ack_timeout_s=0.2)
            with pytest.raises(CommandTimeoutError, match="no COMMAND_ACK after 3 tries"):
                await svc.unit("air-1").action.disarm(timeout=10)
            v.poll()
            tries = [x.confirmation for x in v.received if x.get_type() == "COMMAND_LONG"
                     and x.command == m.MAV_CMD_COMPONENT_ARM_DISARM]
            assert tries == [0, 1, 2]
        finally:
            task.cancel()
            v.close()


async def test_garbage_and_corrupted_frames_are_counted_not_fatal(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port), garbage=b"\xfd\x09\x00garbage\xfe\x01")
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        # a frame with a wrong CRC
        bad = bytearray(m.MAVLink_heartbeat_message(2, 3, 0, 0, 0, 3).pack(v.mav))
        bad[-1] ^= 0xFF
        v.sock.sendto(bytes(bad) + b"\x00" * 5, ("127.0.0.1", port))
        await until(svc, lambda: svc_link(svc).frame_counters.bad_crc >= 1)
        counters = svc_link(svc).frame_counters
        assert counters.garbage_bytes > 0
        assert drone.snapshot.link_state is LinkState.OK
    finally:
        task.cancel()
        v.close()


async def test_unknown_vehicle_is_rejected_and_counted(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port), sysid=9)
    task = await fly(v)
    try:
        await until(svc, lambda: svc.state.counters.unknown_rejected >= 1)
        assert any(a.code == "unit.unknown" and "'9:1'" in a.message for a in svc.alerts)
        assert "mavlink-9-1" not in svc.state
    finally:
        task.cancel()
        v.close()


async def test_gcs_heartbeats_are_not_vehicles(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port), sysid=1, mav_type=m.MAV_TYPE_GCS,
                        autopilot=m.MAV_AUTOPILOT_INVALID)
    v.heartbeat()
    v.heartbeat()
    # then a real vehicle from the same socket: once it is heard, the GCS beats were read
    v.sysid, v.mav_type, v.autopilot = 2, m.MAV_TYPE_QUADROTOR, m.MAV_AUTOPILOT_ARDUPILOTMEGA
    v.mav.srcSystem = 2
    v.heartbeat()
    try:
        await svc.wait_for_unit("air-2", timeout=10)
        assert svc_router(svc).counters.non_vehicle_heartbeats == 2
        assert svc.state.link_state("air-1") is LinkState.NEVER_SEEN
    finally:
        v.close()


def svc_link(svc):
    return svc._links[0]


def svc_router(svc):
    return svc._links[0].router


async def test_sequence_numbers_are_continuous_per_link(fleet_and_port):
    svc, port = fleet_and_port
    v = ScriptedVehicle(("127.0.0.1", port), on_command=lambda msg: [ack(msg, 0)])
    task = await fly(v)
    try:
        drone = await svc.wait_for_unit("air-1", timeout=10)
        for mode in ("GUIDED", "LOITER", "GUIDED"):
            await drone.action.set_mode(mode, timeout=10)
        await until(svc, lambda: len(v.received) >= 6)
        seqs = [msg.get_seq() for msg in v.received]
        assert all((b - a) % 256 == 1 for a, b in itertools.pairwise(seqs))
    finally:
        task.cancel()
        v.close()
