"""Which alerts reach the operator's list, and how severe they are: one table, pure.

A vehicle talks a lot (EKF and GPS start-up, "Arming motors", every waypoint reached);
the operator needs the few lines that change what they do (a failsafe, a fence breach,
a drone disarmed on a crime scene). :data:`RULES` decides, first match wins, from the
alert's code, its text and a little :class:`Context` about the unit (flying, on an
incident, away from its base). Everything about a unit also goes to that unit's own log
(the unit detail), so nothing is lost: chatter is just not in the alert list.

The table, in words (docs/console.md, "Alerts", has it too):

==========================================  ===========  ======================================
what                                        where        severity
==========================================  ===========  ======================================
heli "PreArm: Motor Interlock Enabled"      unit log     info (fleet switches it off itself)
"PreArm: …" / "Arm: …" (pre-arm checks)     unit log     notice; the reply to an arm is the
                                                         command's failure, which carries it
failsafe cleared                            alerts       notice
failsafe (battery, GCS, radio, EKF)         alerts       critical
EKF variance / EKF failure                  alerts       critical
crash, thrust loss, parachute, e-stop       alerts       critical
fence breach                                alerts       critical
battery critical / low (vehicle's text)     alerts       critical / warning
disarm or landing, > 1 m up                 alerts       critical
disarm or landing, on an incident, away     alerts       warning
from base
disarm or landing, otherwise                unit log     info
"Arming motors", mission progress, mode-    unit log     (its own)
change refusals, fleet's parameter probing
any other vehicle text, warning or worse    alerts       (its own)
any other vehicle text, notice or below     unit log     (its own)
vehicle discovered, mission item reached,   unit log     (its own)
MQTT command completed, console "sending…"
arm refused on the ground (command failure) alerts       notice
home left the base (``unit.home_moved``)    alerts       warning, with the key that fixes it
home back at the base                       alerts       notice
a link connected                            alerts       info
a link down / back (core: link.down, .up)   alerts       warning / notice (its own)
aircraft low in the air (core:              alerts       warning / critical (its own)
unit.battery_low, unit.battery_critical)
anything else                               alerts       (its own)
==========================================  ===========  ======================================
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

from fleet.activity import AIRBORNE_M
from fleet.events import Alert, Severity, UnitSnapshot
from fleet.geo import distance_m
from fleet.home_watch import CODE_AWAY, CODE_BACK
from tui.home_words import KEY

STATUSTEXT = "mavlink.statustext"
#: the command failure codes: the core's and the console's own line
FAILURES = frozenset({"command.failed", "console.command"})
#: above home by more than this, a disarm or a landing happens in the air (the core's
#: airborne height, fleet.activity)
FLYING_ABOVE_M = AIRBORNE_M
#: further than this from its base, a unit that disarms or lands is "away"
AT_BASE_M = 200.0
#: the least severe severity that needs the operator: counted in the header, marked ●
ATTENTION = Severity.WARNING
_ORDER = tuple(Severity)  # most severe first (MAVLink's order)
RANK = {s: i for i, s in enumerate(_ORDER)}


class Where(StrEnum):
    """Where an alert is filed. Alerts about a unit always go to its own log as well."""

    ALERTS = "alerts"
    UNIT_LOG = "unit log"


@dataclass(frozen=True, slots=True)
class Context:
    """What the console knows about the alert's unit when the alert arrives."""

    callsign: str | None = None
    flying: bool = False  # more than 1 m above home (armed or not: a disarm may be news)
    on_incident: bool = False  # dispatched, en route or on scene
    away_from_base: bool = True  # unknown (no base or no position) counts as away


def triage_context(snap: UnitSnapshot, *, on_incident: bool = False) -> Context:
    """The context of an alert about ``snap``'s unit; ``on_incident``: the desk has it on
    an open incident (its duty status says so too when dispatched, en route, on scene)."""
    tel = snap.telemetry
    alt = getattr(tel, "relative_alt_m", None)
    flying = isinstance(alt, int | float) and alt > FLYING_ABOVE_M  # NaN compares False
    base = snap.unit.base
    away = base is None or tel is None or not distance_m(  # unknown: infinitely far
        base.position.lat_deg, base.position.lon_deg, tel.lat_deg, tel.lon_deg) <= AT_BASE_M
    return Context(str(snap.unit.callsign or snap.id), flying,
                   on_incident or snap.duty_status.committed, away)


@dataclass(frozen=True, slots=True)
class Rule:
    """Alerts with one of ``codes`` (empty: any) whose message matches ``text`` (None: any)
    and for which ``when`` holds go to ``where`` at ``severity`` (None: their own)."""

    name: str
    codes: frozenset[str]
    text: re.Pattern[str] | None
    where: Where
    severity: Severity | None = None
    when: Callable[[Alert, Context], bool] | None = None

    def matches(self, alert: Alert, ctx: Context, text: str) -> bool:
        return ((not self.codes or alert.code in self.codes)
                and (self.text is None or self.text.search(text) is not None)
                and (self.when is None or self.when(alert, ctx)))


@dataclass(frozen=True, slots=True)
class Verdict:
    where: Where
    severity: Severity
    rule: str


