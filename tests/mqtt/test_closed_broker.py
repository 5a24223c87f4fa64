"""The closed broker (fleet.brokerconf, as the demo runs it) against a real Mosquitto:
every forbidden publish of issue 14's probe is refused or never delivered, and the
traffic the fleet needs still flows.

Under MQTT 3.1.1 Mosquitto acks a publish its ACL refuses and drops it; what a test can
observe is that it never reaches a subscriber allowed to read it. Each such test
publishes the forbidden message at QoS 1 (the PUBACK says the broker has handled it),
then an allowed marker on a topic the same subscriber reads, and waits for the marker:
had the forbidden one been routed, it would have arrived first.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

import aiomqtt
import pytest
from aiomqtt import ProtocolVersion, Will

from fleet.broker import DemoBroker, demo_broker
from fleet.brokerconf import CORE_USER, plan_accounts
from fleet.config import parse_config
from fleet.links.mqtt.publish import Publisher, PublishRefusedError

pytestmark = pytest.mark.broker

P = "fleet/v1"
UNITS = [{"id": "rp07-pc1", "callsign": "RP07 Car 1", "kind": "patrol_car"},
         {"id": "rp02-pc1", "callsign": "RP02 Car 1", "kind": "patrol_car"},
         {"id": "rp08-mc1", "callsign": "RP08 Moto 1", "kind": "motorcycle"}]
CAR, OTHER, MOTO = "rp07-pc1", "rp02-pc1", "rp08-mc1"
CAD = "cad-operator"
MARK = b"marker"


@pytest.fixture
async def closed(tmp_path) -> AsyncIterator[DemoBroker]:
    config = parse_config({"mqtt": {"url": "mqtt://127.0.0.1:1883"}, "units": UNITS})
    async with demo_broker(plan_accounts(config, cad_users=(CAD,)), tmp_path) as b:
        yield b


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


def unit_password(b: DemoBroker, unit: str) -> str:
    return json.loads(b.files.unit_credentials.read_text())[unit]


def client(b: DemoBroker, user: str | None, *, password: str | None = None,
           control: bool = False, identifier: str | None = None, will: Will | None = None,
           protocol: ProtocolVersion = ProtocolVersion.V311) -> aiomqtt.Client:
    """A client of the closed broker, logged in as ``user`` with its own password (unless
    ``password`` is given) on the control listener or the units one."""
    if user is not None and password is None:
        password = b.files.password(user) if control else unit_password(b, user)
    url = b.control_url if control else b.units_url
    return aiomqtt.Client("127.0.0.1", _port(url), username=user, password=password,
                          identifier=identifier or user, will=will, protocol=protocol,
                          keepalive=10)


@asynccontextmanager
async def core_spy(b: DemoBroker) -> AsyncIterator[aiomqtt.Client]:
    """The core's account, reading what the core reads: every unit and the CAD subtree."""
    async with client(b, CORE_USER, control=True, identifier="spy") as c:
        await c.subscribe([(f"{P}/+/+/telemetry", 1), (f"{P}/+/+/status", 1),
                           (f"{P}/+/+/ack", 1), (f"{P}/cad/#", 1)])
        yield c


async def until_marker(c: aiomqtt.Client, timeout: float = 10) -> list[tuple[str, bytes]]:
    """Every message ``c`` receives up to and including the marker."""
    seen: list[tuple[str, bytes]] = []
    async with asyncio.timeout(timeout):
        async for m in c.messages:
            seen.append((m.topic.value, bytes(m.payload)))  # type: ignore[arg-type]
            if m.payload == MARK:
                return seen
    raise AssertionError("the connection ended before the marker")


# -- who may connect -------------------------------------------------------------------

@pytest.mark.parametrize("control", [False, True], ids=["units", "control"])
async def test_anonymous_and_wrong_passwords_are_refused(closed, control):
    for user, password in ((None, None), (CAR if not control else CORE_USER, "guess")):
        with pytest.raises(aiomqtt.MqttCodeError) as refused:
            async with client(closed, user, password=password, control=control,
                              identifier="intruder"):
                pass
        assert refused.value.rc in (4, 5, 0x86, 0x87)  # bad user name/password, not authorised


