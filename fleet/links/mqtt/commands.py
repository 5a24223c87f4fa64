"""Commands to MQTT units: fleet's Command values as schema v1 ``cmd`` messages, with acks.

Each command gets a unique id and goes out QoS 1 on ``{prefix}/{kind}/{unit}/cmd``. The
unit answers on ``.../ack``: ``accepted`` ends the wait, ``rejected`` raises
CommandRejectedError with the unit's reason, and with no answer within 5 s the same
message (same id, so the unit does not execute it twice) is sent again, up to 3 sends in
all, then CommandTimeoutError. ``completed`` acks, which may come minutes later, become
an INFO alert (``command.completed``). An ack whose id fleet never sent to that unit is
refused (counted as UNKNOWN_ACK by the bridge).

A refusal by the broker itself (MQTT 5: its ACL denies fleet that topic) fails the
command at once with CommandRejectedError("refused by broker", ...).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ...commands import (
    Command,
    Goto,
    Hold,
    Patrol,
    ReturnToLaunch,
    SetHome,
    SetStatus,
    command_name,
)
from ...errors import (
    CommandRejectedError,
    CommandTimeoutError,
    NoRouteError,
    UnsupportedCommandError,
)
from ...events import Severity
from ...model import UnitKind, UnitStatus
from .publish import NotConnectedError, PublishFailedError, PublishRefusedError
from .schema import AckPayload, encode_command

RECENT_IDS = 4096  # ids remembered for late acks (completed, duplicates after a resend)
SUPPORTED = "MQTT units take goto, patrol, hold, return and set_status"
#: why some commands mean nothing to a crewed vehicle or boat, said in place of SUPPORTED
UNSUPPORTED_WHY: dict[type, str] = {
    SetHome: "MQTT units have no autopilot home: their crew drives back to the base; "
             f"{SUPPORTED}",
}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3  # sends of the same message, in all
    ack_timeout_s: float = 5.0  # per send, for accepted or rejected


@dataclass(slots=True)
class CommandCounters:
    sent: int = 0
    resent: int = 0
    accepted: int = 0
    rejected: int = 0
    completed: int = 0
    timeouts: int = 0
    duplicate_acks: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    """Where a unit's commands go."""

    unit_id: str
    kind: UnitKind
    topic: str


@dataclass(slots=True)
class _Sent:
    unit_id: str
    name: str
    answer: asyncio.Future[AckPayload] | None  # None once nobody waits any more
    completed: bool = False


class LocalRefusal(Exception):
    """A command fleet will not send (bad arguments); becomes CommandRejectedError."""


def _point(lat: float, lon: float) -> list[float]:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        raise LocalRefusal(f"({lat}, {lon}) is not a position")
    return [lat, lon]


def command_fields(command: Command) -> tuple[str, dict[str, Any]] | None:
    """The schema ``type`` and fields of ``command``, or None if MQTT units cannot do it."""
    if isinstance(command, Goto):
        lat, lon = _point(command.lat_deg, command.lon_deg)
        return "goto", {"lat": lat, "lon": lon}
    if isinstance(command, Patrol):
        if len(command.route) < 2:
            raise LocalRefusal("a patrol route needs at least 2 points")
        return "patrol", {"route": [_point(lat, lon) for lat, lon in command.route],
                          "loop": bool(command.loop)}
    if isinstance(command, Hold):
        return "hold", {}
    if isinstance(command, ReturnToLaunch):
        return "return", {}
    if isinstance(command, SetStatus):
        if command.status is UnitStatus.LOST:
            raise LocalRefusal("LOST is fleet's inference, not a status to set")
        return "set_status", {"status": UnitStatus(command.status).value}
    return None


