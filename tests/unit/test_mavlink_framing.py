"""The MAVLink framer against pymavlink's own encoder: every frame out, every bad byte
counted, never an exception."""

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fleet.links.mavlink.dialect import mavlink2 as m
from fleet.links.mavlink.framing import FrameParser


def encoder(sysid=1):
    return m.MAVLink(None, srcSystem=sysid, srcComponent=1)


def pack(mav, msg, v1=False):
    data = msg.pack(mav, force_mavlink1=v1)
    mav.seq = (mav.seq + 1) & 0xFF
    return data


def sample(mav):
    return [
        pack(mav, m.MAVLink_heartbeat_message(2, 3, 81, 4, 4, 3)),
        pack(mav, m.MAVLink_global_position_int_message(1000, 268_900_000, 1_125_700_000,
                                                        50_000, 20_000, 100, -50, 0, 9000)),
        pack(mav, m.MAVLink_statustext_message(4, b"PreArm: Need 3D Fix")),
        pack(mav, m.MAVLink_sys_status_message(1, 1, 1, 500, 12_000, -1, 80, 0, 0, 0, 0, 0,
                                               0)),
    ]


def parser(wanted=None):
    mav = m.MAVLink(None)
    mav.robust_parsing = True
    return FrameParser(mav, wanted=wanted)


def test_hot_and_slow_messages_decode_to_the_same_fields_as_pymavlink():
    frames = parser().feed(b"".join(sample(encoder(7))))
    assert [f.msgid for f in frames] == [0, 33, 253, 1]
    assert {f.sysid for f in frames} == {7}
    gpi = frames[1].msg
    assert (gpi.lat, gpi.lon, gpi.relative_alt, gpi.vy, gpi.hdg) == (
        268_900_000, 1_125_700_000, 20_000, -50, 9000)
    assert gpi.get_type() == "GLOBAL_POSITION_INT"
    assert frames[2].msg.text == "PreArm: Need 3D Fix"
    assert frames[3].msg.battery_remaining == 80


def test_mavlink1_frames_are_read_too():
    mav = encoder()
    data = pack(mav, m.MAVLink_heartbeat_message(2, 3, 81, 4, 4, 3), v1=True)
    [frame] = parser().feed(data)
    assert frame.msg.custom_mode == 4


def test_split_anywhere_in_a_stream():
    data = b"".join(sample(encoder()) * 5)
    p = parser()
    rng = random.Random(4)
    got, i = [], 0
    while i < len(data):
        n = rng.randint(1, 40)
        got += p.feed(data[i:i + n])
        i += n
    assert len(got) == 20
    assert p.counters.garbage_bytes == p.counters.bad_crc == 0


def test_garbage_bad_crc_and_truncation_are_counted():
    mav = encoder()
    good = sample(mav)
    bad = bytearray(good[1])
    bad[12] ^= 0xFF  # payload byte: CRC no longer matches
    p = parser()
    frames = p.feed(b"\x01\x02garbage" + bytes(bad) + good[0] + good[3][:7], final=True)
    assert [f.msgid for f in frames] == [0]
    assert p.counters.bad_crc == 1
    assert p.counters.garbage_bytes >= 9
    assert p.counters.truncated == 1


def test_unhandled_messages_are_checked_and_skipped_not_decoded():
    p = parser(wanted=frozenset({0}))
    frames = p.feed(b"".join(sample(encoder())))
    assert [f.msgid for f in frames] == [0]
    assert p.counters.ignored == 3


def test_an_unknown_message_id_followed_by_a_frame_is_skipped_whole():
    mav = encoder()
    hb = pack(mav, m.MAVLink_heartbeat_message(2, 3, 81, 4, 4, 3))
    unknown = bytearray(hb)
    unknown[7:10] = (0xEE, 0xEE, 0x00)  # msgid 61166: not in the dialect
    p = parser()
    frames = p.feed(bytes(unknown) + hb)
    assert [f.msgid for f in frames] == [0]
    assert p.counters.unknown_id == 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.integers(0, 3))
def test_random_bytes_never_raise(noise, where):
    good = sample(encoder())
    data = b"".join(good[:where]) + noise + b"".join(good[where:])
    p = parser()
    frames = p.feed(data, final=True)  # never raises
    assert [f.msgid for f in frames[:where]] == [0, 33, 253, 1][:where]  # before the noise
    assert p.counters.frames == len(frames)


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_counts_add_up_over_many_frames(chunk):
    data = b"".join(sample(encoder()) * 50)
    p = parser()
    n = sum(len(p.feed(data[i:i + chunk])) for i in range(0, len(data), chunk))
    assert n == 200 == p.counters.frames