async def test_each_account_belongs_to_its_own_listener(closed):
    """A unit's password opens only the units listener; the core's only the control one."""
    with pytest.raises(aiomqtt.MqttCodeError):
        async with client(closed, CAR, password=unit_password(closed, CAR), control=True):
            pass
    with pytest.raises(aiomqtt.MqttCodeError):
        async with client(closed, CORE_USER, password=closed.files.password(CORE_USER)):
            pass


# -- what units may say ----------------------------------------------------------------

@pytest.mark.parametrize("leaf", ["telemetry", "status", "ack"])
async def test_a_unit_cannot_speak_for_another(closed, leaf):
    """The probe's rp02-pc1 moved 42 km by another client's telemetry (and its status and
    acks could be forged the same way)."""
    async with core_spy(closed) as spy, client(closed, MOTO) as moto:
        await moto.publish(f"{P}/patrol_car/{OTHER}/{leaf}", b'{"v":1,"lat":27.2}', qos=1)
        await moto.publish(f"{P}/patrol_car/{MOTO}/{leaf}", b"wrong kind", qos=1)
        await moto.publish(f"{P}/motorcycle/{MOTO}/{leaf}", MARK, qos=1)
        assert await until_marker(spy) == [(f"{P}/motorcycle/{MOTO}/{leaf}", MARK)]


async def test_units_cannot_command_units_nor_read_others_commands(closed):
    """The probe's anonymous goto drove rp07-pc1 off; a unit may not send one either,
    to another or to itself, and may not read another unit's commands."""
    async with client(closed, CAR) as car, client(closed, OTHER) as other, \
            client(closed, CORE_USER, control=True, identifier="core") as core:
        await car.subscribe(f"{P}/patrol_car/{CAR}/cmd", qos=1)
        await other.subscribe(f"{P}/patrol_car/{CAR}/cmd", qos=1)  # not its own
        goto = b'{"v":1,"id":"evil-1","type":"goto","lat":26.9,"lon":112.6}'
        await other.publish(f"{P}/patrol_car/{CAR}/cmd", goto, qos=1)
        await car.publish(f"{P}/patrol_car/{CAR}/cmd", goto, qos=1)
        await core.publish(f"{P}/patrol_car/{CAR}/cmd", MARK, qos=1)  # the core may
        assert await until_marker(car) == [(f"{P}/patrol_car/{CAR}/cmd", MARK)]
        await core.publish(f"{P}/patrol_car/{OTHER}/cmd", b"for other", qos=1)
        await other.subscribe(f"{P}/patrol_car/{OTHER}/cmd", qos=1)
        await core.publish(f"{P}/patrol_car/{OTHER}/cmd", MARK, qos=1)
        assert await until_marker(other) == [(f"{P}/patrol_car/{OTHER}/cmd", MARK)]


async def test_a_refused_publish_is_not_authorized_under_mqtt_5(closed):
    """What an MQTT 5 client is told: PUBACK 0x87, "Not authorized"."""
    async with client(closed, MOTO, protocol=ProtocolVersion.V5) as moto:
        pub = Publisher(moto, reason_codes=True, on_refused=lambda *_: None)
        with pytest.raises(PublishRefusedError, match="Not authorized"):
            await pub.publish(f"{P}/patrol_car/{CAR}/cmd", b"{}", qos=1)
        await pub.publish(f"{P}/motorcycle/{MOTO}/telemetry", b"{}", qos=1)  # its own


async def test_units_cannot_open_incidents_or_forge_fleet_topics(closed):
    """The probe's "Director Li" CAD request launched air-3; from a unit it reaches
    nobody, nor does a unit's state, audit head or answer in fleet's name."""
    request = json.dumps({"v": 1, "id": "evil-cad", "lat": 26.9, "lon": 112.6,
                          "category": "violent_crime", "operator": "Director Li",
                          "dispatch": True}).encode()
    async with core_spy(closed) as spy, client(closed, CAR) as car:
        await spy.subscribe([(f"{P}/state/+", 1), (f"{P}/audit/#", 1)])
        for topic in (f"{P}/cad/incident", f"{P}/cad/action", f"{P}/cad/incident/ack",
                      f"{P}/state/{OTHER}", f"{P}/audit/head"):
            await car.publish(topic, request, qos=1)
        await car.publish(f"{P}/patrol_car/{CAR}/ack", MARK, qos=1)
        assert await until_marker(spy) == [(f"{P}/patrol_car/{CAR}/ack", MARK)]


