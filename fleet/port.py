"""The contract between the core and its features (dispatch, scheduled patrols, ...).

Links get a narrow :class:`fleet.links.base.LinkContext`; features get a
:class:`FleetPort`: read the fleet, follow its changes, set duty statuses, send commands,
raise alerts, read the clock. Nothing more: a feature never holds the core, its state's
writers or its change stream, so it can be built, run and tested on any object that
keeps this contract, and the core never imports a feature (``tests/test_layering.py``).

Features are composed at the top (:mod:`fleet.service`), not inside the core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from .commands import Command, Origin

if TYPE_CHECKING:  # types only: pure modules (dispatch's ranking) read FleetView
    from .columns import Columns
    from .events import Event, UnitSnapshot
    from .model import LinkState, Telemetry, Unit, UnitStatus
    from .stream import Subscription

#: called before each command goes out: (unit id, command, origin)
CommandWatcher = Callable[[str, Command, Origin], None]


class FleetView(Protocol):
    """The fleet's state, read-only: the registry, each unit's latest, and the column
    arrays that rankings read without a copy (:class:`fleet.state.FleetState` is one)."""

    @property
    def columns(self) -> Columns: ...

    def __len__(self) -> int: ...

    def __contains__(self, unit_id: object) -> bool: ...

    def unit(self, unit_id: str) -> Unit:
        """The configured unit (UnknownUnitError for an id not in the registry)."""
        ...

    def unit_at(self, index: int) -> Unit: ...

    def index_of(self, unit_id: str) -> int: ...

    def telemetry(self, unit_id: str) -> Telemetry | None: ...

    def link_state(self, unit_id: str) -> LinkState: ...

    def status(self, unit_id: str) -> UnitStatus: ...

    def duty_status(self, unit_id: str) -> UnitStatus: ...

    def snapshot(self, unit_id: str) -> UnitSnapshot: ...


class FleetPort(Protocol):
    """The core as a feature sees it."""

    name: str  # the fleet's name, as configured
    view: FleetView

    def wall(self) -> float:
        """Unix time, from the core's clock (a fake one in tests)."""
        ...

    def monotonic(self) -> float: ...

    def snapshot(self, unit_id: str) -> UnitSnapshot: ...

    def subscribe(self, *, units: Iterable[str] | None = None, max_events: int = 1000,
                  snapshots: bool = True) -> Subscription:
        """A bounded, coalescing view of every change (:mod:`fleet.stream`)."""
        ...

    def reports(self, unit_id: str) -> AsyncIterator[Telemetry]:
        """Each new report of one unit, from now on."""
        ...

    def set_status(self, unit_id: str, status: UnitStatus, reason: str = "") -> None: ...

    async def send(self, unit_id: str, command: Command, *, timeout: float | None = None,
                   origin: Origin = Origin.OPERATOR) -> Any:
        """As :meth:`fleet.core.FleetCore.send`: the result, or a typed error."""
        ...

    def emit(self, event: Event) -> None:
        """An alert (or another event) onto the change stream, for every consumer."""
        ...

    def watch_commands(self, watcher: CommandWatcher) -> None:
        """Be told of each command before it goes out, whoever sends it."""
        ...

    def counts(self) -> dict[UnitStatus, int]: ...

    def links(self) -> list[Any]:
        """Each link's :class:`fleet.core.LinkStatus`."""
        ...

    def counters(self) -> dict[str, dict[str, int]]: ...


class Feature(Protocol):
    """Something the core runs beside its links for as long as it runs."""

    async def run(self) -> None:
        """Work until cancelled (or return when there is nothing to do)."""
        ...
