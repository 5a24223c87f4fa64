"""Config loading: the Hengyang demo, every validation error by its exact text, overrides."""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from fleet.config import (
    FleetConfig,
    TlsConfig,
    demo_config_path,
    load_config,
    parse_config,
)
from fleet.errors import ConfigError, UnknownUnitError
from fleet.model import KIND_DEFAULTS, Domain, UnitKind

LAND = {UnitKind.COMMAND_VEHICLE, UnitKind.PATROL_CAR, UnitKind.MOTORCYCLE}


def write(tmp_path: Path, text: str, name: str = "fleet.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> tuple[Path, ConfigError]:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    return path, info.value


def parse_error(data: object) -> str:
    with pytest.raises(ConfigError) as info:
        parse_config(data)  # type: ignore[arg-type]
    return str(info.value)


# -- the demo config ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> FleetConfig:
    return load_config(demo_config_path())


def test_demo_config_path_is_the_shipped_file() -> None:
    path = demo_config_path()
    assert path.is_file()
    assert path.name == "hengyang.toml"
    assert path.parent.name == "data"


def test_demo_counts(demo: FleetConfig) -> None:
    kinds = Counter(u.kind for u in demo.units)
    assert demo.name == "Hengyang"
    assert demo.source == str(demo_config_path())
    assert sum(kinds[k] for k in LAND) == 286
    assert kinds[UnitKind.COMMAND_VEHICLE] == 26
    assert kinds[UnitKind.PATROL_CAR] == 52
    assert kinds[UnitKind.MOTORCYCLE] == 208
    assert kinds[UnitKind.DRONE] == 8
    assert kinds[UnitKind.HELICOPTER] == 1
    assert kinds[UnitKind.COMMAND_BOAT] == 2
    assert kinds[UnitKind.PATROL_BOAT] == 4
    assert len(demo.units) == 301
    rapid = [g for g in demo.groups if g.id.startswith("rp")]
    assert [g.id for g in rapid] == [f"rp{i:02d}" for i in range(1, 27)]
    assert all(g.domain is Domain.LAND for g in rapid)
    assert len(demo.bases) == 32
    assert [z.id for z in demo.zones] == ["downtown", "urban", "nanyue"]
    assert [z.target_min for z in demo.zones] == [3, 5, 3]
    assert {"wanda", "bubugao", "railway-station"} <= {s.id for s in demo.key_sites}
    assert all(s.target_min == 1 for s in demo.key_sites)
    assert demo.registry.unknown_units == "reject"
    assert [p.id for p in demo.patrols] == ["station-ring", "plaza-tour", "xiang-river"]
    assert [s.id for s in demo.schedules] == ["station-watch", "plaza-evening",
                                              "river-patrol", "rapid-roster"]
    assert demo.dispatch.road_map is not None


def test_demo_links(demo: FleetConfig) -> None:
    (link,) = demo.mavlink.links
    assert (link.name, link.scheme, link.host, link.port) == ("air-main", "udpin", "0.0.0.0",
                                                             14550)
    assert demo.mqtt is not None
    assert (demo.mqtt.host, demo.mqtt.port, demo.mqtt.tls) == ("127.0.0.1", 1883, None)


def test_demo_generated_units(demo: FleetConfig) -> None:
    group = next(g for g in demo.groups if g.id == "rp08")
    ids = [u.id for u in demo.units if u.group == "rp08"]
    assert ids == ["rp08-cv1", "rp08-pc1", "rp08-pc2", *(f"rp08-mc{n}" for n in range(1, 9))]
    car = demo.unit("rp08-pc2")
    assert car.callsign == "RP08 Car 2"
    assert car.kind is UnitKind.PATROL_CAR
    assert car.base is not None and car.base.id == group.base
    assert car.addresses == {"mqtt": "rp08-pc2"}
    assert car.capabilities == KIND_DEFAULTS[UnitKind.PATROL_CAR]
    assert demo.unit("rp26-mc8").callsign == "RP26 Moto 8"
    with pytest.raises(UnknownUnitError):
        demo.unit("rp08-mc9")


def test_demo_air_and_water_units(demo: FleetConfig) -> None:
    drones = [u for u in demo.units if u.kind is UnitKind.DRONE]
    assert [u.id for u in drones] == [f"air-{n}" for n in range(1, 9)]
    assert [u.addresses for u in drones] == [{"mavlink": f"{n}:1"} for n in range(1, 9)]
    assert Counter(u.base.id for u in drones if u.base) == {
        "uav-hq": 2, "uav-east": 2, "uav-west": 2, "uav-south": 2}
    heli = next(u for u in demo.units if u.kind is UnitKind.HELICOPTER)
    assert heli.addresses == {"mavlink": "20:1"}
    boats = [u for u in demo.units if u.domain is Domain.WATER]
    assert len(boats) == 6
    assert all(u.group == "water1" and u.addresses == {"mqtt": u.id} for u in boats)
    assert all(u.base is not None and u.base.id == "water-base" for u in boats)


def test_demo_positions_are_in_hengyang(demo: FleetConfig) -> None:
    for base in demo.bases.values():
        p = base.position
        city = 26.70 <= p.lat_deg <= 26.96 and 112.52 <= p.lon_deg <= 112.72
        nanyue = 27.20 <= p.lat_deg <= 27.30 and 112.68 <= p.lon_deg <= 112.76
        assert city or nanyue, base


# -- file-level errors --------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: file not found"
    assert info.value.path == str(path) and info.value.key is None


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is a directory") as info:
        load_config(tmp_path)
    assert str(info.value) == f"{tmp_path}: cannot read: is a directory"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[fleet]\n")
    path.chmod(0)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: cannot read: permission denied"


def test_permission_denied_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same check as above, but also when the tests run as root."""
    path = write(tmp_path, "[fleet]\n")

    def deny(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", deny)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: cannot read: permission denied"


def test_invalid_toml(tmp_path: Path) -> None:
    path, err = load_error(tmp_path, "[fleet\nname = 'x'\n")
    assert str(err) == (f"{path}: invalid TOML: Expected ']' at the end of a table declaration "
                        "(at line 1, column 7)")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_bytes(b"[fleet]\nname = '\xff'\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: not UTF-8 text: byte 0xff at line 2, column 9"


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "fleet.toml"
    path.write_bytes(b"\xef\xbb\xbf[fleet]\nname = 'Hengyang'\n")
    assert load_config(path).name == "Hengyang"


def test_top_level_must_be_a_table() -> None:
    assert parse_error([]) == "<config>: expected a table at the top level, got array of 0"


# -- validation errors, by exact text -----------------------------------------------------

DRONE = '[[units]]\nid = "a"\nkind = "drone"\n'
LINK = '[[mavlink.links]]\nname = "l"\n'
BASE = '[[bases]]\nid = "wanda"\nlat = 26.89\nlon = 112.58\n'
LAND_GROUP = '[[groups]]\nid = "rp01"\ndomain = "land"\n'
ZONE = '[[zones]]\nid = "z"\ntarget_min = 3\n'

ERRORS: list[tuple[str, str]] = [
    # unknown sections and keys, with did-you-mean
    ("unit = []", "unknown section 'unit' (did you mean 'units'?)"),
    ("[mavlnk]", "unknown section 'mavlnk' (did you mean 'mavlink'?)"),
    ("[zzz]", "unknown section 'zzz'; expected one of fleet, registry, mavlink, mqtt, kinds, "
              "bases, groups, units, zones, key_sites, patrols, schedules, dispatch"),
    ("[fleet]\nnmae = 'x'", "fleet: unknown key 'nmae' (did you mean 'name'?)"),
    (DRONE + 'calsign = "Eagle"', "units[0]: unknown key 'calsign' (did you mean 'callsign'?)"),
    ("[mavlink]\ngcs_sysidd = 1", "mavlink: unknown key 'gcs_sysidd' (did you mean 'gcs_sysid'?)"),
    (LINK + 'url = "udpin://h:1"\nbuad = 1', "mavlink.links[0]: unknown key 'buad' "
                                              "(did you mean 'baud'?)"),
    ("[mqtt]\nurl = 'mqtt://h'\n[mqtt.tls]\ncafile = 'x'",
     "mqtt.tls: unknown key 'cafile' (did you mean 'ca_file'?)"),
    ("[kinds.drone]\ncruise_speed = 1", "kinds.drone: unknown key 'cruise_speed' "
                                        "(did you mean 'cruise_speed_m_s'?)"),
    ("[kinds.dron]\ncruise_speed_m_s = 1", "kinds: unknown kind 'dron' (did you mean 'drone'?)"),
    (BASE + "altitude = 3", "bases[0]: unknown key 'altitude' (did you mean 'alt'?)"),
    (ZONE + "polygon = [[1, 1], [1, 2], [2, 2]]\ntarget = 1",
     "zones[0]: unknown key 'target' (did you mean 'target_min'?)"),
    ("[[key_sites]]\nid = 'k'\nlat = 1\nlon = 1\nradius = 3",
     "key_sites[0]: unknown key 'radius' (did you mean 'radius_m'?)"),
    (LAND_GROUP + "complement = { motorbike = 1 }",
     "groups[0].complement: unknown kind 'motorbike' (did you mean 'motorcycle'?)"),
    # enums
    ('[[units]]\nid = "a"\nkind = "dron"', "units[0].kind: expected one of drone, helicopter, "
     "command_vehicle, patrol_car, motorcycle, command_boat, patrol_boat, got 'dron' "
     "(did you mean 'drone'?)"),
    ('[[groups]]\nid = "g"\ndomain = "lnd"',
     "groups[0].domain: expected one of air, land, water, got 'lnd' (did you mean 'land'?)"),
    ("[registry]\nunknown_units = 'auto'", "registry.unknown_units: expected one of reject, "
     "auto_register, got 'auto' (did you mean 'auto_register'?)"),
    # types
    (DRONE + 'cruise_speed_m_s = "fast"',
     "units[0].cruise_speed_m_s: expected a number > 0, got string 'fast'"),
    (DRONE + "cruise_speed_m_s = true",
     "units[0].cruise_speed_m_s: expected a number > 0, got boolean true"),
    ("[fleet]\nname = 3", "fleet.name: expected a string, got integer 3"),
    ("[fleet]\nname = ''", "fleet.name: expected a non-empty string, got string ''"),
    ("fleet = 'x'", "fleet: expected a table, got string 'x'"),
    ("[mavlink]\ngcs_sysid = 1.0", "mavlink.gcs_sysid: expected an integer in 1..255, "
                                   "got float 1.0"),
    ("[mavlink]\ngcs_sysid = true", "mavlink.gcs_sysid: expected an integer in 1..255, "
                                    "got boolean true"),
    ("[mavlink]\nlink_timeout_s = nan",
     "mavlink.link_timeout_s: expected a finite number > 0, got float nan"),
    ("[mavlink]\nstream_rate_hz = 0", "mavlink.stream_rate_hz: expected a number > 0, "
                                      "got integer 0"),
    ("[mqtt]\nurl = 'mqtt://h'\nkeepalive_s = 1979-05-27",
     "mqtt.keepalive_s: expected an integer in 0..65535, got date 1979-05-27"),
    ("units = { id = 'a' }", "units: expected an array of tables ([[units]]), got table"),
    ("units = [1]", "units[0]: expected a table, got integer 1"),
    ("patrols = [1]", "patrols[0]: expected a table, got integer 1"),
    ("[kinds.drone]\nresponds_to = ['search', 1]",
     "kinds.drone.responds_to[1]: expected a non-empty string, got integer 1"),
    ("[kinds]\ndrone = 1", "kinds.drone: expected a table, got integer 1"),
    # missing required keys
    ('[[units]]\nid = "a"', "units[0].kind: missing required key"),
    ('[[units]]\nkind = "drone"', "units[0].id: missing required key"),
    ('[[bases]]\nid = "b"\nlat = 1', "bases[0].lon: missing required key"),
    ("[mqtt]\nusername = 'u'", "mqtt.url: missing required key"),
    (LINK, "mavlink.links[0].url: missing required key"),
    ('[[zones]]\nid = "z"\npolygon = [[1, 1], [1, 2], [2, 2]]',
     "zones[0].target_min: missing required key"),
    (DRONE + "mavlink = { compid = 1 }", "units[0].mavlink.sysid: missing required key"),
    # ids
    ('[[bases]]\nid = "b b"\nlat = 1\nlon = 1', "bases[0].id: expected an id of letters, "
     "digits, '_', '-', '.' (starting with a letter or digit), got string 'b b'"),
    # duplicates
    (DRONE + DRONE, "units[1].id: duplicate unit id 'a' (also units[0])"),
    (LAND_GROUP + "complement = { patrol_car = 2 }\n"
     '[[units]]\nid = "rp01-pc2"\nkind = "patrol_car"',
     "units[0].id: duplicate unit id 'rp01-pc2' (also generated by groups[0])"),
    (BASE + BASE, "bases[1].id: duplicate base id 'wanda' (also bases[0])"),
    (LAND_GROUP + LAND_GROUP, "groups[1].id: duplicate group id 'rp01' (also groups[0])"),
    (ZONE + "polygon = [[1, 1], [1, 2], [2, 2]]\n" + ZONE + "polygon = [[1, 1], [1, 2], [2, 2]]",
     "zones[1].id: duplicate zone id 'z' (also zones[0])"),
    ("[[key_sites]]\nid = 'k'\nlat = 1\nlon = 1\n" * 2,
     "key_sites[1].id: duplicate key site id 'k' (also key_sites[0])"),
    (LINK + 'url = "udpin://0.0.0.0:14550"\n' + LINK + 'url = "udpin://0.0.0.0:14551"',
     "mavlink.links[1].name: duplicate link name 'l' (also mavlink.links[0])"),
    (LINK + 'url = "udpin://0.0.0.0:14550"\n[[mavlink.links]]\nname = "m"\n'
     'url = "udpin://0.0.0.0:14550"',
     "mavlink.links[1].url: duplicate link url 'udpin://0.0.0.0:14550' (also mavlink.links[0])"),
    (DRONE + "mavlink = { sysid = 1 }\n" + '[[units]]\nid = "b"\nkind = "drone"\n'
     "mavlink = { sysid = 1, compid = 1 }",
     "units[1].mavlink: duplicate MAVLink address '1:1' (also units[0])"),
    ('[[units]]\nid = "a"\nkind = "patrol_car"\n[[units]]\nid = "b"\nkind = "patrol_car"\n'
     'mqtt = "a"', "units[1].mqtt: duplicate mqtt address 'a' (also units[0])"),
    (DRONE + "mavlink = { sysid = 255 }", "units[0].mavlink.sysid: expected a sysid other than "
     "the GCS's own (mavlink.gcs_sysid), got 255"),
    (DRONE + "mavlink = { sysid = 256 }",
     "units[0].mavlink.sysid: expected an integer in 1..255, got integer 256"),
    (DRONE + "mavlink = { sysid = 1, compid = -1 }",
     "units[0].mavlink.compid: expected an integer in 0..255, got integer -1"),
    # references
    (BASE + '[[groups]]\nid = "g"\ndomain = "land"\nbase = "wnda"',
     "groups[0].base: unknown base 'wnda' (did you mean 'wanda'?)"),
    (BASE + DRONE + 'base = "wamda"', "units[0].base: unknown base 'wamda' "
                                      "(did you mean 'wanda'?)"),
    (DRONE + 'group = "air1"', "units[0].group: unknown group 'air1' (none are defined)"),
    (LAND_GROUP + DRONE + 'group = "rp1"', "units[0].group: unknown group 'rp1' "
                                           "(did you mean 'rp01'?)"),
    (LAND_GROUP + DRONE + 'group = "rp01"', "units[0].group: drone units belong to the air "
                                            "domain, but group 'rp01' is land"),
    (LAND_GROUP + "complement = { drone = 1 }", "groups[0].complement.drone: drone units "
     "belong to the air domain, but the group's domain is land"),
    (LAND_GROUP + "complement = { patrol_car = -1 }",
     "groups[0].complement.patrol_car: expected an integer >= 0, got integer -1"),
    (DRONE + 'owntracks = "just-a-user"', "units[0].owntracks: expected 'user/device' without "
     "spaces or wildcards, got string 'just-a-user'"),
    # URLs
    (LINK + 'url = "udp://0.0.0.0:14550"', "mavlink.links[0].url: unknown scheme 'udp' "
     "(did you mean 'udpin'?); expected one of udpin, udpout, tcp, tcpin, serial"),
    (LINK + 'url = "udpin:0.0.0.0:14550"', "mavlink.links[0].url: expected scheme://..., e.g. "
     "'udpin://0.0.0.0:14550', got 'udpin:0.0.0.0:14550'"),
    (LINK + 'url = "udpin://0.0.0.0"',
     "mavlink.links[0].url: missing port in 'udpin://0.0.0.0', expected host:port"),
    (LINK + 'url = "tcp://:5760"', "mavlink.links[0].url: missing host in 'tcp://:5760'"),
    (LINK + 'url = "udpout://h:0"',
     "mavlink.links[0].url: expected a port in 1..65535, got '0' in 'udpout://h:0'"),
    (LINK + 'url = "tcpin://h:65536"',
     "mavlink.links[0].url: expected a port in 1..65535, got '65536' in 'tcpin://h:65536'"),
    (LINK + 'url = "tcp://h:port"',
     "mavlink.links[0].url: expected a port in 1..65535, got 'port' in 'tcp://h:port'"),
    (LINK + 'url = "tcp://h:5760/x"',
     "mavlink.links[0].url: expected only host:port after the scheme, got 'tcp://h:5760/x'"),
    (LINK + 'url = "serial://"', "mavlink.links[0].url: missing serial device, e.g. "
     "'serial:///dev/ttyUSB0', got 'serial://'"),
    (LINK + 'url = "serial:///dev/ttyUSB0:57600"\nbaud = 57600', "mavlink.links[0].baud: "
     "baud is also given in the URL 'serial:///dev/ttyUSB0:57600'; keep one"),
    (LINK + 'url = "tcp://h:5760"\nbaud = 57600',
     "mavlink.links[0].baud: baud applies to serial links only, got scheme 'tcp'"),
    (LINK + 'url = "serial:///dev/ttyUSB0"\nbaud = 0',
     "mavlink.links[0].baud: expected an integer >= 1, got integer 0"),
    (LINK + 'url = "udpin://h:1"\nsigning_key = "short"', "mavlink.links[0].signing_key: "
     "signing_key must be 64 hex digits or a passphrase of 8 or more characters"),
    (LINK + 'url = "udpin://h:1"\nsigning_required = false', "mavlink.links[0]."
     "signing_required: signing_required needs signing_key or signing_key_env"),
    (LINK + 'url = "udpin://h:1"\nsigning_key_env = "FLEET_TEST_SURELY_UNSET"',
     "mavlink.links[0].signing_key_env: environment variable 'FLEET_TEST_SURELY_UNSET' "
     "is not set"),
    ('[[units]]\nid = "a"\nkind = "drone"\nread_only = "yes"',
     "units[0].read_only: expected a boolean, got string 'yes'"),
    ("[mqtt]\nurl = 'http://h'", "mqtt.url: unknown scheme 'http'; expected one of mqtt, mqtts"),
    ("[mqtt]\nurl = 'mqtts://h:99999'",
     "mqtt.url: expected a port in 1..65535, got '99999' in 'mqtts://h:99999'"),
    ("[mqtt]\nurl = 'mqtt://u:p@h'", "mqtt.url: credentials do not belong in the URL, "
                                     "got 'mqtt://u:***@h'"),
    ("[mqtt]\nurl = 'mqtt://h'\npassword = 'p'",
     "mqtt.username: a password needs a username (MQTT 3.1.1)"),
    ("[mqtt]\nurl = 'mqtt://h'\npassword = 'p'\npassword_env = 'X'",
     "mqtt.password_env: give password or password_env, not both"),
    ("[mqtt]\nurl = 'mqtt://h'\nusername = 'u'\npassword_env = 'FLEET_TEST_SURELY_UNSET'",
     "mqtt.password_env: environment variable 'FLEET_TEST_SURELY_UNSET' is not set"),
    ("[mqtt]\nurl = 'mqtt://h'\ntopic_prefix = 'fleet/#'", "mqtt.topic_prefix: expected a topic "
     "like 'fleet/v1' (no wildcards, leading '$' or '/', trailing or doubled '/'), "
     "got string 'fleet/#'"),
    # ranges
    ('[[bases]]\nid = "b"\nlat = 91\nlon = 1',
     "bases[0].lat: expected a number in -90..90, got integer 91"),
    ('[[bases]]\nid = "b"\nlat = 1\nlon = -180.5',
     "bases[0].lon: expected a number in -180..180, got float -180.5"),
    ("[[key_sites]]\nid = 'k'\nlat = -95\nlon = 1",
     "key_sites[0].lat: expected a number in -90..90, got integer -95"),
    (DRONE + "cruise_speed_m_s = -3", "units[0].cruise_speed_m_s: expected a number > 0, "
                                      "got integer -3"),
    ("[kinds.patrol_car]\ncruise_speed_m_s = 0",
     "kinds.patrol_car.cruise_speed_m_s: expected a number > 0, got integer 0"),
    ("[kinds.drone]\nlaunch_time_s = -1",
     "kinds.drone.launch_time_s: expected a number >= 0, got integer -1"),
    ("[kinds.drone]\nendurance_min = 0",
     "kinds.drone.endurance_min: expected a number > 0, got integer 0"),
    ("[kinds.drone]\nstale_after_s = 0",
     "kinds.drone.stale_after_s: expected a number > 0, got integer 0"),
    (ZONE + "polygon = [[1, 1], [1, 2]]",
     "zones[0].polygon: expected at least 3 distinct [lat, lon] points, got 2"),
    (ZONE + "polygon = [[1, 1], [1, 2], [1, 1]]",
     "zones[0].polygon: expected at least 3 distinct [lat, lon] points, got 2"),
    (ZONE + "polygon = [[1, 1], [1, 2], [95, 2]]",
     "zones[0].polygon[2][0]: expected a number in -90..90, got integer 95"),
    (ZONE + "polygon = [[1, 1], [1, 2], [2]]",
     "zones[0].polygon[2]: expected a [lat, lon] pair, got array of 1"),
    (ZONE + "polygon = 'square'",
     "zones[0].polygon: expected an array of [lat, lon] points, got string 'square'"),
    ('[[zones]]\nid = "z"\ntarget_min = 0\npolygon = [[1, 1], [1, 2], [2, 2]]',
     "zones[0].target_min: expected a number > 0, got integer 0"),
    (ZONE + "road_factor = 0.5\npolygon = [[1, 1], [1, 2], [2, 2]]",
     "zones[0].road_factor: expected a number >= 1, got float 0.5"),
    ("[[key_sites]]\nid = 'k'\nlat = 1\nlon = 1\ntarget_min = -1",
     "key_sites[0].target_min: expected a number > 0, got integer -1"),
    ("[[key_sites]]\nid = 'k'\nlat = 1\nlon = 1\nradius_m = 0",
     "key_sites[0].radius_m: expected a number > 0, got integer 0"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=[m[:60] for _, m in ERRORS])
def test_error_message(tmp_path: Path, text: str, message: str) -> None:
    path, err = load_error(tmp_path, text)
    assert str(err) == f"{path}: {message}"
    assert "\n" not in str(err)
    assert err.path == str(path)


def test_error_carries_key_path(tmp_path: Path) -> None:
    _, err = load_error(tmp_path, DRONE + "cruise_speed_m_s = 'fast'")
    assert err.key == "units[0].cruise_speed_m_s"
    assert err.message == "expected a number > 0, got string 'fast'"


def test_first_error_wins(tmp_path: Path) -> None:
    """Sections are checked in a fixed order, so the same file always reports the same line."""
    text = '[[units]]\nid = "a"\nkind = "dron"\n[mavlink]\ngcs_sysid = 0\n'
    _, err = load_error(tmp_path, text)
    assert err.key == "mavlink.gcs_sysid"


# -- dict input (parse_config) ------------------------------------------------------------


def test_parse_config_dict_errors() -> None:
    assert parse_error({"units": [{"id": "a", "kind": "drone", "endurance_min": True}]}) == (
        "<config>: units[0].endurance_min: expected a number > 0, got boolean true")
    assert parse_error({"fleet": {"name": None}}) == (
        "<config>: fleet.name: expected a string, got None")
    assert parse_error({"kinds": {"drone": None}}) == (
        "<config>: kinds.drone: expected a table, got None")
    assert parse_error({"units": [{"id": "a", "kind": "drone", "callsign": "x\ny"}]}) == (
        "<config>: units[0].callsign: expected a string without line breaks, got string "
        "'x\\ny'")


def test_parse_config_defaults() -> None:
    config = parse_config({})
    assert config.name == "fleet"
    assert config.source == "<config>"
    assert config.mqtt is None
    assert config.registry.unknown_units == "reject"
    assert config.mavlink.links == ()
    assert (config.mavlink.gcs_sysid, config.mavlink.gcs_compid) == (255, 190)
    assert config.kinds == KIND_DEFAULTS
    assert config.units == () and config.groups == () and config.bases == {}


def test_dotted_keys_are_quoted_in_paths() -> None:
    assert parse_error({"fleet": {"a.b": 1}}) == (
        "<config>: fleet: unknown key 'a.b'; expected one of name, timezone")
    assert parse_error({"kinds": {"drone": {"x y": 1}}}).startswith(
        "<config>: kinds.drone: unknown key 'x y'")
    assert parse_error({"groups": [{"id": "g", "domain": "land", "complement": {"a b": 1}}]}
                       ).startswith("<config>: groups[0].complement: unknown kind 'a b'")


# -- overrides, addresses, links ----------------------------------------------------------


def test_kind_override_applies_to_generated_units(tmp_path: Path) -> None:
    text = (
        "[kinds.patrol_car]\ncruise_speed_m_s = 20.0\nresponds_to = ['traffic']\n"
        + LAND_GROUP + "complement = { patrol_car = 2, motorcycle = 1 }\n"
        + '[[units]]\nid = "x"\nkind = "patrol_car"\nendurance_min = 60\n'
    )
    config = load_config(write(tmp_path, text))
    car = config.unit("rp01-pc1")
    default = KIND_DEFAULTS[UnitKind.PATROL_CAR]
    assert car.capabilities.cruise_speed_m_s == 20.0
    assert car.capabilities.responds_to == frozenset({"traffic"})
    assert car.capabilities.endurance_min == default.endurance_min
    assert config.kinds[UnitKind.PATROL_CAR] == car.capabilities
    assert config.unit("rp01-mc1").capabilities == KIND_DEFAULTS[UnitKind.MOTORCYCLE]
    explicit = config.unit("x").capabilities  # per-unit override on top of the kind override
    assert (explicit.cruise_speed_m_s, explicit.endurance_min) == (20.0, 60.0)


def test_explicit_unit_defaults(tmp_path: Path) -> None:
    text = BASE + LAND_GROUP + 'base = "wanda"\n' + (
        '[[units]]\nid = "car-9"\nkind = "patrol_car"\ngroup = "rp01"\n'
        '[[units]]\nid = "d"\nkind = "drone"\nowntracks = "pilot/phone"\n'
        'mavlink = { sysid = 7, compid = 0 }\n'
    )
    config = load_config(write(tmp_path, text))
    car = config.unit("car-9")
    assert car.callsign == "car-9"
    assert car.base is not None and car.base.id == "wanda"  # inherited from the group
    assert car.addresses == {"mqtt": "car-9"}
    drone = config.unit("d")
    assert drone.group == "" and drone.base is None
    assert drone.addresses == {"mavlink": "7:0", "owntracks": "pilot/phone"}


@pytest.mark.parametrize(("url", "baud", "parts"), [
    ("udpin://0.0.0.0:14550", None, ("udpin", "0.0.0.0", 14550, None, None)),
    ("udpout://10.0.0.5:14555", None, ("udpout", "10.0.0.5", 14555, None, None)),
    ("tcp://127.0.0.1:5760", None, ("tcp", "127.0.0.1", 5760, None, None)),
    ("tcpin://[::]:5760", None, ("tcpin", "::", 5760, None, None)),
    ("serial:///dev/ttyUSB0", None, ("serial", None, None, "/dev/ttyUSB0", 57600)),
    ("serial:///dev/ttyUSB0", 115200, ("serial", None, None, "/dev/ttyUSB0", 115200)),
    ("serial:///dev/ttyACM0:921600", None, ("serial", None, None, "/dev/ttyACM0", 921600)),
    ("serial://COM3", None, ("serial", None, None, "COM3", 57600)),
])
def test_mavlink_urls(url: str, baud: int | None, parts: tuple[object, ...]) -> None:
    link = {"name": "l", "url": url} | ({"baud": baud} if baud else {})
    (parsed,) = parse_config({"mavlink": {"links": [link]}}).mavlink.links
    assert (parsed.scheme, parsed.host, parsed.port, parsed.device, parsed.baud) == parts
    assert parsed.url == url


def test_mqtt_tls_and_password(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ca.pem").write_text("x")
    monkeypatch.setenv("FLEET_TEST_MQTT_PW", "s3cret")
    text = (
        "[mqtt]\nurl = 'mqtt://broker.local'\nusername = 'fleet'\n"
        "password_env = 'FLEET_TEST_MQTT_PW'\n[mqtt.tls]\nca_file = 'ca.pem'\n"
    )
    mqtt = load_config(write(tmp_path, text)).mqtt
    assert mqtt is not None
    assert (mqtt.host, mqtt.port) == ("broker.local", 8883)  # TLS on: 8883 by default
    assert mqtt.tls == TlsConfig(str(tmp_path / "ca.pem"), None, None, False)
    assert mqtt.password == "s3cret"
    assert "s3cret" not in repr(mqtt)


def test_mqtts_scheme_enables_tls() -> None:
    mqtt = parse_config({"mqtt": {"url": "mqtts://h"}}).mqtt
    assert mqtt is not None
    assert (mqtt.port, mqtt.tls) == (8883, TlsConfig(None, None, None, False))
    plain = parse_config({"mqtt": {"url": "mqtt://h:1884"}}).mqtt
    assert plain is not None and (plain.port, plain.tls) == (1884, None)


def test_mqtt_tls_missing_file(tmp_path: Path) -> None:
    path, err = load_error(tmp_path, "[mqtt]\nurl = 'mqtts://h'\n[mqtt.tls]\ncert_file = 'c.pem'")
    assert str(err) == f"{path}: mqtt.tls.cert_file: file not found: {str(tmp_path / 'c.pem')!r}"


def test_mqtt_key_without_cert(tmp_path: Path) -> None:
    (tmp_path / "k.pem").write_text("x")
    path, err = load_error(tmp_path, "[mqtt]\nurl = 'mqtts://h'\n[mqtt.tls]\nkey_file = 'k.pem'")
    assert str(err) == f"{path}: mqtt.tls.key_file: key_file needs cert_file (the client " \
                       "certificate)"


def test_closed_polygon_ring_is_opened() -> None:
    ring = [[1, 1], [1, 2], [2, 2], [1, 1]]
    (zone,) = parse_config({"zones": [{"id": "z", "target_min": 3, "polygon": ring}]}).zones
    assert zone.polygon == ((1.0, 1.0), (1.0, 2.0), (2.0, 2.0))
    assert zone.road_factor == 1.4


def test_docs_example_loads(tmp_path: Path) -> None:
    """The full example in docs/config.md stays valid."""
    doc = Path(__file__).parents[2] / "docs" / "config.md"
    text = doc.read_text(encoding="utf-8")
    start = text.index("```toml\n", text.index("## Full example")) + len("```toml\n")
    example = text[start:text.index("```", start)]
    tomllib.loads(example)
    config = load_config(write(tmp_path, example))
    assert config.units


def test_signing_key_and_read_only(monkeypatch):
    monkeypatch.setenv("FLEET_TEST_KEY", "correct horse battery staple")
    config = parse_config({
        "mavlink": {"links": [
            {"name": "a", "url": "udpin://h:1", "signing_key_env": "FLEET_TEST_KEY"},
            {"name": "b", "url": "udpin://h:2", "signing_key": "0" * 64,
             "signing_required": False},
        ]},
        "units": [{"id": "x", "kind": "drone", "read_only": True}],
    })
    a, b = config.mavlink.links
    assert (a.signing_key, a.signing_required) == ("correct horse battery staple", True)
    assert (b.signing_key, b.signing_required) == ("0" * 64, False)
    assert "signing_key" not in repr(a)  # a secret stays out of logs
    assert config.unit("x").read_only
