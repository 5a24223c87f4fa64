"""Loading a mission onto aircraft from the console: what the operator typed as a source
(a ``.plan`` / ``.waypoints`` file, several files, or ``patrol:<id>``), which part goes
to which aircraft, and what the confirmation says (the figures: :mod:`tui.plan_words`).

No Textual and no I/O beyond reading the files the operator named (through
``fleet.missions``, whose errors are one line each); everything else is data in, data out,
so the rules are tested without a terminal. Every refusal is a ``ValueError`` whose text
the operator can act on, never a traceback.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from fleet.events import UnitSnapshot
from fleet.geo import distance_m
from fleet.missions import (
    MissionFileError,
    MissionItem,
    MissionValidationError,
    loads_plan,
    loads_waypoints,
    validate,
)
from fleet.missions.fileio import read_text
from tui.command_plans import CommandSpec, is_aircraft
from tui.plan_words import LatLon, Part, placed, upload_words

SUFFIXES = (".plan", ".waypoints")
PATROL = "patrol:"
#: an aircraft further than this from where a plan starts is warned about: its first leg
#: is a transit the planner never saw (and never checked against no-fly zones)
FAR_FROM_START_M = 500.0
#: the modes in which a vehicle flies its mission (ArduPilot, PX4)
MISSION_MODES = frozenset({"AUTO", "AUTO.MISSION"})
_GLOB = re.compile(r"[*?\[]")
#: `fleet plan --drones N --out x.plan` writes x-d<drone>-<sortie>.plan
_DRONE_FILE = re.compile(r"^(?P<stem>.+)-d(?P<drone>\d+)-(?P<sortie>\d+)(?P<suffix>\.\w+)$")


@dataclass(frozen=True, slots=True)
class Source:
    """What the operator chose: files read into parts, or a configured patrol (planned per
    aircraft once the targets are known, see :mod:`tui.plan_patrol`)."""

    label: str
    parts: tuple[Part, ...] = ()
    patrol: str | None = None
    notes: tuple[str, ...] = ()


# -- reading what the operator typed ------------------------------------------------------
def natural_key(text: str) -> list[object]:
    """``x-d2-1`` before ``x-d10-1``: digits compare as numbers."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", text)]


def display(path: Path, cwd: Path) -> str:
    """The path as the operator thinks of it: relative to the current directory if
    inside it, else with ``~`` for the home directory."""
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        home = Path(os.path.expanduser("~"))
        try:
            return str(Path("~") / path.relative_to(home))
        except ValueError:
            return str(path)


def resolve_paths(text: str, cwd: Path) -> list[Path]:
    """The files ``text`` names: one path, several separated by commas, or a pattern
    (``wanda-d*-1.plan``) whose matches are taken in natural order. ``~`` is expanded;
    a relative path is taken from ``cwd``."""
    out: list[Path] = []
    for piece in (p.strip() for p in text.split(",")):
        if not piece:
            continue
        path = Path(os.path.expanduser(piece))
        path = path if path.is_absolute() else cwd / path
        if _GLOB.search(path.name):
            found = sorted((p for p in path.parent.glob(path.name) if p.is_file()),
                           key=lambda p: natural_key(p.name))
            if not found:
                raise ValueError(f"no file matches {piece}")
            out += found
            continue
        if not path.exists():
            raise ValueError(f"no such file: {piece}")
        if path.is_dir():
            raise ValueError(f"{piece} is a directory: name a .plan or .waypoints file")
        out.append(path)
    if not out:
        raise ValueError("type a .plan or .waypoints file, or choose one below")
    return out


