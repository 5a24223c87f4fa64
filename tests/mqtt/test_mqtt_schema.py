"""Schema v1 decoding and encoding, topics, and the command shapes: pure, no broker."""

from __future__ import annotations

import contextlib
import json
import math

import pytest
from factories import make_unit, tel
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mqtt_helpers import telemetry

from fleet.commands import Goto, Hold, Orbit, Patrol, ReturnToLaunch, SetStatus
from fleet.events import UnitSnapshot
from fleet.links.mqtt.commands import LocalRefusal, command_fields
from fleet.links.mqtt.owntracks import decode_owntracks
from fleet.links.mqtt.refusals import BridgeCounters, PayloadError, Refusal, RefusalLog
from fleet.links.mqtt.schema import decode_ack, decode_telemetry
from fleet.links.mqtt.schema import telemetry as to_telemetry
from fleet.links.mqtt.state_publisher import state_payload
from fleet.links.mqtt.topics import Topics
from fleet.model import LinkState, UnitKind, UnitStatus


def test_the_contract_example_decodes():
    example = (b'{"v": 1, "ts": 1795900000.25, "lat": 26.8951, "lon": 112.5783, "alt": 62.0,'
               b' "speed": 8.4, "heading": 271.5, "fuel": 76.0, "status": "patrolling",'
               b' "crew": 2, "future_field": {"x": [1]}}')
    t = to_telemetry(decode_telemetry(example), 1795900001.0)
    assert (t.lat_deg, t.lon_deg, t.alt_m, t.ground_speed_m_s, t.heading_deg, t.battery_pct,
            t.mode, t.source_time, t.received_time) == (
        26.8951, 112.5783, 62.0, 8.4, 271.5, 76.0, "patrolling", 1795900000.25, 1795900001.0)
    minimal = to_telemetry(decode_telemetry(b'{"v":1,"ts":1,"lat":0,"lon":0}'), 2.0)
    assert minimal.alt_m is None and minimal.mode is None and minimal.battery_pct is None


@pytest.mark.parametrize(("payload", "reason"), [
    (b"{", Refusal.BAD_JSON),
    (b'{"v":1,"ts":1,"lat":NaN,"lon":0}', Refusal.BAD_JSON),
    (b'{"v":1,"ts":1,"lat":0,"lon":0,"alt":null}', Refusal.WRONG_TYPE),
    (b'{"v":"1","ts":1,"lat":0,"lon":0}', Refusal.WRONG_TYPE),
    (b'{"v":1,"ts":1,"lat":0,"lon":0,"alt":1e400}', Refusal.OUT_OF_RANGE),
    (b'{"v":1,"ts":1,"lat":-90.01,"lon":0}', Refusal.OUT_OF_RANGE),
    (b'{"v":1,"ts":1,"lat":0,"lon":0,"status":"lost"}', Refusal.OUT_OF_RANGE),
    (b'{"v":3,"ts":1,"lat":0,"lon":0}', Refusal.BAD_VERSION),
    (b'{"v":1,"ts":1,"lat":0,"lon":0,"x":"' + b"y" * 4100 + b'"}', Refusal.TOO_LARGE),
])
def test_telemetry_refusals_say_which_rule_failed(payload, reason):
    with pytest.raises(PayloadError) as err:
        decode_telemetry(payload)
    assert err.value.reason is reason


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_no_bytes_raise_anything_but_a_payload_error(data):
    for decode in (decode_telemetry, decode_ack, decode_owntracks):
        with contextlib.suppress(PayloadError):  # anything else fails the test
            decode(data)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["v", "ts", "lat", "lon", "alt", "speed", "heading",
                                        "fuel", "status", "crew"]),
                       st.one_of(st.none(), st.booleans(), st.integers(),
                                 st.sampled_from(["patrolling", "lost", ""]),
                                 st.floats(allow_nan=False, allow_infinity=False))))