def _re(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _codes(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def at_least(severity: Severity) -> Callable[[Alert, Context], bool]:
    return lambda alert, ctx: RANK.get(alert.severity, 99) <= RANK[severity]


_VEHICLE = _codes(STATUSTEXT)
_DISARM = _re(r"^(?:disarming motors|throttle disarmed|land(?:ed| complete)\b)")
RULES: tuple[Rule, ...] = (
    Rule("interlock", _VEHICLE, _re(r"^PreArm: Motor Interlock Enabled"), Where.UNIT_LOG,
         Severity.INFO),
    Rule("pre-arm", _VEHICLE, _re(r"^(?:PreArm|Arm):"), Where.UNIT_LOG, Severity.NOTICE),
    Rule("failsafe cleared", _VEHICLE, _re(r"failsafe.*\bclear"), Where.ALERTS,
         Severity.NOTICE),
    Rule("failsafe", _VEHICLE, _re(r"failsafe"), Where.ALERTS, Severity.CRITICAL),
    Rule("EKF failure", _VEHICLE, _re(r"\bEKF variance|\bEKF\S*\s.*\b(?:fail|error)"),
         Where.ALERTS, Severity.CRITICAL),
    Rule("crash", _VEHICLE,
         _re(r"crash|thrust loss|parachute|emergency stop|motors? fail"),
         Where.ALERTS, Severity.CRITICAL),
    Rule("fence breach", _VEHICLE, _re(r"fence.*breach|breach.*fence"), Where.ALERTS,
         Severity.CRITICAL),
    Rule("battery critical", _VEHICLE, _re(r"battery.*\bcritical\b"), Where.ALERTS,
         Severity.CRITICAL),
    Rule("battery low", _VEHICLE, _re(r"battery.*\blow\b"), Where.ALERTS, Severity.WARNING),
    Rule("disarm in the air", _VEHICLE, _DISARM, Where.ALERTS, Severity.CRITICAL,
         lambda a, c: c.flying),
    Rule("disarm on a job", _VEHICLE, _DISARM, Where.ALERTS, Severity.WARNING,
         lambda a, c: c.on_incident and c.away_from_base),
    Rule("disarm", _VEHICLE, _DISARM, Where.UNIT_LOG, Severity.INFO),
    Rule("vehicle progress", _VEHICLE,
         _re(r"^(?:arming motors|throttle armed|mission: \d|reached (?:command|waypoint) #"
             r"|reached destination|mission complete|mode change to .* failed|no such mode"
             r"|flight mode change failed|unknown parameter|no ap_message|ignoring )"),
         Where.UNIT_LOG),
    Rule("vehicle warning", _VEHICLE, None, Where.ALERTS, when=at_least(ATTENTION)),
    Rule("vehicle chatter", _VEHICLE, None, Where.UNIT_LOG),
    Rule("unit progress",
         _codes("mavlink.discovered", "mission.reached", "command.completed"), None,
         Where.UNIT_LOG),
    Rule("sending", _codes("console.command"), _re(r"sending…$"), Where.UNIT_LOG),
    Rule("arm refused", FAILURES, _re(r"(?:^|: )arm failed: "), Where.ALERTS, Severity.NOTICE,
         lambda a, c: not c.flying),
    Rule("link up", _codes("console.link"), _re(r" connected$"), Where.ALERTS, Severity.INFO),
    Rule("home moved", _codes(CODE_AWAY), None, Where.ALERTS, Severity.WARNING),
    Rule("home at base", _codes(CODE_BACK), None, Where.ALERTS, Severity.NOTICE),
)
#: what the operator can press about an alert, added to its line (the core knows no keys)
KEY_HINTS = {CODE_AWAY: f" (key {KEY})"}
DEFAULT = "anything else"


def subject(alert: Alert) -> tuple[str, str]:
    """``("Eagle 1", "EKF3 IMU0 origin set")`` of a unit's ``"Eagle 1: EKF3 …"``; an alert
    about no unit, or with no ``who: `` prefix, has an empty subject."""
    if alert.unit_id is not None:
        who, sep, rest = alert.message.partition(": ")
        if sep and who and rest:
            return who, rest
    return "", alert.message


def classify(alert: Alert, ctx: Context = Context()) -> Verdict:
    """Where ``alert`` goes and at what severity: the first rule of :data:`RULES` that
    matches (its text is matched without the ``unit: `` prefix)."""
    text = subject(alert)[1]
    for rule in RULES:
        if rule.matches(alert, ctx, text):
            where = rule.where if alert.unit_id is not None else Where.ALERTS
            return Verdict(where, rule.severity or alert.severity, rule.name)
    return Verdict(Where.ALERTS, alert.severity, DEFAULT)


def retell(alert: Alert, verdict: Verdict, ctx: Context) -> Alert:
    """The alert as the console shows it: the verdict's severity, the unit's callsign
    instead of its id at the start (``air-1: …`` → ``Eagle 1: …``), and the key that acts
    on it, if any (:data:`KEY_HINTS`)."""
    message = alert.message
    if ctx.callsign and alert.unit_id and message.startswith(f"{alert.unit_id}: "):
        message = f"{ctx.callsign}: {message[len(alert.unit_id) + 2:]}"
    hint = KEY_HINTS.get(alert.code, "")
    if hint and not message.endswith(hint):
        message += hint
    if message == alert.message and verdict.severity is alert.severity:
        return alert
    return replace(alert, message=message, severity=verdict.severity)


def needs_attention(severity: Severity) -> bool:
    """WARNING or worse: the operator has to do something, or at least look."""
    return RANK.get(severity, 99) <= RANK[ATTENTION]
