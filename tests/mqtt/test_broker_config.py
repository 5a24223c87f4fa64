"""`fleet broker-config` and the logins of the config: files, modes, kept and revoked
passwords, both ways of hashing them, and no password ever printed."""

from __future__ import annotations

import json
import stat

import aiomqtt
import pytest

from fleet import broker as demo
from fleet.broker import demo_broker
from fleet.brokerconf import CORE_USER, plan_accounts
from fleet.brokerconf import passwords as pw
from fleet.cli import main
from fleet.config import load_config, parse_config
from fleet.config.mqtt_env import apply_mqtt_env
from fleet.errors import ConfigError

CONFIG_TOML = """
[fleet]
name = "T"
[mqtt]
url = "mqtt://127.0.0.1:1884"
[[units]]
id = "car-1"
callsign = "Car 1"
kind = "patrol_car"
[[units]]
id = "boat-1"
callsign = "Boat 1"
kind = "patrol_boat"
owntracks = "li/pixel"
[[units]]
id = "air-1"
callsign = "Air 1"
kind = "drone"
mavlink = { sysid = 1 }
"""


def _write_config(tmp_path, text=CONFIG_TOML):
    path = tmp_path / "fleet.toml"
    path.write_text(text)
    return path


def _units(out):
    return json.loads((out / "credentials" / "units.json").read_text())


def test_broker_config_writes_a_closed_setup_and_prints_no_password(tmp_path, capsys):
    config, out = _write_config(tmp_path), tmp_path / "broker"
    assert main(["broker-config", "--config", str(config), "--out", str(out),
                 "--cad", "cad-a", "--cad", "cad-b"]) == 0
    printed = capsys.readouterr()
    units = _units(out)
    assert set(units) == {"car-1", "boat-1"}  # the drone speaks MAVLink, not MQTT
    secrets = [*units.values(), *(
        (out / "credentials" / f"{u}.password").read_text().strip()
        for u in (CORE_USER, "cad-a", "cad-b"))]
    assert not any(s in printed.out + printed.err for s in secrets)
    assert "warning: the units listener has no TLS" in printed.err
    for name in ("units.passwd", "control.passwd", "units.acl", "control.acl",
                 "mosquitto.conf", "credentials/units.json", "credentials/cad-a.password"):
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600, name
    acl = (out / "units.acl").read_text()
    assert "topic write fleet/v1/patrol_boat/boat-1/telemetry" in acl
    assert "topic write owntracks/li/pixel" in acl and "pattern" not in acl
    control = (out / "control.acl").read_text()
    assert "user cad-b\ntopic write fleet/v1/cad/incident\n" in control
    conf = (out / "mosquitto.conf").read_text()
    assert "listener 1883 0.0.0.0\nuse_username_as_clientid true" in conf
    assert "listener 1884 127.0.0.1\nallow_anonymous false" in conf


def test_running_it_again_keeps_passwords_adds_revokes_and_rotates(tmp_path, capsys):
    config, out = _write_config(tmp_path), tmp_path / "broker"
    args = ["broker-config", "--config", str(config), "--out", str(out)]
    assert main(args) == 0
    first, core = _units(out), (out / "credentials" / "fleet-core.password").read_text()
    smaller = CONFIG_TOML.replace('id = "boat-1"', 'id = "car-2"').replace(
        'kind = "patrol_boat"\nowntracks = "li/pixel"', 'kind = "patrol_car"')
    _write_config(tmp_path, smaller)
    assert main([*args, "--rotate", "fleet-core"]) == 0
    second = _units(out)
    assert second["car-1"] == first["car-1"] and set(second) == {"car-1", "car-2"}
    assert (out / "credentials" / "fleet-core.password").read_text() != core
    assert "revoked: boat-1" in capsys.readouterr().out
    assert "boat-1" not in (out / "units.acl").read_text()
    assert "boat-1:" not in (out / "units.passwd").read_text()
    assert main([*args, "--rotate", "nobody"]) == 2


