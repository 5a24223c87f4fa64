"""The MAVLink side of the core: every vehicle on every MAVLink link, in one place.

Links hand it decoded frames; it discovers vehicles from heartbeats, maps them to units,
chooses each vehicle's active path (failover, de-duplication, collision detection),
updates the vehicle and reports telemetry to the core through the link's context, and
routes acks and replies to the command, parameter and mission clients. It sends through
the vehicle's active link.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ...commands import Command
from ...errors import NoRouteError
from ...events import Severity
from ..base import LinkContext
from ..settings import MavlinkConfig
from .actions import AUX_LOW, MOTOR_INTERLOCK, Actions
from .command_protocol import CommandClient, RetryPolicy
from .dialect import mavlink2 as m
from .failsafe import GcsFailsafe
from .framing import Frame
from .mission_protocol import MissionClient
from .overwatch import Ended, position_target
from .params import ParamClient
from .paths import PathKey, PathTable, Verdict
from .vehicle import Vehicle, is_vehicle_heartbeat, kind_for

if TYPE_CHECKING:
    from .link import MavlinkLink

log = logging.getLogger("fleet.mavlink")

_SEVERITY = [Severity.EMERGENCY, Severity.ALERT, Severity.CRITICAL, Severity.ERROR,
             Severity.WARNING, Severity.NOTICE, Severity.INFO, Severity.DEBUG]
#: messages fleet asks PX4 and others for with SET_MESSAGE_INTERVAL (ArduPilot: streams)
WANTED_MESSAGES = (
    m.MAVLINK_MSG_ID_GLOBAL_POSITION_INT, m.MAVLINK_MSG_ID_SYS_STATUS,
    m.MAVLINK_MSG_ID_GPS_RAW_INT, m.MAVLINK_MSG_ID_VFR_HUD, m.MAVLINK_MSG_ID_MISSION_CURRENT,
    m.MAVLINK_MSG_ID_BATTERY_STATUS, m.MAVLINK_MSG_ID_EXTENDED_SYS_STATE,
)
STREAM_RETRY_S = 3.0
#: HOME_POSITION is asked for again this often, in case a change was lost on the radio
#: (ArduPilot sends it once when home moves: at arming, or when a GCS sets it)
HOME_REFRESH_S = 30.0
#: a disarmed helicopter whose rotor switch is on cannot pass its pre-arm checks
INTERLOCK_PREARM = "PreArm: Motor Interlock Enabled"
#: ArduCopter says "Reached command #k", ArduRover "Reached waypoint #k"
_REACHED = re.compile(r"Reached (?:command|waypoint) #(\d+)")
MISSION_REPLIES = (
    m.MAVLINK_MSG_ID_MISSION_REQUEST, m.MAVLINK_MSG_ID_MISSION_REQUEST_INT,
    m.MAVLINK_MSG_ID_MISSION_ACK, m.MAVLINK_MSG_ID_MISSION_COUNT,
    m.MAVLINK_MSG_ID_MISSION_ITEM_INT, m.MAVLINK_MSG_ID_MISSION_ITEM,
)


@dataclass(slots=True)
class RouterCounters:
    non_vehicle_heartbeats: int = 0
    before_heartbeat: int = 0
    rejected_vehicles: int = 0
    duplicates: int = 0
    intruder_messages: int = 0
    handler_errors: int = 0
    failovers: int = 0


@dataclass(slots=True)
class TrackedVehicle:
    """A vehicle with its paths and its clients."""

    vehicle: Vehicle
    paths: PathTable
    commands: CommandClient
    params: ParamClient
    missions: MissionClient
    actions: Actions
    last_position: float = -1e9  # monotonic time of the last GLOBAL_POSITION_INT
    streams_requested: float = -1e9
    last_heard: float = -1e9  # monotonic time of the last message on the active path
    home_requested: float = -1e9  # monotonic time HOME_POSITION was last asked for
    silent_since: float | None = None  # set while an armed vehicle is not heard
    waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]] = field(default_factory=list)


class VehicleDriver:
    """The CommandDriver the core gets for a MAVLink vehicle."""

    def __init__(self, entry: TrackedVehicle) -> None:
        self.entry = entry

    async def execute(self, unit_id: str, command: Command) -> Any:
        return await self.entry.actions.execute(command)


class MavlinkRouter:
    def __init__(self, config: MavlinkConfig, monotonic: Callable[[], float]) -> None:
        self.config = config
        self.monotonic = monotonic
        self.counters = RouterCounters()
        self.links: dict[str, MavlinkLink] = {}
        self.contexts: dict[str, LinkContext] = {}
        self.vehicles: dict[tuple[int, int], TrackedVehicle] = {}
        self._refused: set[tuple[int, int]] = set()
        self._handlers: dict[int, Callable[[TrackedVehicle, Any, float, LinkContext], None]] = {
            m.MAVLINK_MSG_ID_HEARTBEAT: self._heartbeat,
            m.MAVLINK_MSG_ID_GLOBAL_POSITION_INT: self._position,
            m.MAVLINK_MSG_ID_SYS_STATUS: lambda e, msg, t, c: e.vehicle.on_sys_status(msg),
            m.MAVLINK_MSG_ID_GPS_RAW_INT: lambda e, msg, t, c: e.vehicle.on_gps_raw_int(msg),
            m.MAVLINK_MSG_ID_VFR_HUD: lambda e, msg, t, c: e.vehicle.on_vfr_hud(msg),
            m.MAVLINK_MSG_ID_EKF_STATUS_REPORT:
                lambda e, msg, t, c: e.vehicle.on_ekf_status_report(msg),
            m.MAVLINK_MSG_ID_MISSION_CURRENT: self._mission_current,
            m.MAVLINK_MSG_ID_MISSION_ITEM_REACHED: self._reached,
            m.MAVLINK_MSG_ID_HOME_POSITION: self._home,
            m.MAVLINK_MSG_ID_BATTERY_STATUS:
                lambda e, msg, t, c: e.vehicle.on_battery_status(msg),
            m.MAVLINK_MSG_ID_SYSTEM_TIME: lambda e, msg, t, c: e.vehicle.on_system_time(msg),
            m.MAVLINK_MSG_ID_STATUSTEXT: self._statustext,
            m.MAVLINK_MSG_ID_COMMAND_ACK: lambda e, msg, t, c: e.commands.on_ack(msg),
            m.MAVLINK_MSG_ID_PARAM_VALUE: lambda e, msg, t, c: e.params.on_param_value(msg),
        }
        for msgid in MISSION_REPLIES:
            self._handlers[msgid] = (
                lambda e, msg, t, c, i=msgid: e.missions.on_message(i, msg))
        #: what the framer decodes; the rest is CRC-checked and skipped
        self.wanted = frozenset(self._handlers)

    # -- links --------------------------------------------------------------------
    def attach(self, link: MavlinkLink, ctx: LinkContext) -> None:
        self.links[link.name] = link
        self.contexts[link.name] = ctx

    def detach(self, link: MavlinkLink) -> None:
        """The link's connection ended: forget its paths and its command routes. Vehicles
        also heard elsewhere switch to that path on its next message."""
        self.links.pop(link.name, None)
        ctx = self.contexts.pop(link.name, None)
        for entry in self.vehicles.values():
            was_active = entry.paths.active is not None and entry.paths.active[0] == link.name
            entry.paths.forget_link(link.name)
            if ctx is not None:
                ctx.route(entry.vehicle.unit_id, None)
                if was_active and entry.paths.active is None:
                    self._lost(entry, ctx, f"its link {link.name} closed")

    # -- inbound ------------------------------------------------------------------
    def handle(self, link: MavlinkLink, peer: Hashable, frames: list[Frame]) -> None:
        ctx = self.contexts.get(link.name)
        if ctx is None:
            return
        now = self.monotonic()
        vehicles = self.vehicles
        handlers = self._handlers
        for frame in frames:
            key = (frame.sysid, frame.compid)
            entry = vehicles.get(key)
            if entry is None:
                if frame.msgid != m.MAVLINK_MSG_ID_HEARTBEAT:
                    self.counters.before_heartbeat += 1
                    continue
                entry = self._discover(frame, ctx)
                if entry is None:
                    continue
            verdict, switch = entry.paths.heard((link.name, peer), link.priority, now)
            if verdict is Verdict.DUPLICATE:
                self.counters.duplicates += 1
                if frame.msgid == m.MAVLINK_MSG_ID_GLOBAL_POSITION_INT:
                    self._check_boot(entry, (link.name, peer), frame.msg, now, ctx)
                elif frame.msgid == m.MAVLINK_MSG_ID_HEARTBEAT:
                    self._check_identity(entry, (link.name, peer), frame.msg, ctx)
                continue
            if verdict is Verdict.INTRUDER:
                self.counters.intruder_messages += 1
                continue
            if switch is not None:
                self._switched(entry, switch.old, switch.new, switch.reason, ctx)
            handler = handlers.get(frame.msgid)
            if handler is None:
                continue
            try:
                handler(entry, frame.msg, now, ctx)
            except Exception:  # a malformed value must not take the link down
                self.counters.handler_errors += 1
                log.exception("error handling %s from %s", type(frame.msg).__name__, key)

    def _discover(self, frame: Frame, ctx: LinkContext) -> TrackedVehicle | None:
        msg = frame.msg
        if not is_vehicle_heartbeat(msg):
            self.counters.non_vehicle_heartbeats += 1
            return None
        key = (frame.sysid, frame.compid)
        if key in self._refused:
            self.counters.rejected_vehicles += 1
            return None
        address = f"{frame.sysid}:{frame.compid}"
        unit_id = ctx.resolve("mavlink", address, kind=kind_for(msg.type),
                              callsign=f"MAV {address}")
        if unit_id is None:
            self._refused.add(key)
            self.counters.rejected_vehicles += 1
            return None
        vehicle = Vehicle(frame.sysid, frame.compid, unit_id, msg.type, msg.autopilot)

        async def send(out: Any) -> None:
            await self.send(entry, out)

        commands = CommandClient(unit_id, key, send,
                                 lambda: vehicle.recent_text(self.monotonic()),
                                 RetryPolicy(attempts=self.config.command_attempts,
                                             ack_timeout_s=self.config.command_timeout_s))
        params = ParamClient(unit_id, key, send, attempts=self.config.command_attempts)
        missions = MissionClient(unit_id, key, send,
                                 ardupilot=msg.autopilot == m.MAV_AUTOPILOT_ARDUPILOTMEGA)
        entry = TrackedVehicle(
            vehicle=vehicle, paths=PathTable(self.config.link_timeout_s),
            commands=commands, params=params, missions=missions,
            actions=Actions(vehicle, commands, missions, params,
                            lambda pred: self._wait_until(entry, pred),
                            monotonic=self.monotonic,
                            request_home=lambda: self._request_home(entry, self.monotonic()),
                            failsafe=GcsFailsafe(self.config.gcs_failsafe)),
        )
        entry.paths.identity = (msg.type, msg.autopilot)
        self.vehicles[key] = entry
        ctx.alert(Severity.INFO, "mavlink.discovered",
                  f"{unit_id}: MAVLink vehicle {address} (type {msg.type}, autopilot "
                  f"{msg.autopilot}) on {ctx.link_name}", unit_id=unit_id)
        return entry

    def _switched(self, entry: TrackedVehicle, old: PathKey | None, new: PathKey, reason: str,
                  ctx: LinkContext) -> None:
        unit_id = entry.vehicle.unit_id
        link = self.links.get(new[0])
        if link is not None:
            ctx.route(unit_id, VehicleDriver(entry))
            for other in self.contexts.values():
                if other is not ctx:
                    other.route(unit_id, None)
        if old is not None:
            self.counters.failovers += 1
            ctx.alert(Severity.WARNING, "mavlink.failover",
                      f"{unit_id}: now on {new[0]} ({reason})", unit_id=unit_id)
        entry.streams_requested = -1e9  # the new path may carry no streams yet
        self._request_streams(entry, self.monotonic())

    def _check_identity(self, entry: TrackedVehicle, key: PathKey, msg: Any,
                        ctx: LinkContext) -> None:
        if not is_vehicle_heartbeat(msg):
            return
        why = entry.paths.check_identity(key, msg.type, msg.autopilot)
        if why:
            self._collision(entry, key, why, ctx)

    def _check_boot(self, entry: TrackedVehicle, key: PathKey, msg: Any, now: float,
                    ctx: LinkContext) -> None:
        why = entry.paths.check_boot(key, msg.time_boot_ms, now)
        if why:
            self._collision(entry, key, why, ctx)

    def _collision(self, entry: TrackedVehicle, key: PathKey, why: str, ctx: LinkContext) -> None:
        v = entry.vehicle
        ctx.alert(Severity.CRITICAL, "mavlink.sysid_collision",
                  f"{v.unit_id}: another vehicle claims MAVLink id {v.address} on {key[0]} "
                  f"({why}); ignoring it — give it another MAV_SYSID", unit_id=v.unit_id)

    # -- handlers -------------------------------------------------------------------
    def _heartbeat(self, entry: TrackedVehicle, msg: Any, now: float, ctx: LinkContext) -> None:
        if not is_vehicle_heartbeat(msg):
            return
        was_armed = entry.vehicle.armed
        entry.vehicle.on_heartbeat(msg)
        if entry.vehicle.armed and was_armed is False:
            self._request_home(entry, now)  # arming moves an unlocked home (ArduPilot)
        entry.last_heard = now
        if entry.silent_since is not None:
            self._heard_again(entry, now, ctx)
        ctx.telemetry(entry.vehicle.unit_id, entry.vehicle.telemetry(ctx.wall()))
        self._wake(entry)

    def _position(self, entry: TrackedVehicle, msg: Any, now: float, ctx: LinkContext) -> None:
        entry.vehicle.on_global_position_int(msg)
        entry.last_position = now
        active = entry.paths.active
        if active is not None:
            entry.paths.check_boot(active, msg.time_boot_ms, now)
        ctx.telemetry(entry.vehicle.unit_id, entry.vehicle.telemetry(ctx.wall()))
        if entry.waiters:
            self._wake(entry)

    def _mission_current(self, entry: TrackedVehicle, msg: Any, now: float,
                         ctx: LinkContext) -> None:
        before = entry.vehicle.mission_seq
        entry.vehicle.on_mission_current(msg)
        if entry.vehicle.mission_seq != before:  # progress is news: report it now
            ctx.telemetry(entry.vehicle.unit_id, entry.vehicle.telemetry(ctx.wall()))
        if entry.waiters:
            self._wake(entry)

    def _home(self, entry: TrackedVehicle, msg: Any, now: float, ctx: LinkContext) -> None:
        """HOME_POSITION: the core hears of every change (it watches home against the
        unit's base); a read-back after a set-home waits for any report."""
        if entry.vehicle.on_home_position(msg):
            ctx.home(entry.vehicle.unit_id, entry.vehicle.home)
        if entry.waiters:
            self._wake(entry)

    def _reached(self, entry: TrackedVehicle, msg: Any, now: float, ctx: LinkContext) -> None:
        self._item_reached(entry, msg.seq, ctx)

    def _item_reached(self, entry: TrackedVehicle, seq: int, ctx: LinkContext) -> None:
        """MISSION_ITEM_REACHED and ArduPilot's "Reached command #k" both say it; each is
        sent once, so either may be lost: the first to arrive counts, once."""
        if entry.vehicle.on_item_reached(seq):
            ctx.alert(Severity.INFO, "mission.reached",
                      f"{entry.vehicle.unit_id}: reached mission item {seq}",
                      unit_id=entry.vehicle.unit_id)

    def _statustext(self, entry: TrackedVehicle, msg: Any, now: float, ctx: LinkContext) -> None:
        text = entry.vehicle.on_statustext(msg, now)
        severity = _SEVERITY[min(max(text.severity, 0), 7)]
        if (found := _REACHED.match(text.text)) is not None:
            self._item_reached(entry, int(found.group(1)), ctx)
        elif text.text == INTERLOCK_PREARM and entry.vehicle.armed is False:
            self._release_interlock(entry)
            severity = Severity.INFO  # the vehicle says CRITICAL; fleet deals with it here
        ctx.alert(severity, "mavlink.statustext", f"{entry.vehicle.unit_id}: {text.text}",
                  unit_id=entry.vehicle.unit_id)

    # -- waiting on a vehicle ---------------------------------------------------------
    async def _wait_until(self, entry: TrackedVehicle, predicate: Callable[[], bool]) -> None:
        """Wait until ``predicate()`` holds, re-checked on every heartbeat and position."""
        if predicate():
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        item = (predicate, fut)
        entry.waiters.append(item)
        try:
            await fut
        finally:
            if item in entry.waiters:
                entry.waiters.remove(item)

    def _wake(self, entry: TrackedVehicle) -> None:
        for predicate, fut in list(entry.waiters):
            if not fut.done() and predicate():
                fut.set_result(None)

    # -- outbound -------------------------------------------------------------------
    async def send(self, entry: TrackedVehicle, msg: Any) -> None:
        """Send on the vehicle's active path; NoRouteError when it has none."""
        active = entry.paths.active
        link = self.links.get(active[0]) if active else None
        if link is None or active is None:
            raise NoRouteError(entry.vehicle.unit_id, "no MAVLink link hears this vehicle")
        await link.send(msg, active[1])

    def guide(self, link: MavlinkLink, now: float) -> None:
        """The guidance loop's tick (GUIDANCE_HZ): send the next overwatch target of each
        vehicle this link carries; report an overwatch that something else ended."""
        ctx = self.contexts.get(link.name)
        if ctx is None:
            return
        for entry in self.vehicles.values():
            overwatch = entry.actions.guidance
            active = entry.paths.active
            if overwatch is None or active is None or active[0] != link.name:
                continue
            v = entry.vehicle
            step = overwatch.step(now, v.lat, v.lon, v.mode, v.armed)
            if isinstance(step, Ended):
                entry.actions.guidance = None
                ctx.alert(Severity.WARNING, "mavlink.overwatch_ended",
                          f"{v.unit_id}: overwatch ended: {step.reason}", unit_id=v.unit_id)
            elif step is not None:
                link.send_nowait(position_target(v.sysid, v.compid, step), active[1])

    def tick(self, now: float) -> None:
        """Once a second: re-request streams from vehicles that stopped sending them, and
        say what an armed vehicle that fell silent will do on its own."""
        for entry in self.vehicles.values():
            self._watch_silence(entry, now)
            if entry.paths.active is None:
                continue
            if (now - entry.last_position > STREAM_RETRY_S
                    and now - entry.streams_requested > STREAM_RETRY_S):
                self._request_streams(entry, now)
            elif now - entry.home_requested > HOME_REFRESH_S:
                self._request_home(entry, now)

    def _watch_silence(self, entry: TrackedVehicle, now: float) -> None:
        quiet = now - entry.last_heard
        if entry.silent_since is None and quiet > self.config.link_timeout_s:
            ctx = next(iter(self.contexts.values()), None)
            if ctx is not None:
                self._lost(entry, ctx, f"not heard for {quiet:.0f} s")

    def _lost(self, entry: TrackedVehicle, ctx: LinkContext, why: str) -> None:
        """An armed vehicle fell silent: say what it will do on its own (once)."""
        v = entry.vehicle
        if entry.silent_since is not None or not v.armed:
            return
        entry.silent_since = entry.last_heard
        ctx.alert(Severity.CRITICAL, "mavlink.silent",
                  f"{v.unit_id}: {why} while armed in {v.mode}; {self._on_its_own(entry)}",
                  unit_id=v.unit_id)

    def _on_its_own(self, entry: TrackedVehicle) -> str:
        failsafe = entry.actions.failsafe
        if failsafe.setting == "vehicle":
            return "what it does is left to its own GCS failsafe setting (FS_GCS_ENABLE)"
        if failsafe.expected is None:
            return "its GCS failsafe is not known (not set since fleet started)"
        expected = failsafe.expected
        return f"its GCS failsafe: {expected}"

    def _heard_again(self, entry: TrackedVehicle, now: float, ctx: LinkContext) -> None:
        v = entry.vehicle
        since = entry.silent_since
        entry.silent_since = None
        if since is None:
            return
        ctx.alert(Severity.WARNING, "mavlink.heard_again",
                  f"{v.unit_id}: heard again after {now - since:.0f} s: "
                  f"{'armed' if v.armed else 'disarmed'}, {v.mode}", unit_id=v.unit_id)

    def _release_interlock(self, entry: TrackedVehicle) -> None:
        """Switch a disarmed helicopter's rotor interlock off (the safe position, which
        arming needs), as its pilot's switch would; fleet switches it on after arming."""
        active = entry.paths.active
        link = self.links.get(active[0]) if active else None
        if link is None or active is None:
            return
        v = entry.vehicle
        link.send_nowait(m.MAVLink_command_long_message(
            v.sysid, v.compid, m.MAV_CMD_DO_AUX_FUNCTION, 0, MOTOR_INTERLOCK, AUX_LOW,
            0, 0, 0, 0, 0), active[1])

    def _request_streams(self, entry: TrackedVehicle, now: float) -> None:
        active = entry.paths.active
        link = self.links.get(active[0]) if active else None
        if link is None or active is None:
            return
        entry.streams_requested = now
        v = entry.vehicle
        rate = self.config.stream_rate_hz
        if v.is_ardupilot:
            link.send_nowait(m.MAVLink_request_data_stream_message(
                v.sysid, v.compid, m.MAV_DATA_STREAM_ALL, max(1, round(rate)), 1), active[1])
        else:
            interval_us = 1e6 / rate
            for msgid in WANTED_MESSAGES:
                link.send_nowait(m.MAVLink_command_long_message(
                    v.sysid, v.compid, m.MAV_CMD_SET_MESSAGE_INTERVAL, 0, msgid, interval_us,
                    0, 0, 0, 0, 0), active[1])
        self._request_home(entry, now)

    def _request_home(self, entry: TrackedVehicle, now: float) -> None:
        """Ask for HOME_POSITION once (MAV_CMD_REQUEST_MESSAGE; its ACK is not awaited:
        the message itself is the answer, and a lost one is asked for again later)."""
        active = entry.paths.active
        link = self.links.get(active[0]) if active else None
        if link is None or active is None:
            return
        entry.home_requested = now
        v = entry.vehicle
        link.send_nowait(m.MAVLink_command_long_message(
            v.sysid, v.compid, m.MAV_CMD_REQUEST_MESSAGE, 0, m.MAVLINK_MSG_ID_HOME_POSITION,
            0, 0, 0, 0, 0, 0), active[1])
