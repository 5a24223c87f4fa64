"""The per-unit facade of the public API, shaped like MAVSDK's ``System``.

    drone = await fleet.wait_for_unit("air-1", timeout=30)
    await drone.action.arm()
    async for p in drone.telemetry.position():
        print(p.lat_deg, p.lon_deg)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import aclosing
from typing import TYPE_CHECKING

from . import commands as c
from .errors import FleetTimeoutError
from .events import StatusChanged, UnitSnapshot
from .missions import MissionType
from .model import Position, Telemetry, Unit, UnitStatus

if TYPE_CHECKING:
    from .port import FleetPort


class UnitHandle:
    """One unit: ``.action`` sends commands, ``.telemetry`` streams its state."""

    def __init__(self, port: FleetPort, unit_id: str) -> None:
        self._port = port
        self.id = unit_id
        self.action = Action(port, unit_id)
        self.telemetry = TelemetryStreams(port, unit_id)
        self.mission = MissionApi(port, unit_id, MissionType.MISSION)
        self.geofence = MissionApi(port, unit_id, MissionType.FENCE)
        self.rally = MissionApi(port, unit_id, MissionType.RALLY)

    @property
    def unit(self) -> Unit:
        return self._port.view.unit(self.id)

    @property
    def snapshot(self) -> UnitSnapshot:
        return self._port.snapshot(self.id)

    def __repr__(self) -> str:
        return f"<UnitHandle {self.id}>"

    async def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the unit reports itself ready (an autopilot: EKF has a position,
        3D GPS fix, pre-arm checks pass): arming before that is refused by ArduPilot."""
        try:
            async with asyncio.timeout(timeout):
                async with aclosing(self.telemetry.reports()) as reports:
                    async for t in reports:
                        if t.ready:
                            return
        except TimeoutError:
            raise FleetTimeoutError(f"{self.id}: not ready within {timeout:g} s") from None


class Action:
    """Commands to one unit. Each returns when the unit confirmed it, or raises a
    :class:`fleet.errors.CommandError` (or NoRouteError) saying why not."""

    def __init__(self, port: FleetPort, unit_id: str) -> None:
        self._port = port
        self._id = unit_id

    async def _send(self, command: c.Command, timeout: float | None) -> None:
        await self._port.send(self._id, command, timeout=timeout)

    async def arm(self, *, force: bool = False, timeout: float | None = None) -> None:
        await self._send(c.Arm(force), timeout)

    async def disarm(self, *, force: bool = False, timeout: float | None = None) -> None:
        await self._send(c.Disarm(force), timeout)

    async def set_mode(self, mode: str, *, pilot: bool = False,
                       timeout: float | None = None) -> None:
        """``pilot=True`` says a pilot holds the sticks: only then are an armed aircraft's
        stick modes (LOITER, ALT_HOLD, CIRCLE, ...) allowed."""
        await self._send(c.SetMode(mode, pilot), timeout)

    async def takeoff(self, relative_alt_m: float, *, timeout: float | None = None) -> None:
        await self._send(c.Takeoff(relative_alt_m), timeout)

    async def goto(
        self, lat_deg: float, lon_deg: float, alt_m: float | None = None, *,
        timeout: float | None = None,
    ) -> None:
        await self._send(c.Goto(lat_deg, lon_deg, alt_m), timeout)

    async def orbit(
        self, lat_deg: float, lon_deg: float, radius_m: float, alt_m: float | None = None,
        *, velocity_m_s: float | None = None, timeout: float | None = None,
    ) -> None:
        """Overwatch: circle the point at a held altitude, nose on it, until the next
        command. Returns once the aircraft is on its way (ArduPilot: GUIDED, flown by
        fleet; PX4: DO_ORBIT). See docs/flight-safety.md."""
        await self._send(c.Orbit(lat_deg, lon_deg, radius_m, alt_m, velocity_m_s), timeout)

    async def hold(self, *, timeout: float | None = None) -> None:
        await self._send(c.Hold(), timeout)

    async def return_to_launch(self, *, timeout: float | None = None) -> None:
        await self._send(c.ReturnToLaunch(), timeout)

    async def land(self, *, timeout: float | None = None) -> None:
        await self._send(c.Land(), timeout)

    async def set_speed(self, speed_m_s: float, *, timeout: float | None = None) -> None:
        await self._send(c.SetSpeed(speed_m_s), timeout)

    async def set_home(self, lat_deg: float | None = None, lon_deg: float | None = None,
                       alt_amsl_m: float | None = None, *,
                       timeout: float | None = None) -> None:
        """Move home (where RTL lands) to a point, or with no point to where the unit is;
        ``alt_amsl_m`` None keeps the current home's altitude. Read back and checked."""
        await self._send(c.SetHome(lat_deg, lon_deg, alt_amsl_m), timeout)


