"""The MAVLink command protocol, client side: COMMAND_LONG / COMMAND_INT and their ACK.

COMMAND_ACK names only the command id, so at most one instance of a command is in
flight per vehicle (a lock per id). A resend increments ``confirmation``. IN_PROGRESS
means keep waiting (without resending); TEMPORARILY_REJECTED may succeed on a retry;
DENIED, UNSUPPORTED and FAILED are final and carry the vehicle's latest STATUSTEXT as
the reason ("PreArm: ..."). Defaults follow QGroundControl: 3 tries, 3 s per try.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from ...errors import CommandRejectedError, CommandTimeoutError
from .dialect import mavlink2 as m

RESULT_NAMES = {v.name: k for k, v in m.enums["MAV_RESULT"].items()}
_NAME_OF_RESULT = {k: v.name for k, v in m.enums["MAV_RESULT"].items()}
_CMD_NAMES = {k: v.name for k, v in m.enums["MAV_CMD"].items()}


def command_label(command: int) -> str:
    return _CMD_NAMES.get(command, f"MAV_CMD({command})")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 3
    ack_timeout_s: float = 3.0
    in_progress_timeout_s: float = 60.0  # how long IN_PROGRESS may last between updates
    temporarily_rejected_delay_s: float = 1.0


@dataclass(slots=True)
class CommandStats:
    sent: int = 0
    retries: int = 0
    acks: int = 0
    unmatched_acks: int = 0
    refused_resends_done: int = 0  # a resend refused because the first attempt worked


class CommandClient:
    """Commands to one vehicle. ``send`` puts a message on the vehicle's active link."""

    def __init__(
        self,
        unit_id: str,
        target: tuple[int, int],
        send: Callable[[Any], Awaitable[None]],
        reason: Callable[[], str | None],
        policy: RetryPolicy | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.target = target
        self._send = send
        self._reason = reason
        self.policy = policy or RetryPolicy()
        self.stats = CommandStats()
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, asyncio.Queue[Any]] = {}

    def on_ack(self, msg: Any) -> None:
        queue = self._waiting.get(msg.command)
        if queue is None:
            self.stats.unmatched_acks += 1
            return
        self.stats.acks += 1
        if queue.full():
            queue.get_nowait()
        queue.put_nowait(msg)

    async def long(self, command: int, *params: float,
                   done: Callable[[], bool] | None = None) -> int:
        """COMMAND_LONG with up to 7 params; returns the MAV_RESULT (ACCEPTED).

        ``done`` tells whether the command's effect is already there: when a resend (its
        first ACK lost) is refused because the first one worked (a second takeoff while
        climbing), the refusal is not a failure."""
        p = [*params, *([0.0] * (7 - len(params)))]

        def build(attempt: int) -> Any:
            return m.MAVLink_command_long_message(
                self.target[0], self.target[1], command, attempt, *p)

        return await self._run(command, build, done)

    async def int_(
        self, command: int, *, frame: int = m.MAV_FRAME_GLOBAL_RELATIVE_ALT_INT,
        params: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0),
        lat_deg: float = 0.0, lon_deg: float = 0.0, alt_m: float = 0.0,
        done: Callable[[], bool] | None = None,
    ) -> int:
        """COMMAND_INT (positions as 1e7 integers). It has no confirmation field, so a
        resend is the same message again."""
        x = round(lat_deg * 1e7)
        y = round(lon_deg * 1e7)

        def build(attempt: int) -> Any:
            return m.MAVLink_command_int_message(
                self.target[0], self.target[1], frame, command, 0, 1, *params, x, y, alt_m)

        return await self._run(command, build, done)

    async def _run(self, command: int, build: Callable[[int], Any],
                   done: Callable[[], bool] | None) -> int:
        lock = self._locks.setdefault(command, asyncio.Lock())
        async with lock:
            queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=8)
            self._waiting[command] = queue
            try:
                return await self._attempts(command, build, queue, done)
            finally:
                del self._waiting[command]

    async def _attempts(self, command: int, build: Callable[[int], Any],
                        queue: asyncio.Queue[Any], done: Callable[[], bool] | None) -> int:
        policy = self.policy
        label = command_label(command)
        last_result: int | None = None
        for attempt in range(policy.attempts):
            if attempt:
                self.stats.retries += 1
            await self._send(build(attempt))
            self.stats.sent += 1
            timeout = policy.ack_timeout_s
            while True:
                try:
                    async with asyncio.timeout(timeout):
                        ack = await queue.get()
                except TimeoutError:
                    break  # resend
                result = ack.result
                if result == m.MAV_RESULT_IN_PROGRESS:
                    timeout = policy.in_progress_timeout_s
                    continue
                if result == m.MAV_RESULT_ACCEPTED:
                    return result
                if attempt and done is not None and done():
                    self.stats.refused_resends_done += 1
                    return m.MAV_RESULT_ACCEPTED  # the lost first attempt did it
                last_result = result
                if result == m.MAV_RESULT_TEMPORARILY_REJECTED and attempt + 1 < policy.attempts:
                    await asyncio.sleep(policy.temporarily_rejected_delay_s)
                    break
                raise CommandRejectedError(
                    self.unit_id, label, _NAME_OF_RESULT.get(result, str(result)),
                    self._reason() or "",
                )
        if last_result is not None:
            raise CommandRejectedError(self.unit_id, label,
                                       _NAME_OF_RESULT.get(last_result, str(last_result)),
                                       self._reason() or "")
        raise CommandTimeoutError(
            self.unit_id, label,
            f"no COMMAND_ACK after {policy.attempts} tries of {policy.ack_timeout_s:g} s",
        )