class CommandTracker:
    """Every MQTT command in flight, and recent ones, by id."""

    def __init__(
        self,
        publish: Callable[[str, bytes], Awaitable[None]],
        *,
        wall: Callable[[], float],
        alert: Callable[[Severity, str, str, str | None], None],
        policy: RetryPolicy | None = None,
    ) -> None:
        self._publish = publish
        self.wall = wall
        self._alert = alert
        self.policy = policy or RetryPolicy()
        self.counters = CommandCounters()
        self._sent: OrderedDict[str, _Sent] = OrderedDict()
        self._session = secrets.token_hex(3)
        self._seq = itertools.count(1)

    def new_id(self) -> str:
        return f"c-{self._session}-{next(self._seq)}"  # well under the contract's 64

    async def send(self, target: Target, command: Command) -> None:
        name = command_name(command)
        unit_id = target.unit_id
        try:
            shape = command_fields(command)
        except LocalRefusal as exc:
            raise CommandRejectedError(unit_id, name, "refused locally", str(exc)) from None
        if shape is None:
            raise UnsupportedCommandError(unit_id, name,
                                          UNSUPPORTED_WHY.get(type(command), SUPPORTED))
        command_id = self.new_id()
        body = encode_command(command_id, self.wall(), *shape)
        answer: asyncio.Future[AckPayload] = asyncio.get_running_loop().create_future()
        entry = self._remember(command_id, _Sent(unit_id, name, answer))
        try:
            ack = await self._attempts(target, name, body, answer)
        finally:
            entry.answer = None
            if not answer.done():
                answer.cancel()
        if ack.result == "rejected":
            self.counters.rejected += 1
            raise CommandRejectedError(unit_id, name, "rejected", ack.reason or "")
        self.counters.accepted += 1

    async def _attempts(self, target: Target, name: str, body: bytes,
                        answer: asyncio.Future[AckPayload]) -> AckPayload:
        policy = self.policy
        unit_id = target.unit_id
        loop = asyncio.get_running_loop()
        failures: list[str] = []
        for attempt in range(policy.attempts):
            deadline = loop.time() + policy.ack_timeout_s
            if attempt:
                self.counters.resent += 1
            try:
                async with asyncio.timeout_at(deadline):
                    await self._publish(target.topic, body)
                self.counters.sent += 1
            except PublishRefusedError as exc:
                raise CommandRejectedError(unit_id, name, "refused by broker",
                                           f"{exc.reason} (the broker's ACL for fleet)") from None
            except NotConnectedError:
                if attempt == 0:
                    raise NoRouteError(unit_id, "the MQTT broker is not connected") from None
                failures.append("broker not connected")
            except (PublishFailedError, TimeoutError) as exc:
                failures.append(str(exc) or "no PUBACK")
            await asyncio.wait({answer}, timeout=max(0.0, deadline - loop.time()))
            if answer.done():
                return answer.result()
        self.counters.timeouts += 1
        detail = f"no ack after {policy.attempts} sends, {policy.ack_timeout_s:g} s apart"
        if failures:
            detail += f" ({len(failures)} not delivered: {failures[-1]})"
        raise CommandTimeoutError(unit_id, name, detail)

    def _remember(self, command_id: str, entry: _Sent) -> _Sent:
        self._sent[command_id] = entry
        while len(self._sent) > RECENT_IDS:
            self._sent.popitem(last=False)
        return entry

    def on_ack(self, unit_id: str, ack: AckPayload) -> bool:
        """Take an ack from ``unit_id``; False if it answers no command sent to that unit."""
        entry = self._sent.get(ack.id)
        if entry is None or entry.unit_id != unit_id:
            return False
        answer = entry.answer
        if answer is not None and not answer.done():
            answer.set_result(ack)  # completed before accepted counts as accepted
        elif ack.result != "completed":
            self.counters.duplicate_acks += 1
        if ack.result == "completed" and not entry.completed:
            entry.completed = True
            self.counters.completed += 1
            self._alert(Severity.INFO, "command.completed",
                        f"{unit_id}: {entry.name} completed", unit_id)
        return True


class UnitDriver:
    """The CommandDriver the core gets for one MQTT unit."""

    def __init__(self, tracker: CommandTracker, target: Target) -> None:
        self.tracker = tracker
        self.target = target

    async def execute(self, unit_id: str, command: Command) -> None:
        await self.tracker.send(self.target, command)