def test_whatever_decodes_is_within_the_contract(fields):
    try:
        p = decode_telemetry(json.dumps(fields).encode())
    except PayloadError:
        return
    assert p.v == 1 and -90 <= p.lat <= 90 and -180 <= p.lon <= 180
    assert all(math.isfinite(x) for x in (p.ts, p.lat, p.lon))


def test_acks():
    ack = decode_ack(b'{"v":1,"id":"c-77","ts":1.0,"result":"rejected","reason":"no road"}')
    assert (ack.id, ack.result, ack.reason) == ("c-77", "rejected", "no road")
    for bad in (b'{"v":1,"id":"","ts":1,"result":"accepted"}',
                b'{"v":1,"id":"' + b"x" * 65 + b'","ts":1,"result":"accepted"}',
                b'{"v":1,"id":"c","ts":1,"result":"done"}'):
        with pytest.raises(PayloadError, match="out_of_range"):
            decode_ack(bad)


def test_topics_parse_and_build():
    topics = Topics("city/fleet/v1")
    assert topics.parse("city/fleet/v1/patrol_car/rp08-pc1/telemetry") == \
        ("telemetry", "patrol_car", "rp08-pc1")
    assert topics.parse("owntracks/li/pixel") == ("owntracks", "", "li/pixel")
    for other in ("city/fleet/v1/patrol_car//telemetry", "city/fleet/v1/a/b/c/d",
                  "owntracks/li/pixel/event", "fleet/v1/patrol_car/x/telemetry"):
        assert topics.parse(other) is None
    assert topics.unit("patrol_boat", "b1", "cmd") == "city/fleet/v1/patrol_boat/b1/cmd"
    assert topics.state("b1") == "city/fleet/v1/state/b1"
    assert [t for t, _ in topics.subscriptions()][-1] == "owntracks/+/+"


def test_command_shapes():
    assert command_fields(Goto(26.9, 112.6, 40.0)) == ("goto", {"lat": 26.9, "lon": 112.6})
    assert command_fields(Patrol(((1, 2), (3, 4)), loop=False)) == \
        ("patrol", {"route": [[1, 2], [3, 4]], "loop": False})
    assert command_fields(Hold()) == ("hold", {})
    assert command_fields(ReturnToLaunch()) == ("return", {})
    assert command_fields(SetStatus(UnitStatus.EN_ROUTE)) == \
        ("set_status", {"status": "en_route"})
    assert command_fields(Orbit(1, 2, 3)) is None
    with pytest.raises(LocalRefusal):
        command_fields(Patrol(((1, 2), (95, 4))))


def test_state_payload_omits_what_is_unknown():
    unit = make_unit("boat-1", UnitKind.PATROL_BOAT)
    never = UnitSnapshot(unit, UnitStatus.LOST, UnitStatus.AVAILABLE, LinkState.NEVER_SEEN,
                         None, None, None)
    assert json.loads(state_payload(never, 5.0)) == {
        "v": 1, "ts": 5.0, "id": "boat-1", "callsign": "BOAT-1", "kind": "patrol_boat",
        "group": "g1", "status": "lost", "link_state": "never_seen"}
    heard = UnitSnapshot(unit, UnitStatus.PATROLLING, UnitStatus.PATROLLING, LinkState.OK,
                         "mqtt", tel(float("nan"), float("nan"), battery_pct=50.0), 1.0)
    body = json.loads(state_payload(heard, 5.0))
    assert "lat" not in body and body["fuel"] == 50.0 and "speed" not in body


def test_refusals_are_counted_each_time_and_logged_once_per_kind(caplog):
    counters = BridgeCounters()
    alerts = []
    refuse = RefusalLog(counters, lambda reason, message: alerts.append(reason))
    for _ in range(3):
        refuse(Refusal.BAD_JSON, "t", "x")
    refuse(Refusal.TOO_LARGE, "t", "y")
    assert counters.refused() == {"bad_json": 3, "too_large": 1}
    assert alerts == [Refusal.BAD_JSON, Refusal.TOO_LARGE]
    assert len([r for r in caplog.records if r.name == "fleet.mqtt"]) == 2
    assert telemetry()  # the helper's payload is the contract's example shape
