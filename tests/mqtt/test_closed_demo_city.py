"""The demo's closed setup end to end: its accounts for the Hengyang config, the city
simulator logging every unit in with its own password, the core with its own, and no
report lost; the demo's simulators and `fleet incident` get their logins."""

from __future__ import annotations

import json
import sys
import types

import pytest
from mqtt_helpers import FAST_RECONNECT, PREFIX
from waits import connected, until

from fleet.broker import demo_broker
from fleet.brokerconf import CORE_USER, plan_accounts
from fleet.commands import Hold
from fleet.config import MqttConfig, demo_config_path, load_config, parse_config
from fleet.config.mqtt_env import apply_mqtt_env
from fleet.demo import (
    CALLS_USER,
    OPERATOR_USER,
    CallOptions,
    SimulatorLogins,
    simulator_commands,
    write_cad_env,
)
from fleet.links.mqtt import MqttBridge, RetryPolicy
from fleet.model import LinkState
from fleet.service import FleetService
from simulators.city import Broker as CityBroker
from simulators.city import CityConfig, CitySim, ManualClock
from simulators.city.registry import load_registry

DEMO = load_config(demo_config_path())
SECONDS = 10


def _port(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


@pytest.mark.broker
async def test_the_closed_demo_broker_carries_the_city_without_loss(tmp_path):
    accounts = plan_accounts(DEMO, cad_users=(CALLS_USER, OPERATOR_USER))
    specs = load_registry().choose(2, 1)
    config = parse_config({"units": [{"id": s.id, "callsign": s.id, "kind": s.kind}
                                     for s in specs]})
    async with demo_broker(accounts, tmp_path) as b:
        creds = json.loads(b.files.unit_credentials.read_text())
        city = CityConfig(broker=CityBroker.from_url(b.units_url), groups=2, boats=1,
                          credentials=creds, connect_timeout_s=20)
        core = MqttConfig(url=b.control_url, host="127.0.0.1", port=_port(b.control_url),
                          tls=None, username=CORE_USER, password=b.files.password(CORE_USER),
                          client_id="fleet-core", keepalive_s=5, topic_prefix=PREFIX)
        bridge = MqttBridge(core, retry=RetryPolicy(ack_timeout_s=2.0), timeout_s=5.0)
        async with FleetService(config, links=[bridge], reconnect=FAST_RECONNECT) as svc, \
                CitySim(city, clock=ManualClock()) as sim:
            await connected(svc)
            for _ in range(SECONDS):
                await sim.advance(1.0)
            sent = sum(a.session.stats.telemetry_sent for a in sim.agents.values())
            assert sent >= len(specs) * (SECONDS - 1)
            await until(svc, lambda: bridge.counters.telemetry >= sent, 20)
            assert bridge.counters.telemetry == sent and bridge.counters.refused() == {}
            assert all(svc.state.link_state(s.id) is LinkState.OK for s in specs)
            await svc.send(specs[0].id, Hold(), timeout=10)  # commands reach the unit


def test_the_demo_gives_each_simulator_its_login_and_no_password_on_a_command_line(
        tmp_path):
    creds, secret = tmp_path / "units.json", tmp_path / "cad-calls.password"
    logins = SimulatorLogins("mqtt://127.0.0.1:1001", creds, CALLS_USER, secret)
    commands = dict(simulator_commands(DEMO, demo_config_path(), 14550,
                                       "mqtt://127.0.0.1:1002", tmp_path / "p.json",
                                       CallOptions(), logins))
    city, calls = commands["city"], commands["calls"]
    assert city[city.index("--broker") + 1] == "mqtt://127.0.0.1:1001"
    assert city[city.index("--credentials") + 1] == str(creds)
    assert calls[calls.index("--broker") + 1] == "mqtt://127.0.0.1:1002"
    assert calls[calls.index("--username") + 1] == CALLS_USER
    assert calls[calls.index("--password-file") + 1] == str(secret)
    assert "--password" not in city + calls and sys.executable in city


def test_the_cad_env_file_logs_fleet_incident_in_as_the_operator(tmp_path):
    secret = tmp_path / "cad-operator.password"
    secret.write_text("s3cret\n")
    files = types.SimpleNamespace(secrets={OPERATOR_USER: secret})
    broker = types.SimpleNamespace(control_url="mqtt://127.0.0.1:4242", files=files)
    path = write_cad_env(tmp_path / "demo-cad.env", broker)  # type: ignore[arg-type]
    assert path.stat().st_mode & 0o777 == 0o600 and "s3cret" not in path.read_text()
    env = dict(line.removeprefix("export ").split("=", 1)
               for line in path.read_text().splitlines() if line.startswith("export "))
    mqtt = apply_mqtt_env(DEMO, env).mqtt
    assert (mqtt.url, mqtt.port, mqtt.username, mqtt.password) == \
        ("mqtt://127.0.0.1:4242", 4242, OPERATOR_USER, "s3cret")
    assert mqtt.client_id == DEMO.mqtt.client_id and apply_mqtt_env(DEMO, {}) is DEMO


def test_the_simulators_read_their_passwords_from_files(tmp_path):
    import argparse

    from simulators.calls import cli as calls_cli
    from simulators.city import cli as city_cli

    secret, creds = tmp_path / "cad.password", tmp_path / "units.json"
    secret.write_text("cad-pw\n")
    creds.write_text(json.dumps({"rp01-pc1": "unit-pw"}))
    p = argparse.ArgumentParser()
    calls_cli.add_arguments(p)
    args = p.parse_args(["--places", "x.json", "--username", CALLS_USER,
                         "--password-file", str(secret)])
    broker = calls_cli.build_config(args).broker
    assert (broker.username, broker.password) == (CALLS_USER, "cad-pw")
    assert "cad-pw" not in repr(broker)
    assert city_cli.read_credentials(creds) == {"rp01-pc1": "unit-pw"}
    creds.write_text("[1]")
    with pytest.raises(ValueError, match="expected"):
        city_cli.read_credentials(creds)