def read_part(path: Path, cwd: Path) -> tuple[Part, tuple[str, ...]]:
    """One file as a part, validated as a MISSION; (part, notes about what is not loaded)."""
    name = display(path, cwd)
    try:
        text = read_text(path)
        kind = _kind(path, text)
        if kind == "waypoints":
            home_item, items = loads_waypoints(text, name)
            speed, notes = None, ()
        else:
            plan = loads_plan(text, name)
            items, home_item, speed = plan.mission, plan.home, plan.cruise_speed_m_s
            notes = _unloaded(name, len(plan.fence), len(plan.rally))
    except MissionFileError as err:
        raise ValueError(f"{name}: {err.message}") from None
    if not items:
        raise ValueError(f"{name}: no mission items (nothing to fly)")
    try:
        validate(items)
    except MissionValidationError as err:
        raise ValueError(f"{name}: {err}") from None
    return Part(Path(name).name, tuple(items), _placed(home_item), speed), notes


def _kind(path: Path, text: str) -> str:
    if path.suffix.lower() == ".waypoints" or text.lstrip().startswith("QGC WPL"):
        return "waypoints"
    if path.suffix.lower() == ".plan" or text.lstrip().startswith("{"):
        return "plan"
    raise MissionFileError(str(path), "not a .plan (QGroundControl JSON) or .waypoints "
                                      "(QGC WPL 110) file")


def _unloaded(name: str, fence: int, rally: int) -> tuple[str, ...]:
    what = [w for n, w in ((fence, f"its geofence ({fence} item{'s' * (fence != 1)})"),
                           (rally, f"its {rally} rally point{'s' * (rally != 1)}")) if n]
    return (f"{name}: {' and '.join(what)} not loaded (the mission only)",) if what else ()


def _placed(item: MissionItem | None) -> LatLon | None:
    if item is None or not (math.isfinite(item.lat_deg) and math.isfinite(item.lon_deg)):
        return None
    if item.lat_deg == 0.0 and item.lon_deg == 0.0:
        return None
    return item.lat_deg, item.lon_deg


def read_source(text: str, cwd: Path, patrols: Sequence[str] = ()) -> Source:
    """What the operator typed, read: ``patrol:<id>`` (one of ``patrols``), or files."""
    text = text.strip()
    if text.lower().startswith(PATROL):
        patrol = text[len(PATROL):].strip()
        if patrol not in patrols:
            known = ", ".join(patrols) if patrols else "none configured"
            raise ValueError(f"unknown patrol {patrol!r} (known: {known})")
        return Source(f"patrol {patrol}", patrol=patrol)
    paths = resolve_paths(text, cwd)
    parts, notes = [], []
    for path in paths:
        part, more = read_part(path, cwd)
        parts.append(part)
        notes += more
    label = parts[0].name if len(parts) == 1 else f"{text} ({len(parts)} files)"
    return Source(label, tuple(parts), notes=tuple(notes))


def choices(files: Iterable[Path], cwd: Path, patrols: Sequence[str] = ()) -> list[str]:
    """What the source dialog offers: for each set of ``fleet plan --drones N`` files
    (``x-d1-1.plan``, ``x-d2-1.plan``) the pattern that loads sortie k of every drone,
    one part per aircraft; every plan file; then ``patrol:<id>`` for each patrol."""
    names = sorted({display(p, cwd) for p in files if p.suffix.lower() in SUFFIXES},
                   key=natural_key)
    drones: dict[tuple[str, str, str], set[str]] = {}
    for name in names:
        if m := _DRONE_FILE.match(name):
            drones.setdefault((m["stem"], m["sortie"], m["suffix"]), set()).add(m["drone"])
    sets = [f"{stem}-d*-{sortie}{suffix}" for (stem, sortie, suffix), ds
            in sorted(drones.items(), key=lambda kv: natural_key("".join(kv[0])))
            if len(ds) > 1]
    return sets + names + [f"{PATROL}{p}" for p in patrols]