@pytest.mark.broker
@pytest.mark.skipif(demo.find_mosquitto() is None, reason="needs mosquitto")
@pytest.mark.parametrize("tool", [True, False], ids=["mosquitto_passwd", "fleet's hashes"])
async def test_mosquitto_accepts_the_password_files_either_way(tmp_path, monkeypatch, tool):
    if tool and pw.find_passwd_tool() is None:
        pytest.skip("needs mosquitto_passwd")
    if not tool:
        monkeypatch.setattr(pw, "find_passwd_tool", lambda: None)
    config = parse_config({"mqtt": {"url": "mqtt://127.0.0.1:1"},
                           "units": [{"id": "car-1", "callsign": "C", "kind": "patrol_car"}]})
    async with demo_broker(plan_accounts(config), tmp_path) as b:
        hashed = (tmp_path / "units.passwd").read_text()
        assert hashed.startswith("car-1:$7$") and _units(tmp_path)["car-1"] not in hashed
        port = int(b.units_url.rsplit(":", 1)[1])
        async with aiomqtt.Client("127.0.0.1", port, username="car-1",
                                  password=_units(tmp_path)["car-1"]) as car:
            await car.publish("fleet/v1/patrol_car/car-1/status", b"online", qos=1)


def test_the_core_reads_its_password_from_a_file(tmp_path):
    secret = tmp_path / "core.password"
    secret.write_text("from-file\n")
    path = _write_config(tmp_path, CONFIG_TOML.replace(
        'url = "mqtt://127.0.0.1:1884"', 'url = "mqtt://127.0.0.1:1884"\n'
        'username = "fleet-core"\npassword_file = "core.password"'))
    assert load_config(path).mqtt.password == "from-file"
    (tmp_path / "core.password").write_text("")
    with pytest.raises(ConfigError, match=r"mqtt\.password_file: cannot read .* empty"):
        load_config(path)
    with pytest.raises(ConfigError, match="not password too"):
        parse_config({"mqtt": {"url": "mqtt://h", "username": "u", "password": "p",
                               "password_file": "x"}})


def test_the_environment_logs_in_another_account(tmp_path):
    config = parse_config({"mqtt": {"url": "mqtt://h:1", "username": "fleet-core",
                                    "password": "core-pw"}})
    secret = tmp_path / "cad.password"
    secret.write_text("cad-pw\n")
    env = {"FLEET_MQTT_USERNAME": "cad", "FLEET_MQTT_PASSWORD_FILE": str(secret)}
    mqtt = apply_mqtt_env(config, env).mqtt
    assert (mqtt.url, mqtt.username, mqtt.password) == ("mqtt://h:1", "cad", "cad-pw")
    assert apply_mqtt_env(config, {"FLEET_MQTT_USERNAME": "x"}).mqtt.password is None
    with pytest.raises(ConfigError, match="FLEET_MQTT_PASSWORD_FILE: cannot read"):
        apply_mqtt_env(config, {"FLEET_MQTT_PASSWORD_FILE": str(tmp_path / "none")})
    with pytest.raises(ConfigError, match="FLEET_MQTT_URL"):
        apply_mqtt_env(config, {"FLEET_MQTT_URL": "mqtt://u:pw@h"})


def test_check_config_never_shows_a_password(tmp_path, capsys):
    path = _write_config(tmp_path, CONFIG_TOML.replace("mqtt://127.0.0.1:1884",
                                                       "mqtt://fleet:hunter2@127.0.0.1"))
    assert main(["check-config", str(path)]) == 2
    err = capsys.readouterr().err
    assert "hunter2" not in err and "mqtt://fleet:***@127.0.0.1" in err
    path = _write_config(tmp_path, CONFIG_TOML.replace(
        'url = "mqtt://127.0.0.1:1884"', 'url = "mqtt://127.0.0.1:1884"\n'
        'username = "fleet-core"\npassword = "hunter2"'))
    assert main(["check-config", str(path)]) == 0
    out = capsys.readouterr().out
    assert "hunter2" not in out and "as fleet-core, password set" in out
