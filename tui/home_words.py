"""Home and base in the operator's words: the detail's home line, the arm warning, and the
"Home to base" command with its confirmation line. Pure (no Textual, no Rich, no I/O).

ArduPilot moves an aircraft's home to where it arms unless a ground station set it, and
RTL (a GCS failsafe's too) lands at home: an aircraft armed away from its base comes back
to that spot, not to the base the operator has in mind (docs/flight-safety.md, "Home and
base"). The threshold is the core's (:data:`fleet.home_watch.AWAY_M`), so the console and
the core's ``unit.home_moved`` alert agree on what "away" is.
"""

from __future__ import annotations

import math

from fleet.commands import SetHome
from fleet.events import UnitSnapshot
from fleet.home_watch import AWAY_M, distance_words, from_base_m
from fleet.model import Position

#: the console's key for "Home to base" (tui.command_plans.SPECS), named in its warnings
KEY = "B"


def _here(snap: UnitSnapshot) -> Position | None:
    tel = snap.telemetry
    if tel is None or not (math.isfinite(tel.lat_deg) and math.isfinite(tel.lon_deg)):
        return None
    return Position(tel.lat_deg, tel.lon_deg)


def home_words(snap: UnitSnapshot) -> tuple[str, bool] | None:
    """The detail's home, and whether it is away from the base (shown in yellow):
    ``at base Airport``, ``1.2 km from base Airport``; the home's point when the unit has
    no base; None until the vehicle reports one, and for units that have no home (crewed
    vehicles and boats: their crew knows the way back)."""
    home, base = snap.home, snap.unit.base
    if home is None:
        return None
    metres = from_base_m(base, home)
    if base is None or metres is None:
        return f"{home.lat_deg:.5f}, {home.lon_deg:.5f} · {home.alt_m:.0f} m AMSL", False
    if metres <= AWAY_M:
        return f"at base {base.name}", False
    return f"{distance_words(metres)} from base {base.name}", True


def arm_danger(snap: UnitSnapshot, name: str) -> str | None:
    """The arm warning for a disarmed aircraft standing more than AWAY_M from its base
    (arming an armed one changes nothing: ArduPilot accepts it and leaves home alone)."""
    if snap.telemetry is not None and snap.telemetry.armed:
        return None
    base = snap.unit.base
    metres = from_base_m(base, _here(snap))
    if base is None or metres is None or metres <= AWAY_M:
        return None
    return (f"{name} is {distance_words(metres)} from its base ({base.name}): arming moves "
            "its home here (ArduPilot keeps only a home set from the ground); RTL would land "
            f"here. Set home to base ({KEY}) after arming.")


def home_to_base(snap: UnitSnapshot) -> SetHome | str:
    """The command that puts ``snap``'s home on its base, or why there is none. A base
    without an altitude (0 in the config: unknown) keeps the vehicle's home altitude."""
    base = snap.unit.base
    if base is None:
        return "no base in the config"
    p = base.position
    alt = p.alt_m if math.isfinite(p.alt_m) and p.alt_m != 0.0 else None
    return SetHome(p.lat_deg, p.lon_deg, alt)


def move_line(snap: UnitSnapshot, name: str, command: SetHome) -> str:
    """The confirmation's line: from where, how far, to which base, at what altitude."""
    base = snap.unit.base
    where = base.name if base is not None else "its base"
    if command.alt_amsl_m is not None:
        alt = f"at {command.alt_amsl_m:.0f} m AMSL (the base's)"
    elif snap.home is not None:
        alt = (f"keeping its home's {snap.home.alt_m:.0f} m AMSL (the base has no "
               "altitude in the config)")
    else:
        alt = "keeping its home's altitude (the base has no altitude in the config)"
    metres = from_base_m(base, snap.home)
    if metres is None:
        start = f"{name}: home (not reported yet) becomes its base ({where})"
    elif metres <= AWAY_M:
        start = f"{name}: home is at its base ({where}) already, {metres:.0f} m off: set again"
    else:
        start = (f"{name}: home moves {distance_words(metres)}, from "
                 f"{snap.home.lat_deg:.5f}, {snap.home.lon_deg:.5f} to its base ({where})")
    return f"{start}, {alt}; RTL will land there and arming will not move it"
