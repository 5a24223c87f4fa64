"""The city simulator: every unit of the registry as its own MQTT client, in one event loop.

    async with CitySim(CityConfig(broker=Broker("127.0.0.1", port), speedup=20)) as sim:
        sim.truth("rp08-pc1")          # where it really is
        sim.disconnect("rp08-pc1", for_s=30)

With a :class:`ManualClock` nothing moves until ``await sim.advance(seconds)``; otherwise one
tick task drives all units under a :class:`ScaledClock`. Telemetry is staggered: each unit
reports at its own phase of the period, as independent vehicles do.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import math
import random
from collections.abc import Callable
from contextlib import AsyncExitStack
from dataclasses import replace
from types import TracebackType

from .agent import UnitAgent
from .city_map import CityMap, build_city_map
from .clock import Clock, ManualClock, ScaledClock
from .config import CityConfig
from .faults import GARBAGE_KINDS, FaultSpec
from .registry import Registry, UnitSpec, load_registry
from .session import Broker, Topics, UnitSession
from .unit import SimUnit, Truth

log = logging.getLogger(__name__)

TICK_WALL_S = 0.05
KEEPALIVE_CHECK_S = 1.0
TWIN_MIN_OFFSET_M, TWIN_MAX_OFFSET_M = 2000.0, 5000.0


class CitySimError(Exception):
    """The city could not start (broker unreachable, credentials refused, bad registry)."""


class CitySim:
    def __init__(self, config: CityConfig, *, clock: Clock | None = None,
                 registry: Registry | None = None) -> None:
        self.config = config
        self.registry = registry or load_registry(config.registry)
        self.clock: Clock = clock or ScaledClock(config.speedup)
        self.prefix = config.topic_prefix or self.registry.topic_prefix
        specs = self.registry.choose(config.groups, config.boats)
        self.map: CityMap = build_city_map(specs)
        self._gate = asyncio.Semaphore(config.parallel_connects)
        self.agents: dict[str, UnitAgent] = {s.id: self._make_agent(s, s.id) for s in specs}
        self.twins: dict[str, UnitAgent] = {}
        self.period_s = self.clock.speedup / config.rate_hz
        self._order = itertools.count()
        self._reports: list[tuple[float, int, UnitAgent]] = []
        self._actions: list[tuple[float, int, Callable[[], None]]] = []
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._stack: AsyncExitStack | None = None
        self._tg: asyncio.TaskGroup | None = None

    # -- construction ------------------------------------------------------------------

    def _make_agent(self, spec: UnitSpec, seed_name: str, base_node: int | None = None,
                    client_id: str | None = None) -> UnitAgent:
        def rng(purpose: str) -> random.Random:
            # one stream per purpose: network timing never perturbs how the unit drives
            return random.Random(f"{self.config.seed}:{seed_name}:{purpose}")

        graph = self.map.network(spec.on_water)
        node = self.map.base_node(spec) if base_node is None else base_node
        unit = SimUnit(spec.id, spec.kind, graph, node, rng("drive"),
                       traffic=self.config.traffic,
                       max_snap_m=self.map.snap_limit_m(spec.on_water), t0=self.clock.now())
        agent = UnitAgent(spec, unit, self.clock, rng("faults"))
        agent.session = UnitSession(
            client_id or spec.address, Topics.for_unit(self.prefix, spec.kind, spec.address),
            self._broker_for(spec), self.clock, agent.on_command, rng=rng("network"),
            connect_gate=self._gate)
        return agent

    def _broker_for(self, spec: UnitSpec) -> Broker:
        """The broker as this unit logs in: its own account when the config has the
        units' credentials (a closed broker, docs/mqtt.md "Security"), else the shared one."""
        creds = self.config.credentials
        if creds is None:
            return self.config.broker
        if spec.address not in creds:
            raise CitySimError(f"no password for unit {spec.address} in the credentials")
        return replace(self.config.broker, username=spec.address,
                       password=creds[spec.address])

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> CitySim:
        self._stack = AsyncExitStack()
        self._tg = await self._stack.enter_async_context(asyncio.TaskGroup())
        for agent in self.agents.values():
            self._start_session(agent)
        for index, spec in enumerate(self.config.faults):
            self.inject(spec, seed_index=index)
        self._tasks["keepalive"] = self._tg.create_task(self._keepalive_loop(),
                                                        name="city-keepalive")
        if not isinstance(self.clock, ManualClock):
            self._tasks["tick"] = self._tg.create_task(self._tick_loop(), name="city-tick")
        try:
            await self.wait_online(timeout=self.config.connect_timeout_s)
        except BaseException:
            await self.close()
            await self._stack.aclose()
            raise
        # reports start once everybody is online, each unit at its own phase of the period
        stagger = random.Random(f"{self.config.seed}:stagger")
        start = self.clock.now()
        for agent in self.agents.values():
            self._schedule_report(agent, start + stagger.uniform(0, self.period_s))
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        # The body's own exception propagates unwrapped; the task group is closed as if the
        # body ended normally, so only a failed simulator task raises an ExceptionGroup.
        await self.close()
        assert self._stack is not None
        await self._stack.aclose()

    def _start_session(self, agent: UnitAgent) -> None:
        assert self._tg is not None and agent.session is not None
        key = f"session:{agent.session.client_id}:{id(agent)}"
        self._tasks[key] = self._tg.create_task(agent.session.run(), name=key)

    async def close(self) -> None:
        """Every unit publishes ``offline`` and disconnects cleanly; all tasks end."""
        for name in ("tick", "keepalive"):
            task = self._tasks.pop(name, None)
            if task is not None:
                task.cancel()
        sessions = [a.session for a in [*self.agents.values(), *self.twins.values()]
                    if a.session is not None]
        await asyncio.gather(*(s.stop() for s in sessions), return_exceptions=True)
        for task in self._tasks.values():
            task.cancel()
        self._tasks.clear()

    async def wait_online(self, timeout: float) -> None:
        """Until every unit is connected and announced ``online``."""
        try:
            async with asyncio.timeout(timeout):
                for agent in self.agents.values():
                    assert agent.session is not None
                    await agent.session.online.wait()
        except TimeoutError:
            down = [a for a in self.agents.values() if a.session and not a.session.online.is_set()]
            errors = sorted({a.session.stats.last_error for a in down if a.session} - {""})
            raise CitySimError(
                f"{len(down)} of {len(self.agents)} units not online after {timeout} s at "
                f"{self.config.broker.host}:{self.config.broker.port}: "
                f"{'; '.join(errors) or 'no answer'}") from None

    # -- time ------------------------------------------------------------------------

    async def _tick_loop(self) -> None:
        while True:
            self._run_until(self.clock.now())
            await asyncio.sleep(TICK_WALL_S)

    async def _keepalive_loop(self) -> None:
        """Pings are wall-clock business: a paused manual clock must not lose the sessions."""
        while True:
            for agent in [*self.agents.values(), *self.twins.values()]:
                if agent.session is not None:
                    agent.session.keepalive()
            await asyncio.sleep(KEEPALIVE_CHECK_S)

    async def advance(self, seconds: float) -> None:
        """Move a ManualClock's sim time on, running every report and fault due on the way."""
        if not isinstance(self.clock, ManualClock):
            raise TypeError("advance() needs a ManualClock; a ScaledClock runs by itself")
        target = self.clock.now() + seconds
        self._run_until(target, self.clock)
        self.clock.set(target)
        await asyncio.sleep(0)      # let sessions waiting on sim time notice

    def _run_until(self, t: float, manual: ManualClock | None = None) -> None:
        while True:
            next_report = self._reports[0][0] if self._reports else math.inf
            next_action = self._actions[0][0] if self._actions else math.inf
            due = min(next_report, next_action)
            if due > t:
                return
            if manual is not None:
                manual.set(max(due, manual.now()))
            if next_action <= next_report:
                heapq.heappop(self._actions)[2]()
            else:
                _, _, agent = heapq.heappop(self._reports)
                if agent is not self.agents.get(agent.id) and agent is not self.twins.get(
                        agent.id):
                    continue        # a twin that has been stopped
                agent.report(max(due, agent.unit.t))
                self._schedule_report(agent, due + self.period_s)

    def _schedule_report(self, agent: UnitAgent, t: float) -> None:
        heapq.heappush(self._reports, (t, next(self._order), agent))

    def at(self, t_sim: float, action: Callable[[], None]) -> None:
        """Run ``action`` at sim time ``t_sim`` (at once if that has passed)."""
        heapq.heappush(self._actions, (t_sim, next(self._order), action))

    # -- what tests look at ------------------------------------------------------------

    def unit(self, unit_id: str) -> SimUnit:
        return self.agents[unit_id].unit

    def truth(self, unit_id: str) -> Truth:
        """The unit's true state now (brought up to the present first)."""
        agent = self.agents[unit_id]
        agent.unit.advance_to(max(agent.unit.t, self.clock.now()))
        return agent.unit.truth

    def topics(self, unit_id: str) -> Topics:
        session = self.agents[unit_id].session
        assert session is not None
        return session.topics

    def summary(self) -> dict[str, int]:
        sessions = [a.session for a in self.agents.values() if a.session is not None]
        return {
            "units": len(self.agents),
            "online": sum(s.online.is_set() for s in sessions),
            "telemetry_sent": sum(s.stats.telemetry_sent for s in sessions),
            "telemetry_dropped": sum(s.stats.telemetry_dropped for s in sessions),
            "acks_sent": sum(s.stats.acks_sent for s in sessions),
            "connection_losses": sum(s.stats.losses for s in sessions),
            "commands": sum(a.stats.commands for a in self.agents.values()),
            "twins": len(self.twins),
        }

    # -- faults --------------------------------------------------------------------------

    def inject(self, spec: FaultSpec, *, seed_index: int = 0) -> list[str]:
        """Schedule ``spec`` (at ``spec.at_s``, or now if past); returns the units it hits."""
        rng = random.Random(f"{self.config.seed}:fault:{seed_index}:{spec.kind}")
        targets = spec.select(list(self.agents), rng)
        for unit_id in targets:
            self.at(spec.at_s, lambda u=unit_id: self._apply(spec, u))
        return targets

    def _apply(self, spec: FaultSpec, unit_id: str) -> None:
        if spec.kind == "disconnect":
            self.disconnect(unit_id, spec.for_s)
        elif spec.kind == "garbage":
            self.set_garbage(unit_id, spec.rate, spec.garbage_kinds)
        elif spec.kind == "skew":
            self.set_clock_skew(unit_id, spec.skew_s)
        elif spec.kind == "duplicate":
            self.start_duplicate(unit_id, same_client_id=spec.same_client_id)
            if math.isfinite(spec.for_s):
                self.at(self.clock.now() + spec.for_s, lambda: self._retire_twin(unit_id))

    def disconnect(self, unit_id: str, for_s: float) -> None:
        """Cut the unit's connection without DISCONNECT (Will fires); back after ``for_s``."""
        session = self.agents[unit_id].session
        assert session is not None
        session.cut(self.clock.now() + for_s)

    def set_garbage(self, unit_id: str, rate: float,
                    kinds: tuple[str, ...] = GARBAGE_KINDS) -> None:
        faults = self.agents[unit_id].faults
        faults.garbage_rate, faults.garbage_kinds = rate, tuple(kinds)

    def set_clock_skew(self, unit_id: str, seconds: float) -> None:
        self.agents[unit_id].faults.clock_skew_s = seconds

    def start_duplicate(self, unit_id: str, *, same_client_id: bool = True) -> UnitAgent:
        """A second client claiming ``unit_id``, driving elsewhere (2-5 km from the base)."""
        if unit_id in self.twins:
            return self.twins[unit_id]
        spec = self.agents[unit_id].spec
        graph = self.map.network(spec.on_water)
        rng = random.Random(f"{self.config.seed}:twin:{unit_id}")
        lat, lon = graph.point(self.map.base_node(spec))
        ring = set(graph.nodes_within(lat, lon, TWIN_MAX_OFFSET_M)) - set(
            graph.nodes_within(lat, lon, TWIN_MIN_OFFSET_M))
        node = rng.choice(sorted(ring)) if ring else rng.randrange(graph.node_count)
        twin_spec = replace(spec, base_lat=graph.point(node)[0], base_lon=graph.point(node)[1])
        twin = self._make_agent(twin_spec, f"twin:{unit_id}", base_node=node,
                                client_id=spec.address if same_client_id
                                else f"{spec.address}-twin")
        self.twins[unit_id] = twin
        self._start_session(twin)
        self._schedule_report(twin, self.clock.now() + rng.uniform(0, self.period_s))
        return twin

    async def stop_duplicate(self, unit_id: str) -> None:
        twin = self.twins.pop(unit_id, None)
        if twin is not None and twin.session is not None:
            await twin.session.stop(announce=False)
            for key, task in list(self._tasks.items()):
                if key.endswith(f":{id(twin)}"):
                    task.cancel()
                    del self._tasks[key]

    def _retire_twin(self, unit_id: str) -> None:
        assert self._tg is not None
        self._tg.create_task(self.stop_duplicate(unit_id))
