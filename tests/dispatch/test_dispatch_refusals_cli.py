"""Issue #14, probe 3 over the wire: a dispatch that sends nobody (or not everybody) is
not reported as a success, in the CAD answer (``result``: ``failed`` / ``partial``) and
in ``fleet incident``'s exit code, text and ``--json``."""

import asyncio
import json

import pytest
from mqtt_helpers import ScriptedUnit
from test_cad_actions_mqtt import SCENE, heard, write_config
from waits import connected, until

from fleet.cli import main
from fleet.cli.incident import EXIT_PARTIAL, EXIT_REJECTED
from fleet.config import load_config
from fleet.dispatch.incident import IncidentStatus
from fleet.model import UnitStatus
from fleet.service import FleetService

pytestmark = pytest.mark.broker


async def test_refused_units_are_reported_by_the_cad_answer_and_the_cli(
        tmp_path, broker, capsys):
    path = write_config(tmp_path, broker)  # car-1, car-2, car-3 (never heard)

    async def fleet(*argv):
        code = await asyncio.to_thread(main, ["incident", *argv, "--config", path,
                                              "--timeout", "10", "--operator", "Zhang"])
        out, err = capsys.readouterr()
        return code, out, err

    async with FleetService(load_config(path)) as svc, ScriptedUnit(broker, "car-1") as car, \
            ScriptedUnit(broker, "car-2") as other:
        await connected(svc)
        await heard(svc, car, 26.8830, SCENE[1])
        await heard(svc, other, 26.8850, SCENE[1])
        c = svc.dispatch
        await asyncio.wait_for(c.cad_listening.wait(), 5)
        first = await c.new_incident(*SCENE, "theft")
        await c.dispatch(first.id, ["car-1"])
        await c.wait_for(lambda: c.incident(first.id).status is IncidentStatus.EN_ROUTE, 5)
        # the probe: the crew of a unit still on a call says it is available
        await car.report(lat=26.8830, lon=SCENE[1], status="available")
        await until(svc, lambda: svc.state.status("car-1") is UnitStatus.AVAILABLE, 5)
        second = await c.new_incident(*SCENE, "theft")

        code, out, err = await fleet("dispatch", second.id, "--unit", "car-1", "--unit",
                                     "car-2")
        assert code == EXIT_PARTIAL
        assert out.startswith(f"{second.id} dispatched (recorded as Zhang)")
        assert f"fleet: not sent: Car 1 (car-1): committed to {first.id} (its crew " \
            "reports available)" in err
        assert [a.unit_id for a in c.incident(second.id).active] == ["car-2"]

        # nobody left: car-1 and car-2 committed, car-3 never heard
        code, out, err = await fleet("new", "--lat", str(SCENE[0]), "--lon", str(SCENE[1]),
                                     "--category", "theft", "--dispatch")
        assert code == EXIT_REJECTED
        third = out.split()[0]
        assert out.startswith(f"{third} recorded") and "dispatched:" not in out
        assert f"fleet: recorded as {third}, but NOBODY was dispatched" in err
        assert f"not sent: Car 1 (car-1): available, committed to {first.id}" in err
        assert "not sent: Car 3 (car-3): never heard" in err
        assert c.incident(third).assignments == ()
        assert c.incident(third).notes[-1].startswith("automatic dispatch failed")
        assert any(a.code == "dispatch.not_sent" and third in a.message for a in svc.alerts)

        code, out, _ = await fleet("new", "--lat", str(SCENE[0]), "--lon", str(SCENE[1]),
                                   "--category", "theft", "--dispatch", "--json")
        answer = json.loads(out)
        assert code == EXIT_REJECTED
        assert (answer["result"], answer["error"], answer["dispatched"]) == \
            ("failed", "no_units", [])
        assert answer["incident"].startswith("INC-")  # recorded all the same
        assert {r["unit"] for r in answer["refused"]} >= {"car-1", "car-2", "car-3"}

        code, out, err = await fleet("dispatch", third, "--unit", "car-1", "--json")
        answer = json.loads(out)
        assert code == EXIT_REJECTED and answer["result"] == "rejected"
        assert answer["error"] == "unit_unavailable"
        assert [r["unit"] for r in answer["refused"]] == ["car-1"]
        assert "not sent: Car 1 (car-1): committed to" in err

        code, out, _ = await fleet("dispatch", third, "--unit", "car-1", "--unit", "car-2",
                                   "--json")
        assert code == EXIT_REJECTED  # both refused: nothing recorded
        # a call a unit can go to is still plainly accepted
        await other.report(lat=26.8850, lon=SCENE[1], status="available")
        await c.release(second.id, "car-2")
        code, out, err = await fleet("dispatch", third, "--json")
        answer = json.loads(out)
        assert code == 0 and answer["result"] == "accepted" and answer["refused"] == []
        assert err == ""
