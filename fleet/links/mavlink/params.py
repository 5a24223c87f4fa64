"""Parameter read/write on one vehicle: PARAM_SET / PARAM_REQUEST_READ answered by
PARAM_VALUE. A refused value is answered with the unchanged PARAM_VALUE (ArduPilot), so a
set is confirmed only when the echoed value matches."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import Any

from ...errors import CommandRejectedError, CommandTimeoutError
from .dialect import mavlink2 as m


def _name(raw: Any) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    return raw.rstrip("\x00")


class ParamClient:
    def __init__(
        self, unit_id: str, target: tuple[int, int], send: Callable[[Any], Awaitable[None]],
        *, attempts: int = 3, timeout_s: float = 1.5,
    ) -> None:
        self.unit_id = unit_id
        self.target = target
        self._send = send
        self.attempts = attempts
        self.timeout_s = timeout_s
        self.values: dict[str, float] = {}
        self._waiters: dict[str, list[asyncio.Future[float]]] = {}

    def on_param_value(self, msg: Any) -> None:
        name = _name(msg.param_id)
        self.values[name] = msg.param_value
        for fut in self._waiters.pop(name, []):
            if not fut.done():
                fut.set_result(msg.param_value)

    async def _exchange(self, name: str, build: Callable[[], Any], label: str) -> float:
        for _ in range(self.attempts):
            fut: asyncio.Future[float] = asyncio.get_running_loop().create_future()
            self._waiters.setdefault(name, []).append(fut)
            await self._send(build())
            try:
                async with asyncio.timeout(self.timeout_s):
                    return await fut
            except TimeoutError:
                continue
            finally:
                waiters = self._waiters.get(name, [])
                if fut in waiters:
                    waiters.remove(fut)
        raise CommandTimeoutError(self.unit_id, label, f"no PARAM_VALUE for {name}")

    async def get(self, name: str) -> float:
        encoded = name.encode("ascii")
        return await self._exchange(
            name,
            lambda: m.MAVLink_param_request_read_message(*self.target, encoded, -1),
            "param_get",
        )

    async def set(self, name: str, value: float,
                  param_type: int = m.MAV_PARAM_TYPE_REAL32) -> None:
        encoded = name.encode("ascii")
        echoed = await self._exchange(
            name,
            lambda: m.MAVLink_param_set_message(*self.target, encoded, float(value), param_type),
            "param_set",
        )
        if not math.isclose(echoed, value, rel_tol=1e-6, abs_tol=1e-6):
            raise CommandRejectedError(self.unit_id, "param_set", "refused",
                                       f"{name} is still {echoed:g}")
