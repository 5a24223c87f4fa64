"""The HIL fixture's own checks, with fake SITL binaries (shell scripts): SITL without
default parameters is refused before it starts (a copter would repeat "PreArm: Motors:
Check frame class and type" for minutes), a SITL that exits early or never opens its port
fails fast with the tail of its log, and a test's config merges into the backend's."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from backend import merge_config
from sitl_backend import SitlBackend
from sitl_setup import SitlConfigError, sitl_target
from vehicle_process import VehicleStartError


def fake_binary(folder: Path, body: str, name: str = "arducopter") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def checkout(root: Path, *parms: str) -> Path:
    """A fake ArduPilot checkout with a SITL build and the named default files."""
    for name in ("arducopter", "ardurover"):
        fake_binary(root / "build" / "sitl" / "bin", "exit 0", name)
    folder = root / "Tools" / "autotest" / "default_params"
    folder.mkdir(parents=True)
    for name in parms:
        (folder / name).write_text("FRAME_CLASS 1\n")
    return root


def test_a_binary_without_default_parameters_is_refused(tmp_path: Path) -> None:
    binary = fake_binary(tmp_path / "elsewhere", "exit 0")
    with pytest.raises(SitlConfigError, match=r"no default parameters.*ARDUPILOT_SITL_DEFAULTS"):
        sitl_target("quad", {"ARDUPILOT_SITL": str(binary)})


def test_missing_or_unusable_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(SitlConfigError, match=r"does not exist.*waf copter"):
        sitl_target("quad", {"ARDUPILOT_SITL": str(tmp_path / "nope")})
    binary = fake_binary(tmp_path, "exit 0")
    binary.chmod(0o644)
    with pytest.raises(SitlConfigError, match="not executable"):
        sitl_target("quad", {"ARDUPILOT_SITL": str(binary),
                             "ARDUPILOT_SITL_DEFAULTS": str(binary)})
    root = checkout(tmp_path / "ardupilot")  # no copter.parm in it
    with pytest.raises(SitlConfigError, match=r"not found: .*copter\.parm"):
        sitl_target("quad", {"ARDUPILOT_DIR": str(root)})


def test_a_checkout_gives_binaries_and_defaults(tmp_path: Path) -> None:
    root = checkout(tmp_path / "ardupilot", "copter.parm", "rover.parm", "motorboat.parm")
    quad = sitl_target("quad", {"ARDUPILOT_DIR": str(root)})
    assert quad.binary.name == "arducopter" and [p.name for p in quad.defaults] == ["copter.parm"]
    boat = sitl_target("motorboat", {"ARDUPILOT_DIR": str(root)})
    assert boat.sitl_model == "motorboat"
    assert [p.name for p in boat.defaults] == ["rover.parm", "motorboat.parm"]
    # a binary inside a checkout brings that checkout's defaults
    alone = sitl_target("quad", {"ARDUPILOT_SITL": str(quad.binary)})
    assert alone.defaults == quad.defaults


def sitl_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, body: str) -> None:
    parm = tmp_path / "copter.parm"
    parm.write_text("FRAME_CLASS 1\n")
    monkeypatch.setenv("ARDUPILOT_SITL", str(fake_binary(tmp_path / "bin", body)))
    monkeypatch.setenv("ARDUPILOT_SITL_DEFAULTS", str(parm))


async def test_a_sitl_that_exits_early_fails_with_its_log(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sitl_env(monkeypatch, tmp_path, 'echo "SITL: no such model"; exit 3')
    backend = SitlBackend(tmp_path / "run", speedup=5)
    with pytest.raises(VehicleStartError) as err:
        async with backend.fleet(params={"FS_GCS_ENABLE": 1}):
            pytest.fail("no fleet without a vehicle")
    text = str(err.value)
    assert "exited before opening TCP port" in text and "exit status 3" in text
    assert "SITL: no such model" in text  # the tail of its log
    assert "copter.parm," in text and "quad-test.parm" in text  # the test's own params


async def test_a_sitl_that_never_opens_its_port_fails_in_time(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sitl_env(monkeypatch, tmp_path, 'echo "waiting for nothing"; exec sleep 60')
    backend = SitlBackend(tmp_path / "run", speedup=5)
    backend.port_timeout_s = 0.5
    with pytest.raises(VehicleStartError, match=r"did not open TCP port \d+ within 0.5 s"):
        async with backend.fleet():
            pytest.fail("no fleet without a vehicle")
    assert all(p.exited is not None for p in backend.processes)  # stopped by pid


async def test_missing_defaults_skip_unless_sitl_is_required(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARDUPILOT_SITL", str(fake_binary(tmp_path / "bin", "exit 0")))
    monkeypatch.delenv("ARDUPILOT_SITL_DEFAULTS", raising=False)
    monkeypatch.delenv("ARDUPILOT_DIR", raising=False)
    monkeypatch.delenv("FLEET_HIL_REQUIRE_SITL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no default parameters"):
        async with SitlBackend(tmp_path / "a", speedup=5).fleet():
            pass
    monkeypatch.setenv("FLEET_HIL_REQUIRE_SITL", "1")
    with pytest.raises(SitlConfigError, match="no default parameters"):
        async with SitlBackend(tmp_path / "b", speedup=5).fleet():
            pass


def test_a_tests_config_merges_into_the_backends() -> None:
    base = {"mavlink": {"links": ["l"], "heartbeat_hz": 5.0},
            "kinds": {"drone": {"stale_after_s": 1.0}},
            "units": [{"id": "air-1", "kind": "drone"}]}
    merged = merge_config(base, {
        "mavlink": {"gcs_failsafe": "land"}, "kinds": {"drone": {"cruise_speed_m_s": 9.0}},
        "units": [{"id": "air-1", "base": "roof"}], "bases": [{"id": "roof"}]})
    assert merged["mavlink"] == {"links": ["l"], "heartbeat_hz": 5.0, "gcs_failsafe": "land"}
    assert merged["kinds"] == {"drone": {"stale_after_s": 1.0, "cruise_speed_m_s": 9.0}}
    assert merged["units"] == [{"id": "air-1", "kind": "drone", "base": "roof"}]
    assert merged["bases"] == [{"id": "roof"}]
