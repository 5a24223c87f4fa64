"""FleetService: the one object the TUI and scripts talk to.

The core (:class:`fleet.core.FleetCore`: state, change stream, links) with the features
composed on top, each given the core's :class:`fleet.port.FleetPort` and the settings it
owns; all run under the core's task group for exactly as long as ``async with``:

    async with FleetService(config) as svc:
        drone = await svc.wait_for_unit("air-1", timeout=30)
        await drone.action.arm()
        await svc.dispatch.new_incident(26.89, 112.61, "theft")
"""

from __future__ import annotations

from typing import Any

from .config import FleetConfig
from .core import Candidate, FleetCore, LinkStatus
from .dispatch.cad_link import CadLink
from .dispatch.center import DispatchCenter
from .planning.executor import ScheduleExecutor
from .planning.runs import PatrolRoute

__all__ = ["Candidate", "FleetService", "LinkStatus"]


class FleetService(FleetCore):
    """The core, plus ``dispatch`` (incidents and the closed loop: docs/dispatch.md) and
    ``schedules`` (scheduled patrols: docs/planning.md)."""

    def __init__(self, config: FleetConfig, **options: Any) -> None:
        super().__init__(config, **options)
        settings = config.dispatch
        unsaved = config.source.startswith("<")  # built in code: its audit in memory
        self.dispatch = DispatchCenter(
            self.port, settings,
            audit_path=":memory:" if unsaved and not settings.audit_db else None,
            city=config.name, zones=config.zones, key_sites=config.key_sites,
            bases=list(config.bases.values()))
        self.schedules = ScheduleExecutor(
            self.port, schedules=config.schedules, patrols=config.patrols,
            zones=config.zones, key_sites=config.key_sites, audit=self._schedule_audit)
        self.add_feature("dispatch", self.dispatch)
        self.add_feature("schedules", self.schedules)
        if config.mqtt is not None and settings.cad_intake:  # CAD over the same broker
            self.add_link(CadLink(self.dispatch, config.mqtt))

    def patrol_routes(self) -> list[PatrolRoute]:
        """The configured patrols' paths (lat/lon) and the units scheduled on each."""
        return self.schedules.patrol_routes()

    def _schedule_audit(self, kind: str, unit_id: str | None, data: dict[str, Any]) -> bool:
        """Schedule runs are audited beside incidents, once the dispatch audit is open."""
        if not self.dispatch.available:
            return False
        self.dispatch.audit_later(kind, None, unit_id, **data)
        return True
