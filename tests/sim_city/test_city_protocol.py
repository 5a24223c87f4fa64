"""Pure pieces of the wire: command parsing, acks, dedup, the MQTT codec, payloads, faults."""

from __future__ import annotations

import json
import random

import pytest
from city_wire import telemetry_problems
from hypothesis import given
from hypothesis import strategies as st

from simulators.city import mqtt_wire as wire
from simulators.city.commands import AnswerBook, Rejected, encode_ack, parse_command
from simulators.city.faults import FaultSpec, parse_fault
from simulators.city.telemetry import GARBAGE_KINDS, encode, garbage, telemetry_doc
from simulators.city.unit import Truth

TRUTH = Truth(26.8951, 112.5783, 62.0, 8.4, 271.5, 76.0, "patrolling", 2)


def cmd(**kw: object) -> bytes:
    return json.dumps({"v": 1, "id": "c-1", "ts": 1.0, **kw}).encode()


def test_well_formed_commands_parse():
    assert parse_command(cmd(type="goto", lat=26.9, lon=112.6)).lat == 26.9
    patrol = parse_command(cmd(type="patrol", route=[[26.9, 112.6], [26.91, 112.61]]))
    assert patrol.route == ((26.9, 112.6), (26.91, 112.61)) and patrol.loop
    assert not parse_command(cmd(type="patrol", route=[[1, 2], [3, 4]], loop=False)).loop
    assert parse_command(cmd(type="set_status", status="out_of_service")).status == \
        "out_of_service"
    assert parse_command(cmd(type="hold", extra="ignored")).type == "hold"


@pytest.mark.parametrize("doc, reason", [
    (dict(type="goto", lat="26.9", lon=112.6), "goto needs"),
    (dict(type="goto", lat=95.0, lon=112.6), "goto needs"),
    (dict(type="goto", lat=True, lon=112.6), "goto needs"),
    (dict(type="goto", lon=112.6), "goto needs"),
    (dict(type="fly"), "unknown command type"),
    (dict(type="patrol", route=[[26.9, 112.6]]), "at least 2"),
    (dict(type="patrol", route=[[26.9, 112.6], "x"]), "route points"),
    (dict(type="patrol", route=[[26.9, 112.6], [1, 2]], loop="yes"), "loop"),
    (dict(type="set_status", status="napping"), "unknown status"),
    (dict(type="hold", v=2), "unsupported version"),
])
def test_bad_commands_with_an_id_are_rejected_with_a_reason(doc, reason):
    with pytest.raises(Rejected) as info:
        parse_command(cmd(**doc))
    assert info.value.command_id == "c-1" and reason in info.value.reason


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b'{"v": 1, "type": "hold"}',
                                     json.dumps({"v": 1, "id": "x" * 65}).encode(),
                                     b'{"v": 1, "id": "c", "lat": NaN}'])
def test_commands_without_a_usable_id_cannot_be_answered(payload):
    with pytest.raises(Rejected) as info:
        parse_command(payload)
    assert info.value.command_id is None


def test_acks_follow_the_contract():
    assert json.loads(encode_ack("c-1", 17.25, "accepted")) == {
        "v": 1, "id": "c-1", "ts": 17.25, "result": "accepted"}
    assert json.loads(encode_ack("c-2", 1.0, "rejected", "no route"))["reason"] == "no route"


def test_the_answer_book_remembers_in_order_and_forgets_the_oldest():
    book = AnswerBook(capacity=2)
    book.record("a", b"1")
    book.record("a", b"2")
    book.record("b", b"3")
    book.record("c", b"4")
    assert "a" not in book and book.answers("b") == [b"3"] and book.answers("c") == [b"4"]


def test_real_telemetry_meets_the_contract_and_every_garbage_kind_breaks_it():
    doc = telemetry_doc(TRUTH, 1795900000.25)
    assert telemetry_problems(encode(doc)) == []
    rng = random.Random(3)
    for kind in GARBAGE_KINDS:
        for _ in range(20):
            assert telemetry_problems(garbage(kind, doc, rng)), kind


@given(st.binary(max_size=300), st.lists(st.integers(1, 50), max_size=40))
def test_packets_split_anywhere_in_the_stream_decode_the_same(payload, cuts):
    stream = wire.publish("fleet/v1/x/cmd", payload, qos=1, packet_id=7) + wire.puback(7)
    reader, packets, pos = wire.PacketReader(), [], 0
    for cut in [*cuts, len(stream)]:
        packets += reader.feed(stream[pos:pos + cut])
        pos += cut
    assert [p.type for p in packets] == [wire.PUBLISH, wire.PUBACK]
    assert wire.parse_publish(packets[0]) == ("fleet/v1/x/cmd", payload, 1, 7)


@pytest.mark.parametrize("size", [0, 127, 128, 16_383, 16_384, 300_000])
def test_remaining_length_round_trips_at_every_varint_boundary(size):
    payload = b"x" * size
    (packet,) = wire.PacketReader().feed(wire.publish("t", payload))
    assert wire.parse_publish(packet)[1] == payload


def test_the_connect_packet_carries_the_will_and_credentials():
    packet = wire.connect("rp08-pc1", keepalive_s=30, will=wire.Will("s/t", b"offline"),
                          username="u", password="p")
    flags = packet[packet.index(b"MQTT") + 5]
    assert flags == 0x80 | 0x40 | 0x20 | 0x08 | 0x04 | 0x02   # user, pass, retain, qos1, will
    assert packet.endswith(b"\x00\x03s/t\x00\x07offline\x00\x01u\x00\x01p")


def test_fault_specs_parse_from_the_command_line():
    spec = parse_fault("disconnect:units=0.05,at=30,for=20")
    assert (spec.kind, spec.fraction, spec.at_s, spec.for_s) == ("disconnect", 0.05, 30, 20)
    spec = parse_fault("garbage:units=rp08-pc1+rp08-mc2,rate=0.2,kinds=nan+huge")
    assert spec.units == ("rp08-pc1", "rp08-mc2") and spec.garbage_kinds == ("nan", "huge")
    assert not parse_fault("duplicate:units=rp03-mc2,client=other").same_client_id
    assert parse_fault("skew:seconds=-90").skew_s == -90 and parse_fault("skew").fraction == 1
    for bad in ("melt", "garbage:kinds=smoke", "disconnect:units=2.0", "skew:when=3",
                "disconnect:at"):
        with pytest.raises(ValueError):
            parse_fault(bad)


def test_a_fraction_of_units_is_chosen_by_the_seed():
    units = [f"u{i}" for i in range(100)]
    spec = FaultSpec("disconnect", fraction=0.1)
    first = spec.select(units, random.Random("s:1"))
    assert len(first) == 10 and first == spec.select(units, random.Random("s:1"))
    assert first != spec.select(units, random.Random("s:2"))
    with pytest.raises(ValueError):
        FaultSpec("disconnect", units=("nobody",)).select(units, random.Random(0))
