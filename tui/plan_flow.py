""""Load plan" from key press to verified missions: choose the source, plan a patrol if
that was chosen, confirm, upload with progress, report.

Runs inside :class:`tui.command_flow.CommandFlow`'s worker, so the screen never waits.
Each upload is ``UploadMission(items, verify=True, progress=...)`` through the console's
service: the link reads the mission back and compares it, and only an upload that
verified is accepted (the core then holds its points in ``UnitSnapshot.mission``, which
the map draws). Every outcome is a line in the log and the unit's "last command".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from fleet.commands import UploadMission
from fleet.errors import CommandError, FleetError, NoRouteError
from fleet.events import Severity, UnitSnapshot
from tui.command_plans import CommandSpec, is_aircraft
from tui.model import Progress
from tui.plan_load import SUFFIXES, LoadPlan, Planned, Source, assign, choices, read_source
from tui.plan_patrol import plan_patrol
from tui.screens.confirm import ConfirmScreen
from tui.screens.plan_source import PlanSourceScreen
from tui.screens.upload import Progress as ProgressCallback
from tui.screens.upload import UploadScreen
from tui.upload_rows import Phase, UploadRow, failure

if TYPE_CHECKING:
    from tui.command_flow import CommandFlow

NAME = "upload_mission"  # the unit detail's "last command"
PROMPT = ("A .plan or .waypoints file, or patrol:<id>. Several files (a.plan,b.plan or "
          "x-d*-1.plan) go one per aircraft, in order.")


def upload_timeout_s(items: int, floor_s: float) -> float:
    """A whole upload and its read-back: a round trip per item each way, with room for
    resends on a poor radio link; never less than an ordinary command's timeout."""
    return max(floor_s, 20.0 + 1.0 * items)


class PlanLoadFlow:
    """``cwd`` is where typed paths start and where plan files are looked for."""

    def __init__(self, flow: CommandFlow, cwd: Callable[[], Path] = Path.cwd) -> None:
        self.flow = flow
        self.cwd = cwd

    # -- what is offered ---------------------------------------------------------------
    def patrol_ids(self) -> list[str]:
        return [p.id for p in getattr(self.flow.service.config, "patrols", ())]

    def found(self) -> list[str]:
        """Plan files in the current directory (``fleet plan --out`` has no default
        directory: it writes where it is told, usually here), then the patrols."""
        cwd = self.cwd()
        try:
            files = [p for p in cwd.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file()]
        except OSError:
            files = []
        return choices(files, cwd, self.patrol_ids())

    # -- one command -------------------------------------------------------------------
    async def run(self, spec: CommandSpec, snaps: Sequence[UnitSnapshot], who: str) -> None:
        flow = self.flow
        if not any(is_aircraft(s) for s in snaps):
            self._log_skipped(assign(spec, Source(""), snaps))
            flow.notify(f"{spec.title}: nothing to send: a plan is for aircraft only")
            return
        if flow.push_screen_wait is None:
            return
        cwd = self.cwd()
        patrols = self.patrol_ids()
        source = await flow.push_screen_wait(PlanSourceScreen(
            f"{spec.title}: {who}", PROMPT, lambda text: read_source(text, cwd, patrols),
            self.found()))
        if source is None:
            return
        # as they are now, not when the key was pressed (one may have taken off meanwhile)
        snaps = [flow.model.units.get(s.id, s) for s in snaps]
        load = assign(spec, source, snaps, await self._planned(source, snaps))
        self._log_skipped(load)
        if load.empty:
            flow.notify(f"{spec.title}: nothing to send (see the log)")
            return
        if not await flow.push_screen_wait(ConfirmScreen(load)):
            flow._log(Severity.INFO, f"{spec.title} cancelled by the operator", None)
            return
        await self.upload(load)

    async def _planned(self, source: Source, snaps: Sequence[UnitSnapshot]) -> Planned | None:
        """A patrol planned for these aircraft (in a thread: a coverage plan takes tens of
        milliseconds, which the screen should not wait for), or None for files."""
        if source.patrol is None:
            return None
        config = self.flow.service.config
        patrol = next(p for p in config.patrols if p.id == source.patrol)
        zones = {z.id: z for z in config.zones}
        sites = {s.id: s for s in config.key_sites}
        return await asyncio.to_thread(plan_patrol, patrol, zones, sites,
                                       [s for s in snaps if is_aircraft(s)])

    def _log_skipped(self, load: LoadPlan) -> None:
        by_reason: dict[str, list[str]] = {}
        for name, why in load.skipped:
            by_reason.setdefault(why, []).append(name)
        for why, names in by_reason.items():
            more = f" +{len(names) - 3}" if len(names) > 3 else ""
            self.flow._log(Severity.INFO, f"{load.spec.title} not sent to "
                           f"{', '.join(names[:3])}{more}: {why}", None)

    # -- the uploads -----------------------------------------------------------------------
    async def upload(self, load: LoadPlan) -> list[UploadRow]:
        """Every upload at once, in the progress dialog; the rows as they ended."""
        flow = self.flow
        parts = {u.unit_id: u.part for u in load.uploads}
        rows = [UploadRow(u.unit_id, u.callsign, len(u.part.items)) for u in load.uploads]

        async def run(row: UploadRow, progress: ProgressCallback) -> None:
            items = parts[row.unit_id].items
            command = UploadMission(items, verify=True, progress=progress)
            flow._log(Severity.INFO, f"{row.callsign}: Upload mission ({len(items)} items) "
                      f"from {parts[row.unit_id].name} — sending…", row.unit_id)
            try:
                await flow.service.send(row.unit_id, command,
                                        timeout=upload_timeout_s(len(items), flow.timeout_s))
            except (CommandError, NoRouteError) as exc:
                row.failed(failure(getattr(exc, "command", ""), exc.reason))
            except FleetError as exc:
                row.failed(str(exc))
            else:
                row.verified()

        def changed(row: UploadRow) -> None:
            self._report(row, parts[row.unit_id].name)

        assert flow.push_screen_wait is not None
        done = await flow.push_screen_wait(UploadScreen(
            f"{load.spec.title}: {load.source.label}", rows, run, changed))
        return list(done or rows)

    def _report(self, row: UploadRow, name: str) -> None:
        """The row's news in the unit detail, and its end in the log."""
        flow = self.flow
        if row.phase in (Phase.WAITING, Phase.SENDING, Phase.VERIFYING):
            flow._progress(row.unit_id, NAME, Progress.SENDING, row.status())
        elif row.phase is Phase.VERIFIED:
            flow._progress(row.unit_id, NAME, Progress.ACCEPTED, row.status())
            flow._log(Severity.INFO, f"{row.callsign}: mission from {name} uploaded and "
                      f"{row.status()}", row.unit_id)
        elif row.phase is Phase.FAILED:
            flow._progress(row.unit_id, NAME, Progress.FAILED, row.detail)
            flow._log(Severity.WARNING, f"{row.callsign}: mission from {name} not loaded: "
                      f"{row.detail}", row.unit_id)
        else:
            flow._progress(row.unit_id, NAME, Progress.CANCELLED, row.status())
            flow._log(Severity.NOTICE, f"{row.callsign}: upload of {name} {row.status()}",
                      row.unit_id)
