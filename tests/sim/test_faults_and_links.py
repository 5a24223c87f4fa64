"""Fault injection has its effect; UDP sender mode; sysid collision; MAVLink 2 signing."""

from __future__ import annotations

import hashlib
import time
from itertools import pairwise

from mavclient import M, MavClient
from sim_kit import fly_to_altitude, sim_and_gcs

from simulators.drone import FAST_BOOT, DroneFleetSim, FaultConfig, FleetConfig, ManualClock


def _beats(msgs) -> list:
    return [m for m in msgs if m.get_type() == "HEARTBEAT"]


async def test_outgoing_loss_drops_frames_and_leaves_sequence_gaps():
    async with sim_and_gcs(faults=FaultConfig(loss=0.5), seed=3) as (sim, gcs):
        beats = _beats(await gcs.collect(40.0))
        assert 8 <= len(beats) <= 32                      # ~20 of 40, seeded
        seqs = [m.get_seq() for m in gcs.received]
        assert any((b - a) % 256 != 1 for a, b in pairwise(seqs))
        assert sim.instances[0].endpoint.injector.dropped_out > 0


async def test_duplication_repeats_frames_with_the_same_sequence():
    async with sim_and_gcs(faults=FaultConfig(duplicate=1.0)) as (_, gcs):
        beats = _beats(await gcs.collect(3.0))
        assert len(beats) >= 4
        assert beats[0].get_seq() == beats[1].get_seq()


async def test_link_drop_silences_both_directions_for_its_period(sim, gcs):
    assert _beats(await gcs.collect(2.0))
    sim.instances[0].drop_link(5.0)
    assert _beats(await gcs.collect(4.5)) == []
    gcs.send(gcs.mav.command_long_encode(1, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0))
    assert [m for m in await gcs.collect(0.4) if m.get_type() == "COMMAND_ACK"] == []
    assert _beats(await gcs.collect(2.0))                  # back after the drop


async def test_scheduled_link_drop_from_config():
    async with sim_and_gcs(faults=FaultConfig(link_drop_at_s=3.0, link_drop_for_s=4.0)) as (_, g):
        first = _beats(await g.collect(3.0))
        during = _beats(await g.collect(3.5))
        after = _beats(await g.collect(3.0))
        assert first and not during and after


async def test_ignored_command_gets_no_ack_at_all(sim, gcs):
    sim.instances[0].ignore_command(M.MAV_CMD_COMPONENT_ARM_DISARM)
    gcs.send(gcs.mav.command_long_encode(1, 1, 400, 0, 1, 0, 0, 0, 0, 0, 0))
    assert [m for m in await gcs.collect(3.0) if m.get_type() == "COMMAND_ACK"] == []
    assert (await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, 148)).result == 0
    sim.instances[0].ignore_command(M.MAV_CMD_COMPONENT_ARM_DISARM, False)
    assert (await gcs.arm()).result in (0, M.MAV_RESULT_FAILED)


async def test_latency_delays_answers_by_sim_time():
    async with sim_and_gcs(faults=FaultConfig(latency_ms=400)) as (sim, gcs):
        t0 = sim.now
        await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, 148)
        assert sim.now - t0 >= 0.75                      # 0.4 s each way


async def test_corrupted_output_is_rejected_by_the_client_and_the_sim_lives_on():
    async with sim_and_gcs(faults=FaultConfig(corrupt=1.0, garbage=0.5)) as (sim, gcs):
        got = await gcs.collect(5.0)
        assert len(_beats(got)) <= 2                     # nearly every frame fails its CRC
        assert gcs.mav.total_receive_errors > 0
        sim.instances[0].link_faults.corrupt_out = 0.0
        sim.instances[0].link_faults.garbage_out = 0.0
        assert _beats(await gcs.collect(3.0))


async def test_gps_loss_in_flight_ends_in_land_and_disarm(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    sim.instances[0].lose_gps()
    await gcs.wait_text("EKF variance", sim_s=10)
    await gcs.wait(lambda m: m.get_type() == "HEARTBEAT" and m.custom_mode == 9, sim_s=5)
    await gcs.wait_text("Disarming motors", sim_s=60)


async def test_battery_fault_triggers_the_failsafe_action(sim, gcs):
    await fly_to_altitude(gcs, 10.0)
    sim.instances[0].battery_fault(97)
    text = await gcs.wait_text("Battery 1 is", sim_s=30)
    assert "critical" in text.text or "low" in text.text
    hb = await gcs.wait(lambda m: m.get_type() == "HEARTBEAT" and m.custom_mode in (6, 9))
    assert hb.system_status == M.MAV_STATE_CRITICAL


async def test_udpout_serves_many_sysids_and_reads_replies_on_the_same_socket():
    def make(port: int) -> DroneFleetSim:
        cfg = FleetConfig(count=3, udpout=("127.0.0.1", port), boot=FAST_BOOT)
        return DroneFleetSim(cfg, clock=ManualClock())
    gcs = await MavClient.udp(make)
    try:
        async with gcs.sim:
            beats = _beats(await gcs.collect(2.0))
            assert {b.get_srcSystem() for b in beats} == {1, 2, 3}
            gcs.target = 2
            ack = await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, 148)
            assert ack.get_srcSystem() == 2 and ack.result == 0
            by_sysid = {}
            for m in gcs.received:
                by_sysid.setdefault(m.get_srcSystem(), []).append(m.get_seq())
            for seqs in by_sysid.values():                # continuous per instance link
                assert all((b - a) % 256 == 1 for a, b in pairwise(seqs))
    finally:
        gcs.close()


async def test_sysid_collision_makes_two_links_claim_one_sysid():
    def make(port: int) -> DroneFleetSim:
        cfg = FleetConfig(count=2, udpout=("127.0.0.1", port), boot=FAST_BOOT,
                          sysid_collision=True)
        return DroneFleetSim(cfg, clock=ManualClock())
    gcs = await MavClient.udp(make)
    try:
        async with gcs.sim as sim:
            beats = _beats(await gcs.collect(2.0))
            assert {b.get_srcSystem() for b in beats} == {1}
            assert [i.sysid for i in sim.instances] == [1, 1]
            assert len(gcs.peers) == 1 and len({i.port for i in sim.instances}) == 2
    finally:
        gcs.close()


async def test_signing_refuses_unsigned_commands_and_signs_its_output():
    key = hashlib.sha256(b"police").digest()
    async with sim_and_gcs(signing_key=key) as (_, gcs):
        gcs.send(gcs.mav.command_long_encode(1, 1, 512, 0, 148, 0, 0, 0, 0, 0, 0))
        got = await gcs.collect(2.0)
        assert not [m for m in got if m.get_type() == "COMMAND_ACK"]
        assert all(m.get_msgbuf()[2] & M.MAVLINK_IFLAG_SIGNED for m in got)
        gcs.mav.signing.secret_key = key
        gcs.mav.signing.sign_outgoing = True
        gcs.mav.signing.timestamp = int((time.time() - 1420070400) * 1e5)   # 10 us since 2015
        assert (await gcs.command(M.MAV_CMD_REQUEST_MESSAGE, 148)).result == 0
