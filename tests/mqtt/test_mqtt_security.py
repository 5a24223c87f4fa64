"""Credentials, ACLs, TLS, and the fall back to MQTT 3.1.1, against real brokers."""

from __future__ import annotations

import asyncio
import shutil
import types

import pytest
from broker import make_client_cert, make_tls_files, start_broker
from mqtt311_proxy import mqtt311_only
from mqtt_helpers import PREFIX, ScriptedUnit, bridge_for, running_fleet
from waits import connected, until

from fleet.commands import Goto, Hold
from fleet.config import TlsConfig
from fleet.errors import CommandRejectedError
from fleet.events import ConnectionState, LinkStatusChanged
from fleet.model import LinkState
from simulators.city import Broker as CityBroker
from simulators.city import CityConfig, CitySim, ManualClock

pytestmark = pytest.mark.broker

USERS = {"fleet": "fleet-pw", "car-1": "car-1-pw", "boat-1": "boat-1-pw"}
#: fleet reads every unit and commands patrol cars only; a unit writes its own topics
ACL = f"""user fleet
topic read {PREFIX}/+/+/telemetry
topic read {PREFIX}/+/+/status
topic read {PREFIX}/+/+/ack
topic read owntracks/#
topic write {PREFIX}/patrol_car/+/cmd
topic readwrite {PREFIX}/state/#

pattern write {PREFIX}/+/%u/telemetry
pattern readwrite {PREFIX}/+/%u/status
pattern write {PREFIX}/+/%u/ack
pattern read {PREFIX}/+/%u/cmd
"""


@pytest.fixture
def acl_broker(tmp_path):
    b = start_broker(tmp_path, users=USERS, acl=ACL)
    yield b
    b.stop()


def unit(broker, unit_id, kind="patrol_car", **kw):
    return ScriptedUnit(broker, unit_id, kind, username=unit_id, password=USERS[unit_id], **kw)


async def test_a_publish_the_acl_refuses_is_a_clear_error(acl_broker):
    bridge = bridge_for(acl_broker, username="fleet", password="fleet-pw")
    async with running_fleet(bridge) as svc, unit(acl_broker, "car-1") as car, \
            unit(acl_broker, "boat-1", "patrol_boat") as boat:
        await connected(svc)
        await car.report()
        await boat.report()
        await until(svc, lambda: svc.state.link_state("boat-1") is LinkState.OK
                    and svc.state.link_state("car-1") is LinkState.OK, 5)
        await svc.send("car-1", Hold(), timeout=5)  # allowed
        with pytest.raises(CommandRejectedError, match="refused by broker: Not authorized"):
            await svc.send("boat-1", Goto(26.9, 112.62), timeout=5)
        refused = [a for a in svc.alerts if a.code == "mqtt.publish_refused"]
        assert len(refused) == 1 and "patrol_boat/boat-1/cmd" in refused[0].message
        assert boat.commands == [] and bridge.counters.publish_refused == 1


async def test_state_the_acl_refuses_is_one_alert_and_every_refusal_counted(tmp_path):
    acl = ACL.replace(f"topic readwrite {PREFIX}/state/#", f"topic read {PREFIX}/state/#")
    broker = start_broker(tmp_path, users=USERS, acl=acl)
    try:
        bridge = bridge_for(broker, username="fleet", password="fleet-pw",
                            state_period_s=0.01)
        async with running_fleet(bridge) as svc, unit(broker, "car-1") as car:
            await connected(svc)
            n = len(svc.state)  # the full publication, then car-1's changes

            async def moves_until_refused(count):  # a PUBACK is no stream event
                async with asyncio.timeout(5):
                    for step in range(1, 10_000):
                        if bridge.counters.publish_refused >= count:
                            return
                        lat = 26.89 + step * 1e-4
                        await car.report(lat=lat)
                        await until(svc, lambda lat=lat: getattr(
                            svc.state.telemetry("car-1"), "lat_deg", None) == lat, 5)

            await moves_until_refused(n + 2)
            refused = [a for a in svc.alerts if a.code == "mqtt.publish_refused"]
            assert len(refused) == 1 and f"{PREFIX}/state/" in refused[0].message
    finally:
        broker.stop()


async def test_a_unit_cannot_speak_for_another(acl_broker):
    bridge = bridge_for(acl_broker, username="fleet", password="fleet-pw")
    async with running_fleet(bridge) as svc, unit(acl_broker, "car-1") as car:
        await connected(svc)
        # car-1 claims to be boat-1: the broker drops it, fleet never sees it
        await car.client.publish(f"{PREFIX}/patrol_boat/boat-1/telemetry", b"{}", qos=1)
        await car.report()
        await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        assert svc.state.link_state("boat-1") is LinkState.NEVER_SEEN
        c = bridge.counters  # car-1's online and its report; nothing refused
        assert (c.telemetry, c.presence, c.refused()) == (1, 1, {})


