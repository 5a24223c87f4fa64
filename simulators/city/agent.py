"""A unit on the wire: its truth, its MQTT session, its faults and the answers it gave.

Commands are handled as they arrive (in the connection's callback): the unit is first brought
up to the present, so a command always acts on where the unit really is.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from .clock import Clock
from .commands import AnswerBook, Command, Rejected, encode_ack, parse_command
from .faults import UnitFaults
from .registry import UnitSpec
from .session import UnitSession
from .telemetry import encode, garbage, telemetry_doc
from .unit import Arrival, NoRoute, SimUnit

log = logging.getLogger(__name__)


@dataclass
class AgentStats:
    commands: int = 0
    duplicates: int = 0
    rejected: int = 0
    unanswerable: int = 0       # not even an id to answer to
    garbage_sent: int = 0


class UnitAgent:
    def __init__(self, spec: UnitSpec, unit: SimUnit, clock: Clock, rng: random.Random) -> None:
        self.spec = spec
        self.unit = unit
        self.clock = clock
        self.rng = rng
        self.faults = UnitFaults()
        self.answers = AnswerBook()
        self.stats = AgentStats()
        self.session: UnitSession | None = None     # attached by the sim

    @property
    def id(self) -> str:
        return self.spec.id

    def unit_time(self, t_sim: float) -> float:
        """The unit's own clock (Unix seconds), skew included."""
        return self.clock.wall_at(t_sim) + self.faults.clock_skew_s

    # -- outgoing ------------------------------------------------------------------

    def report(self, t_sim: float) -> None:
        """Bring the unit to ``t_sim`` and publish one telemetry message."""
        self._complete(self.unit.advance_to(t_sim))
        doc = telemetry_doc(self.unit.truth, self.unit_time(t_sim))
        if self.faults.garbage_rate > 0 and self.rng.random() < self.faults.garbage_rate:
            payload = garbage(self.rng.choice(self.faults.garbage_kinds), doc, self.rng)
            self.stats.garbage_sent += 1
        else:
            payload = encode(doc)
        if self.session is not None:
            self.session.publish_telemetry(payload)

    def _complete(self, arrivals: list[Arrival]) -> None:
        for arrival in arrivals:
            self._answer(arrival.command_id, "completed", t_sim=arrival.t)

    def _answer(self, command_id: str, result: str, reason: str | None = None, *,
                t_sim: float | None = None) -> None:
        ts = self.unit_time(self.clock.now() if t_sim is None else t_sim)
        ack = encode_ack(command_id, ts, result, reason)
        self.answers.record(command_id, ack)
        if self.session is not None:
            self.session.publish_ack(ack)

    # -- incoming ------------------------------------------------------------------

    def on_command(self, payload: bytes) -> None:
        self.stats.commands += 1
        self._complete(self.unit.advance_to(max(self.unit.t, self.clock.now())))
        try:
            command = parse_command(payload)
        except Rejected as exc:
            self.stats.rejected += 1
            if exc.command_id is None:
                self.stats.unanswerable += 1
                log.info("%s: unanswerable command (%s)", self.id, exc.reason)
            elif exc.command_id in self.answers:
                self._repeat(exc.command_id)
            else:
                self._answer(exc.command_id, "rejected", exc.reason)
            return
        if command.id in self.answers:
            self._repeat(command.id)
            return
        try:
            self._execute(command)
        except NoRoute as exc:
            self.stats.rejected += 1
            self._answer(command.id, "rejected", str(exc))
            return
        self._answer(command.id, "accepted")
        if command.type in ("hold", "set_status"):
            self._answer(command.id, "completed")

    def _repeat(self, command_id: str) -> None:
        """A resent command: the same answers again, nothing executed."""
        self.stats.duplicates += 1
        if self.session is not None:
            for ack in self.answers.answers(command_id):
                self.session.publish_ack(ack)

    def _execute(self, command: Command) -> None:
        unit = self.unit
        if command.type == "goto":
            unit.goto(command.lat, command.lon, command.id)
        elif command.type == "patrol":
            unit.patrol(command.route, command.loop, command.id)
        elif command.type == "hold":
            unit.hold()
        elif command.type == "return":
            unit.return_to_base(command.id)
        elif command.type == "set_status":
            unit.set_status(command.status)
