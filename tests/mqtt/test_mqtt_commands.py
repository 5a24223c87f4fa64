"""Commands out over MQTT and acks back, against a scripted unit on a real Mosquitto."""

from __future__ import annotations

import pytest
from mqtt_helpers import ScriptedUnit, bridge_for, running_fleet
from waits import connected, until

from fleet.commands import Arm, Goto, Hold, Patrol, ReturnToLaunch, SetHome, SetStatus
from fleet.errors import (
    CommandRejectedError,
    CommandTimeoutError,
    NoRouteError,
    UnsupportedCommandError,
)
from fleet.events import ConnectionState
from fleet.model import LinkState, UnitStatus

pytestmark = pytest.mark.broker


async def _heard(svc, unit: ScriptedUnit) -> None:
    await unit.report()
    await until(svc, lambda: svc.state.link_state(unit.unit_id) is LinkState.OK, 5)


async def test_each_command_type_goes_out_with_a_unique_id_and_is_accepted(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        await _heard(svc, car)
        route = ((26.90, 112.60), (26.91, 112.61), (26.92, 112.60))
        for command in (Goto(26.9012, 112.6011, alt_m=30.0), Patrol(route), Patrol(route, False),
                        Hold(), ReturnToLaunch(), SetStatus(UnitStatus.ON_SCENE)):
            assert await svc.send("car-1", command, timeout=5) is None
        sent = await car.wait_commands(6)
        assert [c["type"] for c in sent] == ["goto", "patrol", "patrol", "hold", "return",
                                             "set_status"]
        assert len({c["id"] for c in sent}) == 6 and all(len(c["id"]) <= 64 for c in sent)
        assert all(c["v"] == 1 and isinstance(c["ts"], float) for c in sent)
        goto, patrol, once = sent[:3]
        assert (goto["lat"], goto["lon"]) == (26.9012, 112.6011) and "alt" not in goto
        assert patrol["route"] == [list(p) for p in route] and patrol["loop"] is True
        assert once["loop"] is False
        assert sent[5]["status"] == "on_scene"
        assert bridge.commands.counters.accepted == 6


async def test_rejection_carries_the_units_reason(broker):
    def refuse(command):
        return [("rejected", "no route to that point")]

    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "boat-1", "patrol_boat",
                                                          script=refuse) as boat:
        await connected(svc)
        await _heard(svc, boat)
        with pytest.raises(CommandRejectedError, match="no route to that point") as err:
            await svc.send("boat-1", Goto(26.95, 112.70))
        assert err.value.result == "rejected"
        assert svc.alerts[-1].code == "command.failed"


async def test_unanswered_command_is_resent_with_the_same_id_then_accepted(broker):
    def answer_third(command, tries=[]):  # noqa: B006 - a counter the script keeps
        tries.append(command["id"])
        return [("accepted", None)] if len(tries) == 3 else []

    bridge = bridge_for(broker, ack_timeout_s=0.3)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1",
                                                          script=answer_third) as car:
        await connected(svc)
        await _heard(svc, car)
        await svc.send("car-1", Hold(), timeout=5)
        sent = await car.wait_commands(3)
        assert len({c["id"] for c in sent}) == 1 and sent[0] == sent[2]  # the same message
        assert bridge.commands.counters.resent == 2


async def test_silence_after_three_sends_is_a_timeout(broker):
    bridge = bridge_for(broker, ack_timeout_s=0.2)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1",
                                                          script=lambda c: []) as car:
        await connected(svc)
        await _heard(svc, car)
        with pytest.raises(CommandTimeoutError, match="no ack after 3 sends"):
            await svc.send("car-1", ReturnToLaunch())
        assert len(await car.wait_commands(3)) == 3


async def test_completed_acks_are_recorded_and_unknown_acks_counted(broker):
    def accept_then_complete(command):
        return [("accepted", None), ("completed", None)]

    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(
            broker, "car-1", script=accept_then_complete) as car:
        await connected(svc)
        await _heard(svc, car)
        await svc.send("car-1", Goto(26.9, 112.6), timeout=5)
        await until(svc, lambda: any(a.code == "command.completed" for a in svc.alerts), 5)
        done = next(a for a in svc.alerts if a.code == "command.completed")
        assert done.unit_id == "car-1" and "goto completed" in done.message
        command_id = car.commands[0]["id"]
        await car.ack("c-never-sent", "accepted")
        async with ScriptedUnit(broker, "car-2") as other:  # acking car-1's command id
            await other.ack(command_id, "completed")
            await _heard(svc, other)
        assert bridge.counters.unknown_ack == 2
        assert bridge.commands.counters.completed == 1


async def test_commands_fleet_cannot_send_are_refused_locally(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc, ScriptedUnit(broker, "car-1") as car:
        await connected(svc)
        await _heard(svc, car)
        with pytest.raises(UnsupportedCommandError, match="MQTT units take goto"):
            await svc.send("car-1", Arm())
        with pytest.raises(UnsupportedCommandError, match="no autopilot home: their crew"):
            await svc.send("car-1", SetHome(26.9, 112.6))
        with pytest.raises(CommandRejectedError, match="at least 2 points"):
            await svc.send("car-1", Patrol(((26.9, 112.6),)))
        with pytest.raises(CommandRejectedError, match="not a position"):
            await svc.send("car-1", Goto(96.0, 112.6))
        with pytest.raises(CommandRejectedError, match="LOST"):
            await svc.send("car-1", SetStatus(UnitStatus.LOST))
        assert car.commands == []


async def test_no_route_before_the_unit_is_heard_or_while_the_broker_is_gone(broker):
    bridge = bridge_for(broker)
    async with running_fleet(bridge) as svc:
        await connected(svc)
        with pytest.raises(NoRouteError):
            await svc.send("car-1", Hold())
        async with ScriptedUnit(broker, "car-1") as car:
            await _heard(svc, car)
            broker.kill()
            await until(svc, lambda: svc.links()[0].state is not ConnectionState.CONNECTED, 5)
            with pytest.raises(NoRouteError):
                await svc.send("car-1", Hold())
