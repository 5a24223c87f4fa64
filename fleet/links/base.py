"""The contract between the core and its links (MAVLink, MQTT, ...).

A link is an object whose ``run(ctx)`` keeps one connection alive and returns (or
raises) when it ends; the supervisor decides whether to run it again. Everything a link
may do to the core goes through the :class:`LinkContext` it is given, so links never
hold the service or the state directly.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..commands import Command
from ..events import ConnectionState, Severity, UnitSnapshot
from ..model import Position, Telemetry, UnitKind, UnitStatus
from ..stream import Subscription


class CommandDriver(Protocol):
    """What a link registers for each unit it can command."""

    async def execute(self, unit_id: str, command: Command) -> Any:
        """Carry out ``command`` (returning its result, None for most) or raise a
        :class:`fleet.errors.CommandError`."""
        ...


class LinkContext(Protocol):
    """The core as a link sees it."""

    link_name: str

    def resolve(
        self, scheme: str, address: str, *, kind: UnitKind | None = None,
        callsign: str | None = None,
    ) -> str | None:
        """Unit id for a link address, or None when the registry policy rejects it."""
        ...

    def telemetry(self, unit_id: str, telemetry: Telemetry) -> None:
        """Deliver one report; stamps it with our monotonic receive time."""
        ...

    def route(self, unit_id: str, driver: CommandDriver | None) -> None:
        """Register (or with None, withdraw) this link as a command path to a unit."""
        ...

    def alert(
        self, severity: Severity, code: str, message: str, unit_id: str | None = None
    ) -> None: ...

    def connection(self, state: ConnectionState, detail: str = "") -> None:
        """Tell the core this link's connection state (the supervisor also does)."""
        ...

    def wall(self) -> float:
        """Unix time, from the service's clock (a fake one in tests)."""
        ...

    def unit_offline(self, unit_id: str, reason: str) -> None:
        """The link knows the unit has gone (an MQTT Last Will, say): mark it lost now
        rather than when its telemetry goes stale. Its next report recovers it."""
        ...

    def home(self, unit_id: str, home: Position | None) -> None:
        """The vehicle reported its home (where it returns to); None if it has none."""
        ...

    def crew_status(self, unit_id: str, status: UnitStatus) -> None:
        """The unit's crew says what it is doing now (a status button on its terminal):
        it becomes the unit's duty status, as in a CAD system."""
        ...

    def snapshot(self, unit_id: str) -> UnitSnapshot:
        """The unit's registered identity (kind, capabilities) and current state."""
        ...

    def snapshots(self) -> list[UnitSnapshot]:
        """Every unit, for a link that republishes fleet's state."""
        ...

    def subscribe(self, *, max_events: int = 1000) -> Subscription:
        """The service's change stream (coalesced per unit), for the same purpose."""
        ...


class Link(Protocol):
    name: str

    async def run(self, ctx: LinkContext) -> None:
        """Connect, serve until the connection ends, then return or raise LinkError/OSError.

        Call ``ctx.connection(ConnectionState.CONNECTED)`` once the connection is up.
        Cancellation means shut down: close sockets and re-raise.
        """
        ...
