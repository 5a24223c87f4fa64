"""The small core additions the MQTT bridge needs: mark_lost, and the LinkContext's
unit_offline / snapshot / snapshots / subscribe, plus the factory registration."""

from __future__ import annotations

from factories import make_unit, tel

from fleet.config import parse_config
from fleet.core import _LinkPort
from fleet.events import Alert, StatusChanged
from fleet.links.factory import build_links
from fleet.links.mqtt import MqttBridge
from fleet.model import LinkState, UnitStatus
from fleet.service import FleetService
from fleet.state import FleetState


class Recorder:
    def __init__(self):
        self.events, self.changed = [], []

    def unit_changed(self, unit_id):
        self.changed.append(unit_id)

    def emit(self, event):
        self.events.append(event)


def test_mark_lost_now_and_recover_on_the_next_report():
    rec = Recorder()
    state = FleetState([make_unit("car-1")], listener=rec, wall=lambda: 1.0)
    assert state.mark_lost("car-1", "went offline") is False  # never heard: nothing to say
    state.ingest("car-1", tel(), now=5.0, link="mqtt")
    state.set_status("car-1", UnitStatus.PATROLLING)
    rec.events.clear()
    assert state.mark_lost("car-1", "went offline (MQTT presence)") is True
    assert state.link_state("car-1") is LinkState.LOST
    assert state.status("car-1") is UnitStatus.LOST
    changed, alert = rec.events
    assert changed == StatusChanged("car-1", UnitStatus.PATROLLING, UnitStatus.LOST, 1.0,
                                    "went offline (MQTT presence)")
    assert isinstance(alert, Alert) and alert.code == "unit.lost" and alert.link == "mqtt"
    assert rec.changed[-1] == "car-1"
    assert state.mark_lost("car-1", "again") is False  # already lost: once is enough
    state.ingest("car-1", tel(), now=6.0, link="mqtt")
    assert state.status("car-1") is UnitStatus.PATROLLING  # duty status kept under LOST
    assert state.check_staleness(7.0) == []


async def test_link_context_reaches_the_core():
    config = parse_config({"units": [{"id": "car-1", "callsign": "Car 1",
                                      "kind": "patrol_car"}]})
    async with FleetService(config) as svc:
        ctx = _LinkPort(svc, "mqtt")
        assert ctx.snapshot("car-1").unit.callsign == "Car 1"
        assert [s.id for s in ctx.snapshots()] == ["car-1"]
        with ctx.subscribe(max_events=4) as sub:
            ctx.telemetry("car-1", tel())
            ctx.unit_offline("car-1", "went offline")
            batch = sub.drain()
        assert [s.id for s in batch.units] == ["car-1"]
        assert batch.units[0].link_state is LinkState.LOST
        assert any(isinstance(e, Alert) and e.code == "unit.lost" for e in batch.events)


def test_the_factory_builds_the_bridge_for_an_mqtt_section():
    config = parse_config({"mqtt": {"url": "mqtt://127.0.0.1:1883", "client_id": "core"}})
    links, unavailable = build_links(config, lambda: 0.0)
    assert unavailable == [] and len(links) == 1
    bridge = links[0]
    assert isinstance(bridge, MqttBridge) and bridge.name == "mqtt"
    assert bridge.identifier == "core"
    assert build_links(parse_config({}), lambda: 0.0) == ([], [])
