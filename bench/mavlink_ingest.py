"""MAVLink ingest: bytes in, fleet state updated, against bare pymavlink parse_buffer.

The stream is what 10 ArduCopters send when a GCS asks for all streams at 4 Hz (the mix
and rates of a real ArduCopter: 20 message types, ~50 messages per vehicle-second),
encoded with pymavlink. Both sides read it in 4 KiB chunks. Target: fleet's full ingest
at least as fast as bare ``parse_buffer`` (with fastcrc).
"""

from __future__ import annotations

import random
import statistics
import time

from fleet.config import parse_config
from fleet.core import _LinkPort
from fleet.links.mavlink import build_links
from fleet.links.mavlink.dialect import mavlink2 as m
from fleet.service import FleetService

N_VEHICLES = 10
SECONDS = 60
CHUNK = 4096

# (message factory, rate Hz): ArduCopter's stream groups at SRx_* = 4 (some at 2)
def _mix(rng: random.Random, t: float, sysid: int) -> list[tuple[object, float]]:
    boot = int(t * 1000)
    lat = round((26.89 + rng.uniform(-0.02, 0.02)) * 1e7)
    lon = round((112.57 + rng.uniform(-0.02, 0.02)) * 1e7)
    return [
        (m.MAVLink_heartbeat_message(2, 3, 209, 4, 4, 3), 1),
        (m.MAVLink_sys_status_message(1, 1, 1 | m.MAV_SYS_STATUS_PREARM_CHECK, 500, 12_400,
                                      900, 76, 0, 0, 0, 0, 0, 0), 2),
        (m.MAVLink_power_status_message(5000, 0, 0), 2),
        (m.MAVLink_meminfo_message(0, 65535, 200_000), 2),
        (m.MAVLink_mission_current_message(3, 10, 2, 0), 2),
        (m.MAVLink_gps_raw_int_message(boot * 1000, 3, lat, lon, 80_000, 90, 120, 800, 9000,
                                       14), 2),
        (m.MAVLink_nav_controller_output_message(0.1, 0.2, 90, 90, 120, 0.5, 0.1, 0.2), 2),
        (m.MAVLink_global_position_int_message(boot, lat, lon, 80_000, 30_000, 500, 300, 0,
                                               9000), 4),
        (m.MAVLink_attitude_message(boot, 0.01, 0.02, 1.57, 0, 0, 0), 4),
        (m.MAVLink_vfr_hud_message(6.0, 5.8, 90, 45, 30.0, 0.0), 4),
        (m.MAVLink_raw_imu_message(boot * 1000, 1, 2, -1000, 0, 0, 0, 100, 200, 300), 2),
        (m.MAVLink_scaled_pressure_message(boot, 1002.0, 0.1, 2500), 2),
        (m.MAVLink_servo_output_raw_message(boot * 1000, 0, 1500, 1500, 1500, 1500, 0, 0, 0,
                                            0), 2),
        (m.MAVLink_rc_channels_message(boot, 16, *([1500] * 18), 255), 2),
        (m.MAVLink_system_time_message(int(1.8e15 + t * 1e6), boot), 1),
        (m.MAVLink_ahrs2_message(0.01, 0.02, 1.57, 80.0, lat, lon), 4),
        (m.MAVLink_ekf_status_report_message(0x1FF - 128, 0.1, 0.1, 0.1, 0.1, 0.1), 2),
        (m.MAVLink_vibration_message(boot * 1000, 0.1, 0.1, 0.1, 0, 0, 0), 2),
        (m.MAVLink_battery_status_message(0, 3, 4, 2500, [4100] * 10, 900, 1000, 500, 76),
         1),
        (m.MAVLink_terrain_report_message(lat, lon, 0, 40.0, 30.0, 0, 0), 1),
    ]


def recorded_stream(seed: int = 1) -> tuple[bytes, int]:
    rng = random.Random(seed)
    codecs = [m.MAVLink(None, srcSystem=s + 1, srcComponent=1) for s in range(N_VEHICLES)]
    out = bytearray()
    count = 0
    for tick in range(SECONDS * 4):  # 4 Hz ticks
        t = tick / 4
        for mav in codecs:
            for msg, rate in _mix(rng, t, mav.srcSystem):
                if tick % int(4 / rate) == 0:
                    out += msg.pack(mav)
                    mav.seq = (mav.seq + 1) & 0xFF
                    count += 1
    return bytes(out), count


def _chunks(data: bytes) -> list[bytes]:
    return [data[i:i + CHUNK] for i in range(0, len(data), CHUNK)]


def bench_pymavlink(chunks: list[bytes]) -> float:
    mav = m.MAVLink(None)
    mav.robust_parsing = True
    t0 = time.perf_counter()
    n = 0
    for c in chunks:
        n += len(mav.parse_buffer(c) or ())
    return n / (time.perf_counter() - t0)


def bench_fleet(chunks: list[bytes], total: int) -> tuple[float, int]:
    config = parse_config({
        "mavlink": {"links": [{"name": "bench", "url": "udpin://127.0.0.1:9"}]},
        "units": [{"id": f"air-{i}", "kind": "drone", "mavlink": {"sysid": i}}
                  for i in range(1, N_VEHICLES + 1)],
    })
    svc = FleetService(config)
    link = build_links(config, time.monotonic)[0]
    link.transport = type("T", (), {"stream": True})()  # bytes as from a TCP stream
    link.router.attach(link, _LinkPort(svc, link.name))
    link.router._request_streams = lambda *a: None  # nowhere to send in a bench
    t0 = time.perf_counter()
    for c in chunks:
        link._on_data(c, None)
    rate = total / (time.perf_counter() - t0)
    return rate, svc.state.counters.applied


def run() -> list[tuple[str, str, str]]:
    data, total = recorded_stream()
    chunks = _chunks(data)
    ours, theirs = [], []
    for _ in range(3):  # side by side, alternating
        theirs.append(bench_pymavlink(chunks))
        rate, applied = bench_fleet(chunks, total)
        ours.append(rate)
    a, b = statistics.median(ours), statistics.median(theirs)
    return [
        ("MAVLink stream, 10 copters (msgs)", f"{total:,}", ""),
        ("pymavlink parse_buffer (msgs/s)", f"{b:,.0f}", ""),
        ("fleet full ingest to state (msgs/s)", f"{a:,.0f}", ">= parse_buffer"),
        ("ratio fleet / parse_buffer", f"{a / b:.2f}x", ">= 1.0x"),
        ("state updates per run", f"{applied:,}", ""),
    ]


if __name__ == "__main__":
    for row in run():
        print(*row, sep="  |  ")