class MissionApi:
    """A vehicle's mission, geofence or rally list (``unit.mission``, ``unit.geofence``,
    ``unit.rally``). Items are :class:`fleet.missions.MissionItem` without ArduPilot's
    home at seq 0: fleet adds and strips it."""

    def __init__(self, port: FleetPort, unit_id: str, kind: MissionType) -> None:
        self._port = port
        self._id = unit_id
        self.kind = kind

    async def upload(self, items: Iterable[c.MissionItem], *, verify: bool = True,
                     progress: Callable[[int, int], None] | None = None,
                     timeout: float | None = None) -> None:
        """Replace the list. ``progress(done, total)`` is called as items go out (counted
        on the wire: on ArduPilot, home at seq 0 is one of them)."""
        await self._port.send(
            self._id, c.UploadMission(tuple(items), self.kind, verify, progress),
            timeout=timeout)

    async def download(self, *, progress: Callable[[int, int], None] | None = None,
                       timeout: float | None = None) -> tuple[c.MissionItem, ...]:
        return await self._port.send(self._id, c.DownloadMission(self.kind, progress),
                                    timeout=timeout)

    async def clear(self, *, timeout: float | None = None) -> None:
        await self._port.send(self._id, c.ClearMission(self.kind), timeout=timeout)

    async def set_current(self, index: int, *, timeout: float | None = None) -> None:
        await self._port.send(self._id, c.SetMissionCurrent(index), timeout=timeout)

    async def start(self, *, timeout: float | None = None) -> None:
        await self._port.send(self._id, c.StartMission(), timeout=timeout)

    async def pause(self, *, timeout: float | None = None) -> None:
        await self._port.send(self._id, c.PauseMission(), timeout=timeout)


class TelemetryStreams:
    """Async iterators over one unit's state. Each yields the current value first (if
    any), then every change; a slow reader sees the latest value, never a backlog."""

    def __init__(self, port: FleetPort, unit_id: str) -> None:
        self._port = port
        self._id = unit_id

    async def _snapshots(self) -> AsyncIterator[UnitSnapshot]:
        with self._port.subscribe(units=[self._id], max_events=16) as sub:
            yield self._port.snapshot(self._id)
            async for batch in sub:
                for snap in batch.units:
                    yield snap

    async def reports(self) -> AsyncIterator[Telemetry]:
        """Every new telemetry report (coalesced to the latest for slow readers)."""
        last: Telemetry | None = None
        async with aclosing(self._snapshots()) as snapshots:  # close the subscription now
            async for snap in snapshots:
                if snap.telemetry is not None and snap.telemetry is not last:
                    last = snap.telemetry
                    yield last

    async def position(self) -> AsyncIterator[Position]:
        async with aclosing(self.reports()) as reports:
            async for t in reports:
                yield Position(t.lat_deg, t.lon_deg, t.alt_m if t.alt_m is not None else 0.0)

    async def battery_pct(self) -> AsyncIterator[float]:
        async with aclosing(self.reports()) as reports:
            async for t in reports:
                if t.battery_pct is not None:
                    yield t.battery_pct

    async def status(self) -> AsyncIterator[UnitStatus]:
        """The effective status now, then each change (including LOST and back)."""
        with self._port.subscribe(units=[self._id], max_events=64) as sub:
            yield self._port.view.status(self._id)
            async for batch in sub:
                if batch.dropped_events:  # we missed some: say where things stand now
                    yield self._port.view.status(self._id)
                    continue
                for event in batch.events:
                    if isinstance(event, StatusChanged):
                        yield event.new