# -- who gets which part ------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Upload:
    unit_id: str
    callsign: str
    part: Part


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """Everything one "Load plan" will do, in the shape the confirmation dialog reads
    (``spec``, :meth:`describe`, ``dangers``, ``skipped``)."""

    spec: CommandSpec
    source: Source
    uploads: tuple[Upload, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # (callsign, why)
    dangers: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    speeds: dict[str, float] = field(default_factory=dict)  # unit id -> its cruise speed

    @property
    def empty(self) -> bool:
        return not self.uploads

    def describe(self) -> list[str]:
        """``Upload 42 items (3.1 km, 12 min at 8 m/s) from wanda.plan → Eagle 1 (air-1)``,
        one line per part, then the notes."""
        groups: dict[Part, list[Upload]] = {}
        for upload in self.uploads:
            groups.setdefault(upload.part, []).append(upload)
        lines = []
        for part, uploads in groups.items():
            who = ", ".join(f"{u.callsign} ({u.unit_id})" for u in uploads)
            speed = self.speeds.get(uploads[0].unit_id)
            lines.append(f"{upload_words(part, speed)} → {who}")
        return lines + list(self.notes)


@dataclass(frozen=True, slots=True)
class Planned:
    """A patrol planned for the aircraft: a part per unit id, why the others got none."""

    parts: dict[str, Part] = field(default_factory=dict)
    why: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()


def assign(spec: CommandSpec, source: Source, snaps: Sequence[UnitSnapshot],
           planned: Planned | None = None) -> LoadPlan:
    """Part k to the k-th aircraft in ``snaps`` (one part: the same to each); with
    ``planned`` (a patrol), each aircraft its own part."""
    skipped = [(_name(s), "a plan is for aircraft only") for s in snaps if not is_aircraft(s)]
    aircraft = [s for s in snaps if is_aircraft(s)]
    notes = list(source.notes)
    dangers: list[str] = []
    parts = list(source.parts)
    if planned is not None:
        pairs = [(s, planned.parts[s.id]) for s in aircraft if s.id in planned.parts]
        skipped += [(_name(s), planned.why.get(s.id, "not planned")) for s in aircraft
                    if s.id not in planned.parts]
        notes += planned.notes
    elif len(parts) == 1:
        pairs = [(s, parts[0]) for s in aircraft]
        if len(aircraft) > 1:
            notes.append(f"each of the {len(aircraft)} aircraft gets the same mission")
    else:
        pairs = list(zip(aircraft, parts, strict=False))
        skipped += [(_name(s), f"no part left for it ({len(parts)} parts, "
                               f"{len(aircraft)} aircraft)") for s in aircraft[len(parts):]]
        if len(parts) > len(aircraft) > 0:
            left = ", ".join(p.name for p in parts[len(aircraft):])
            dangers.append(f"{len(parts) - len(aircraft)} part(s) go to nobody ({left}): "
                           "mark as many aircraft as parts")
    for snap, part in pairs:
        dangers += _warnings(snap, part)
    if len(pairs) > 1:
        dangers.append(f"this goes to {len(pairs)} units")
    uploads = tuple(Upload(s.id, _name(s), p) for s, p in pairs)
    speeds = {s.id: s.unit.capabilities.cruise_speed_m_s for s, _ in pairs}
    return LoadPlan(spec, source, uploads, tuple(skipped), tuple(dangers), tuple(notes),
                    speeds)


def _name(snap: UnitSnapshot) -> str:
    return str(snap.unit.callsign or snap.id)


def _warnings(snap: UnitSnapshot, part: Part) -> list[str]:
    out = []
    tel = snap.telemetry
    if tel is not None and tel.armed and str(tel.mode or "").upper() in MISSION_MODES:
        out.append(f"{_name(snap)} is flying a mission in AUTO: the new one replaces it "
                   "in flight")
    start = part.home or next(iter(placed(part.items)), None)
    if tel is not None and start is not None:
        away = distance_m(tel.lat_deg, tel.lon_deg, *start)
        if math.isfinite(away) and away > FAR_FROM_START_M:
            out.append(f"{_name(snap)} is {away / 1000:.1f} km from where "
                       f"{part.name} starts: its first leg flies straight there")
    return out
