"""The MAVLink mission protocol, client side, for missions, fences and rally points.

Upload: MISSION_COUNT, then the vehicle asks for each item (ArduPilot with the old
MISSION_REQUEST, others with MISSION_REQUEST_INT: both are answered with
MISSION_ITEM_INT) and ends with MISSION_ACK. Download: MISSION_REQUEST_LIST, COUNT,
REQUEST_INT per item, our ACK. Every message carries the mission type and replies of
another type are stale and dropped. When a reply does not come within the timeout, the
last message is sent again (both sides retry, so a lossy radio link still completes).
ArduPilot answers an item it did not ask for (our resend crossing its request) with
MISSION_ACK INVALID_SEQUENCE and carries on: that ack ends nothing; any other error does.
A vehicle that gave up on an upload (ArduPilot cancels after a few seconds without an
item, then answers our next item with MAV_MISSION_ERROR) gets the whole upload again,
from MISSION_COUNT, up to ``MissionPolicy.upload_restarts`` times.
ArduPilot's seq 0 is home: :mod:`fleet.missions.wire` adds and strips it.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ...errors import CommandRejectedError, CommandTimeoutError
from ...missions import (
    MissionItem,
    MissionType,
    for_ardupilot_upload,
    from_ardupilot_download,
    from_wire,
    to_wire,
    validate,
)
from .dialect import mavlink2 as m

_RESULT = {k: v.name for k, v in m.enums["MAV_MISSION_RESULT"].items()}
_ITEM_IDS = (m.MAVLINK_MSG_ID_MISSION_ITEM_INT, m.MAVLINK_MSG_ID_MISSION_ITEM)
_REQUEST_IDS = (m.MAVLINK_MSG_ID_MISSION_REQUEST, m.MAVLINK_MSG_ID_MISSION_REQUEST_INT)
#: what a vehicle that dropped an upload half-way answers (ArduPilot: CANCELLED when its
#: upload timer fires, ERROR to an item that comes after that)
_DROPPED = frozenset({"MAV_MISSION_ERROR", "MAV_MISSION_OPERATION_CANCELLED"})


@dataclass(frozen=True, slots=True)
class MissionPolicy:
    """Resend intervals from the MAVLink dev guide (QGroundControl uses them). We give up
    on a step only after ``give_up_s`` without an answer: ArduPilot re-requests a lost
    item only once a second, so a count of fast resends alone would give up too early on
    a lossy police radio link."""

    timeout_s: float = 1.5
    item_timeout_s: float = 0.25  # after the first request, items come quickly
    give_up_s: float = 15.0
    upload_restarts: int = 2  # after the vehicle dropped an upload (a long radio dropout)
    verify_alt_m: float = 0.01
    verify_deg: float = 2e-7


@dataclass(slots=True)
class MissionStats:
    resends: int = 0
    restarts: int = 0  # uploads begun again after the vehicle dropped them
    stale: int = 0  # replies of another mission type or outside an operation


class MissionClient:
    """Mission operations on one vehicle; one at a time."""

    def __init__(
        self, unit_id: str, target: tuple[int, int], send: Callable[[Any], Awaitable[None]],
        *, ardupilot: bool, policy: MissionPolicy | None = None,
    ) -> None:
        self.unit_id = unit_id
        self.target = target
        self._send = send
        self.ardupilot = ardupilot
        self.policy = policy or MissionPolicy()
        self.progress: Callable[[int, int], None] | None = None  # of the running operation
        self.stats = MissionStats()
        self._lock = asyncio.Lock()
        self._inbox: asyncio.Queue[tuple[int, Any]] | None = None

    def on_message(self, msgid: int, msg: Any) -> None:
        inbox = self._inbox
        if inbox is None:
            self.stats.stale += 1
            return
        if inbox.full():
            inbox.get_nowait()
        inbox.put_nowait((msgid, msg))

    # -- public operations ----------------------------------------------------------
    async def upload(self, items: Sequence[MissionItem], mission_type: MissionType,
                     *, verify: bool = True,
                     progress: Callable[[int, int], None] | None = None) -> None:
        validate(items, mission_type)  # MissionValidationError names the item and why
        wire = for_ardupilot_upload(items, mission_type=mission_type) if self.ardupilot \
            else tuple(items)
        async with self._operation(progress):
            confirmed = await self._upload_restarting(wire, mission_type)
        if verify or not confirmed:  # unconfirmed: the read-back decides
            got = await self.download(mission_type)
            self._verify(items, got, mission_type)

    async def download(self, mission_type: MissionType,
                       progress: Callable[[int, int], None] | None = None,
                       ) -> tuple[MissionItem, ...]:
        async with self._operation(progress):
            items = await self._download(mission_type)
        if self.ardupilot:
            return from_ardupilot_download(items, mission_type)[1]
        return tuple(items)

    async def clear(self, mission_type: MissionType) -> None:
        async with self._operation():
            msg = m.MAVLink_mission_clear_all_message(*self.target, int(mission_type))
            ack = await self._exchange(msg, mission_type, self.policy.timeout_s,
                                       lambda i, x: i == m.MAVLINK_MSG_ID_MISSION_ACK)
            self._check_ack(ack, "mission_clear")

    async def set_current(self, seq: int, current: Callable[[], int | None],
                          changed: Callable[[Callable[[], bool]], Awaitable[None]]) -> None:
        """Make item ``seq`` (the user's numbering) current; confirmed by MISSION_CURRENT."""
        wire_seq = seq + (1 if self.ardupilot else 0)
        loop = asyncio.get_running_loop()
        give_up = loop.time() + self.policy.give_up_s
        while loop.time() < give_up:
            await self._send(m.MAVLink_mission_set_current_message(*self.target, wire_seq))
            try:
                async with asyncio.timeout(self.policy.timeout_s):
                    await changed(lambda: current() == wire_seq)
                return
            except TimeoutError:
                self.stats.resends += 1
        raise CommandTimeoutError(self.unit_id, "mission_set_current",
                                  f"MISSION_CURRENT never showed item {seq}")

    # -- protocol -------------------------------------------------------------------
    def _operation(self, progress: Callable[[int, int], None] | None = None) -> _Operation:
        return _Operation(self, progress)

    async def _upload_restarting(self, wire: Sequence[MissionItem],
                                 mission_type: MissionType) -> bool:
        for attempt in range(self.policy.upload_restarts + 1):
            try:
                return await self._upload(wire, mission_type)
            except CommandRejectedError as exc:
                if exc.result not in _DROPPED or attempt == self.policy.upload_restarts:
                    raise
                self.stats.restarts += 1
        raise AssertionError("unreachable")

    async def _upload(self, wire: Sequence[MissionItem], mission_type: MissionType) -> bool:
        """Send the list; True when the vehicle's ACK confirmed it. False when every item
        went out but the final ACK was lost: ArduPilot then answers our resend with
        MAV_MISSION_ERROR (it is no longer receiving), or nothing at all."""
        total = len(wire)
        count = m.MAVLink_mission_count_message(*self.target, total, int(mission_type))

        def reply(msgid: int, msg: Any) -> bool:
            return msgid in _REQUEST_IDS or msgid == m.MAVLINK_MSG_ID_MISSION_ACK

        last = count
        timeout = self.policy.timeout_s
        sent: set[int] = set()
        while True:
            all_sent = len(sent) == total and total > 0
            try:
                msg = await self._exchange(
                    last, mission_type, timeout, reply,
                    give_up_s=3 * self.policy.timeout_s if all_sent else None)
            except CommandTimeoutError:
                if all_sent:
                    return False
                raise
            if msg.get_type() == "MISSION_ACK":
                if msg.type == m.MAV_MISSION_ACCEPTED and len(sent) < total:
                    # an ACK for an earlier upload or a vehicle that skipped items
                    raise CommandRejectedError(self.unit_id, "mission_upload", "incomplete",
                                               f"vehicle accepted after {len(sent)} of {total}")
                if all_sent and msg.type == m.MAV_MISSION_ERROR:
                    return False
                self._check_ack(msg, "mission_upload")
                return True
            seq = msg.seq
            if not 0 <= seq < total:
                raise CommandRejectedError(self.unit_id, "mission_upload",
                                           "MAV_MISSION_INVALID_SEQUENCE",
                                           f"vehicle asked for item {seq} of {total}")
            last = m.MAVLink_mission_item_int_message(
                **to_wire(wire[seq], seq, mission_type, *self.target))
            sent.add(seq)
            timeout = self.policy.item_timeout_s
            self._report("upload", mission_type, len(sent), total)

    async def _download(self, mission_type: MissionType) -> list[MissionItem]:
        request = m.MAVLink_mission_request_list_message(*self.target, int(mission_type))
        count_msg = await self._exchange(
            request, mission_type, self.policy.timeout_s,
            lambda i, x: i == m.MAVLINK_MSG_ID_MISSION_COUNT)
        total = count_msg.count
        items: list[MissionItem] = []
        for seq in range(total):
            ask = m.MAVLink_mission_request_int_message(*self.target, seq, int(mission_type))
            item = await self._exchange(
                ask, mission_type, self.policy.item_timeout_s if seq else self.policy.timeout_s,
                lambda i, x, s=seq: i in _ITEM_IDS and x.seq == s)
            items.append(from_wire(item))
            self._report("download", mission_type, seq + 1, total)
        await self._send(m.MAVLink_mission_ack_message(
            *self.target, m.MAV_MISSION_ACCEPTED, int(mission_type)))
        return items

    async def _exchange(self, out: Any, mission_type: MissionType, resend_s: float,
                        wanted: Callable[[int, Any], bool],
                        give_up_s: float | None = None) -> Any:
        """Send ``out`` and return the first wanted reply of this mission type, resending
        every ``resend_s`` until ``give_up_s`` (default: the policy's) passes without one."""
        assert self._inbox is not None
        inbox = self._inbox
        loop = asyncio.get_running_loop()
        give_up_s = give_up_s if give_up_s is not None else self.policy.give_up_s
        give_up = loop.time() + give_up_s
        sends = 0
        while loop.time() < give_up:
            if sends:
                self.stats.resends += 1
            await self._send(out)
            sends += 1
            try:
                async with asyncio.timeout(resend_s):
                    while True:
                        msgid, msg = await inbox.get()
                        if getattr(msg, "mission_type", 0) != int(mission_type):
                            self.stats.stale += 1
                            continue
                        if msgid == m.MAVLINK_MSG_ID_MISSION_ACK and \
                                msg.type == m.MAV_MISSION_INVALID_SEQUENCE:
                            # ArduPilot's answer to a duplicate item (our resend crossed
                            # its request): the upload goes on, it will ask again
                            self.stats.stale += 1
                            continue
                        if msgid == m.MAVLINK_MSG_ID_MISSION_ACK and \
                                msg.type != m.MAV_MISSION_ACCEPTED:
                            return msg  # an error ends the exchange, whatever we wanted
                        if wanted(msgid, msg):
                            return msg
                        self.stats.stale += 1
            except TimeoutError:
                continue
        raise CommandTimeoutError(
            self.unit_id, f"mission_{out.get_type().lower()}",
            f"no answer to {out.get_type()} within {give_up_s:g} s "
            f"({sends} sends)")

    def _check_ack(self, msg: Any, operation: str) -> None:
        if msg.get_type() != "MISSION_ACK" or msg.type != m.MAV_MISSION_ACCEPTED:
            result = _RESULT.get(getattr(msg, "type", -1), msg.get_type())
            raise CommandRejectedError(self.unit_id, operation, result)

    def _verify(self, sent: Sequence[MissionItem], got: Sequence[MissionItem],
                mission_type: MissionType) -> None:
        """Read-back check with the vehicle's rounding in mind: commands, frames and
        positions must match; params are stored as each autopilot sees fit."""
        p = self.policy
        if len(sent) != len(got):
            raise CommandRejectedError(self.unit_id, "mission_verify", "mismatch",
                                       f"sent {len(sent)} items, vehicle holds {len(got)}")
        for n, (a, b) in enumerate(zip(sent, got, strict=True), start=1):
            same = (a.command == b.command
                    and _close(a.lat_deg, b.lat_deg, p.verify_deg)
                    and _close(a.lon_deg, b.lon_deg, p.verify_deg)
                    and _close(a.alt_m, b.alt_m, p.verify_alt_m))
            if not same:
                raise CommandRejectedError(self.unit_id, "mission_verify", "mismatch",
                                           f"item {n} read back differs: {b}")

    def _report(self, operation: str, mission_type: MissionType, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(done, total)


def _close(a: float, b: float, tol: float) -> bool:
    if math.isnan(a) or math.isnan(b):  # autopilots may store an unused NaN as 0
        return (math.isnan(a) or a == 0) and (math.isnan(b) or b == 0)
    return abs(a - b) <= tol + 1e-9 * max(abs(a), abs(b))


class _Operation:
    """Holds the client's lock and opens its inbox for the length of one operation."""

    def __init__(self, client: MissionClient,
                 progress: Callable[[int, int], None] | None) -> None:
        self.client = client
        self.progress = progress

    async def __aenter__(self) -> None:
        await self.client._lock.acquire()
        self.client._inbox = asyncio.Queue(maxsize=64)
        self.client.progress = self.progress

    async def __aexit__(self, *exc: object) -> None:
        self.client._inbox = None
        self.client.progress = None
        self.client._lock.release()