# -- what CAD clients may say ----------------------------------------------------------

async def test_cad_accounts_open_incidents_but_never_command_units(closed):
    async with core_spy(closed) as spy, client(closed, CAR) as car, \
            client(closed, CAD, control=True) as cad:
        await car.subscribe(f"{P}/patrol_car/{CAR}/cmd", qos=1)
        await cad.subscribe(f"{P}/cad/incident/ack", qos=1)
        await cad.publish(f"{P}/patrol_car/{CAR}/cmd", b"cad goto", qos=1)
        await cad.publish(f"{P}/patrol_car/{CAR}/telemetry", b"cad report", qos=1)
        await cad.publish(f"{P}/cad/incident/ack", b"forged answer", qos=1)
        await cad.publish(f"{P}/cad/incident", MARK, qos=1)  # a CAD request: allowed
        assert await until_marker(spy) == [(f"{P}/cad/incident", MARK)]
        async with client(closed, CORE_USER, control=True, identifier="core") as core:
            await core.publish(f"{P}/patrol_car/{CAR}/cmd", MARK, qos=1)
            await core.publish(f"{P}/cad/incident/ack", MARK, qos=1)  # fleet's answer
        assert await until_marker(car) == [(f"{P}/patrol_car/{CAR}/cmd", MARK)]
        assert await until_marker(cad) == [(f"{P}/cad/incident/ack", MARK)]


# -- client ids ------------------------------------------------------------------------

async def test_a_units_client_id_cannot_be_taken_over(closed):
    """The probe's client reusing a unit's id kicked the unit off and fired its Will. On
    the units listener a client id is its user name: anonymous is refused, another unit's
    account connects as itself, and the real unit stays online (no Will)."""
    status = f"{P}/patrol_car/{CAR}/status"
    will = Will(status, b"offline", qos=1, retain=True)
    async with core_spy(closed) as spy, client(closed, CAR, will=will) as car:
        with pytest.raises(aiomqtt.MqttCodeError):
            async with client(closed, None, identifier=CAR):
                pass
        async with client(closed, MOTO, identifier=CAR) as intruder:
            await intruder.publish(status, b"offline", qos=1, retain=True)  # refused too
            await car.publish(status, MARK, qos=1)  # still connected
        assert await until_marker(spy) == [(status, MARK)]


# -- what still flows ------------------------------------------------------------------

async def test_the_fleet_traffic_flows(closed):
    """A unit's presence, telemetry and ack reach the core; the core's command reaches
    the unit; a CAD request reaches the core and its answer the CAD client."""
    async with AsyncExitStack() as stack:
        spy = await stack.enter_async_context(core_spy(closed))
        car = await stack.enter_async_context(client(closed, CAR))
        cad = await stack.enter_async_context(client(closed, CAD, control=True))
        await car.subscribe(f"{P}/patrol_car/{CAR}/cmd", qos=1)
        await cad.subscribe([(f"{P}/cad/incident/ack", 1), (f"{P}/cad/incidents/+", 1)])
        for leaf, payload in (("status", b"online"), ("telemetry", b"{}"), ("ack", MARK)):
            await car.publish(f"{P}/patrol_car/{CAR}/{leaf}", payload, qos=1)
        assert [t.rsplit("/", 1)[1] for t, _ in await until_marker(spy)] == \
            ["status", "telemetry", "ack"]
        await cad.publish(f"{P}/cad/incident", MARK, qos=1)
        assert await until_marker(spy) == [(f"{P}/cad/incident", MARK)]
        await spy.publish(f"{P}/patrol_car/{CAR}/cmd", MARK, qos=1)
        await spy.publish(f"{P}/cad/incidents/INC-1", b"{}", qos=1)
        await spy.publish(f"{P}/cad/incident/ack", MARK, qos=1)
        assert await until_marker(car) == [(f"{P}/patrol_car/{CAR}/cmd", MARK)]
        assert [t for t, _ in await until_marker(cad)] == \
            [f"{P}/cad/incidents/INC-1", f"{P}/cad/incident/ack"]