async def test_wrong_credentials_are_an_alert_not_a_crash(acl_broker):
    bridge = bridge_for(acl_broker, username="fleet", password="wrong")
    async with running_fleet(bridge) as svc:
        await until(svc, lambda: any(a.code == "mqtt.auth" for a in svc.alerts), 5)
        with svc.subscribe() as sub:  # and it keeps trying, by the supervisor's backoff
            async with asyncio.timeout(5):
                while True:
                    batch = await sub.next_batch()
                    if any(isinstance(e, LinkStatusChanged) and "Not authorized" in e.detail
                           for e in batch.events):
                        break
        assert [a.code for a in svc.alerts].count("mqtt.auth") == 1
        assert svc.running and svc.links()[0].state is not ConnectionState.CONNECTED


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_tls_with_the_brokers_ca(tmp_path):
    files = make_tls_files(tmp_path)
    broker = start_broker(tmp_path, tls=files)
    try:
        trusting = bridge_for(broker, tls=TlsConfig(ca_file=str(files.ca), cert_file=None,
                                                    key_file=None))
        async with running_fleet(trusting) as svc:
            await connected(svc)
            async with ScriptedUnit(broker, "car-1") as car:  # it trusts the test CA too
                await car.report()
                await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
        untrusting = bridge_for(broker, tls=TlsConfig(None, None, None))  # system CAs only
        async with running_fleet(untrusting) as svc:
            await until(svc, lambda: "CERTIFICATE_VERIFY_FAILED" in svc.links()[0].detail, 5)
    finally:
        broker.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_tls_client_certificate(tmp_path):
    files = make_tls_files(tmp_path)
    cert, key = make_client_cert(tmp_path, files, "fleet")
    broker = start_broker(tmp_path, tls=files, require_certificate=True)
    try:
        with_cert = bridge_for(broker, tls=TlsConfig(str(files.ca), str(cert), str(key)))
        async with running_fleet(with_cert) as svc:
            await connected(svc)
        without = bridge_for(broker, tls=TlsConfig(str(files.ca), None, None),
                             timeout_s=1.0)
        async with running_fleet(without) as svc:
            # the broker's TLS alert, not only the CONNACK timeout that aiomqtt reports
            await until(svc, lambda: "retry in" in svc.links()[0].detail, 12)
            assert "CERTIFICATE_REQUIRED" in svc.links()[0].detail
    finally:
        broker.stop()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_city_simulator_and_fleet_over_tls_with_client_certificates(tmp_path):
    files = make_tls_files(tmp_path)
    broker = start_broker(tmp_path, tls=files, require_certificate=True)
    fleet_cert, fleet_key = make_client_cert(tmp_path, files, "fleet")
    unit_cert, unit_key = make_client_cert(tmp_path, files, "city")
    try:
        bridge = bridge_for(broker, tls=TlsConfig(str(files.ca), str(fleet_cert),
                                                  str(fleet_key)))
        city_broker = CityBroker.from_url(f"mqtts://127.0.0.1:{broker.port}",
                                          ca_file=str(files.ca), cert_file=str(unit_cert),
                                          key_file=str(unit_key))
        config = CityConfig(broker=city_broker, groups=1, boats=1, connect_timeout_s=10.0)
        async with running_fleet(bridge, unknown_units="auto_register") as svc, \
                CitySim(config, clock=ManualClock()) as sim:
            await connected(svc)
            await sim.advance(1.0)  # one report from every unit
            await until(svc, lambda: sum(svc.state.link_state(u) is LinkState.OK
                                         for u in svc.state.unit_ids()) >= len(sim.agents), 10)
    finally:
        broker.stop()


def test_city_simulator_broker_url_is_checked():
    assert CityBroker.from_url("mqtts://broker.example").port == 8883
    with pytest.raises(ValueError, match="mqtts://"):
        CityBroker.from_url("mqtt://127.0.0.1", ca_file="ca.pem")
    with pytest.raises(ValueError, match="mqtt"):
        CityBroker.from_url("http://127.0.0.1")


async def test_falls_back_to_mqtt_3_1_1_when_the_broker_refuses_5(broker):
    async with mqtt311_only(broker.host, broker.port) as port:
        only_311 = types.SimpleNamespace(host=broker.host, port=port,
                                         url=f"mqtt://{broker.host}:{port}")
        bridge = bridge_for(only_311)
        async with running_fleet(bridge) as svc:
            await connected(svc)
            assert "MQTT 3.1.1" in svc.links()[0].detail
            assert [a.code for a in svc.alerts].count("mqtt.protocol") == 1
            async with ScriptedUnit(only_311, "car-1") as car:
                await car.report()
                await until(svc, lambda: svc.state.link_state("car-1") is LinkState.OK, 5)
                await svc.send("car-1", Hold(), timeout=5)
