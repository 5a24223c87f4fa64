"""The CAD interface is a link like the others (issue 15): it shows among the core's links
as ``cad``, and the links' supervisor brings it back after the broker dies."""

import asyncio
from pathlib import Path

import pytest
from test_cad_actions_mqtt import SCENE, write_config
from waits import connected, until

from fleet.cli.incident import exchange
from fleet.config import load_config
from fleet.dispatch.cad import CadRequest
from fleet.events import ConnectionState
from fleet.service import FleetService

pytestmark = pytest.mark.broker


def cad(svc):
    return next(ls for ls in svc.links() if ls.name == "cad")


async def test_the_cad_interface_is_a_supervised_link(tmp_path, broker):
    cfg = load_config(write_config(tmp_path, broker))
    async with FleetService(cfg) as svc:
        await connected(svc)  # every link, the CAD one included
        assert {ls.name for ls in svc.links()} == {"mqtt", "cad"}
        first = await exchange(cfg.mqtt, CadRequest("call-1", *SCENE, "theft"), 10)
        assert first["result"] == "accepted"

        broker.kill()
        await until(svc, lambda: cad(svc).state is not ConnectionState.CONNECTED, 10)
        assert not svc.dispatch.cad_listening.is_set()
        await asyncio.to_thread(broker.restart)
        await until(svc, lambda: cad(svc).state is ConnectionState.CONNECTED, 15)
        again = await exchange(cfg.mqtt, CadRequest("call-2", *SCENE, "theft"), 10)
        assert again["result"] == "accepted" and again["incident"] != first["incident"]
        assert any(a.code == "link.up" and a.link == "cad" for a in svc.alerts)


def without_intake(path: Path) -> Path:
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[dispatch]\n", "[dispatch]\ncad_intake = false\n"), encoding="utf-8")
    return path


async def test_no_cad_link_when_the_intake_is_off(tmp_path, broker):
    path = without_intake(Path(write_config(tmp_path, broker)))
    async with FleetService(load_config(path)) as svc:
        await connected(svc)
        assert [ls.name for ls in svc.links()] == ["mqtt"]
