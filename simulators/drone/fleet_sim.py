"""Many simulated drones in one asyncio loop with one physics tick for all of them.

    async with DroneFleetSim(FleetConfig(count=3, tcp_base=0, boot=FAST_BOOT)) as sim:
        port = sim.instances[0].port
        ...

With a ``ManualClock`` nothing moves until ``await sim.advance(seconds)``: tests step sim time
deterministically while real sockets carry the bytes. With a ``ScaledClock`` (the default, at
``config.speedup``) a single tick task drives every instance.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

from .clock import Clock, ManualClock, ScaledClock
from .config import FleetConfig
from .endpoint import Endpoint
from .faults import FaultConfig, FaultInjector, LinkFaults
from .kinds import make_vehicle
from .transport import TcpServerTransport, UdpOutTransport
from .vehicle_base import VehicleBase

log = logging.getLogger(__name__)
MIN_WALL_TICK_S = 0.005
MAX_STEP_S = 0.25      # sim seconds per physics step; longer ticks are split


@dataclass
class _Scheduled:
    at: float
    action: str
    value: float | None = None


class DroneInstance:
    """One vehicle with its link; the fault-injection controls live here."""

    def __init__(self, index: int, vehicle: VehicleBase, endpoint: Endpoint,
                 transport: TcpServerTransport | UdpOutTransport | None,
                 faults: FaultConfig) -> None:
        self.index = index
        self.vehicle = vehicle
        self.endpoint = endpoint
        self.transport = transport
        self.link_faults: LinkFaults = endpoint.injector.faults
        self.failed = False
        self._schedule: list[_Scheduled] = []
        if faults.link_drop_at_s is not None:
            self._schedule.append(_Scheduled(faults.link_drop_at_s, "drop", faults.link_drop_for_s))
        if faults.gps_loss_at_s is not None:
            self._schedule.append(_Scheduled(faults.gps_loss_at_s, "gps_loss"))
            if faults.gps_loss_for_s is not None:
                self._schedule.append(_Scheduled(faults.gps_loss_at_s + faults.gps_loss_for_s,
                                                 "gps_back"))
        if faults.battery_drop_at_s is not None:
            self._schedule.append(_Scheduled(faults.battery_drop_at_s, "battery",
                                             faults.battery_drop_pct))

    @property
    def sysid(self) -> int:
        return self.vehicle.sysid

    @property
    def port(self) -> int:
        """The bound TCP port, or the local UDP port the instance sends from."""
        if isinstance(self.transport, TcpServerTransport):
            return self.transport.port
        if isinstance(self.transport, UdpOutTransport):
            return self.transport.local_port
        raise RuntimeError("instance has no transport")

    @property
    def description(self) -> str:
        return self.transport.description if self.transport else "no link"

    # -- fault injection (run time) --------------------------------------------

    def drop_link(self, seconds: float) -> None:
        now = self.endpoint.now
        self.link_faults.down_until = now + seconds

    def lose_gps(self) -> None:
        self.vehicle.lose_gps()

    def restore_gps(self) -> None:
        self.vehicle.restore_gps()

    def battery_fault(self, pct_of_remaining: float) -> None:
        self.vehicle.battery.drop(pct_of_remaining)

    def ignore_command(self, command: int, ignore: bool = True) -> None:
        (self.link_faults.ignore_commands.add if ignore
         else self.link_faults.ignore_commands.discard)(command)

    def claim_sysid(self, sysid: int) -> None:
        """Sysid collision: this instance starts speaking as ``sysid`` (at once, no reboot)."""
        self.vehicle.sysid = sysid
        self.endpoint.mav.srcSystem = sysid

    def _run_schedule(self, now: float) -> None:
        while self._schedule and (due := min(self._schedule, key=lambda s: s.at)).at <= now:
            self._schedule.remove(due)
            if due.action == "drop":
                self.link_faults.down_until = due.at + (due.value or 0.0)
            elif due.action == "gps_loss":
                self.lose_gps()
            elif due.action == "gps_back":
                self.restore_gps()
            elif due.action == "battery":
                self.battery_fault(due.value or 0.0)


class DroneFleetSim:
    def __init__(self, config: FleetConfig, clock: Clock | None = None) -> None:
        self.config = config
        self.clock: Clock = clock or ScaledClock(config.speedup)
        self.instances: list[DroneInstance] = []
        self._last = 0.0
        self._stack = contextlib.AsyncExitStack()
        self._stop = asyncio.Event()
        self.ticks = 0
        for i in range(config.count):
            fc = config.faults_for(i)
            vehicle = make_vehicle(config.vehicle_config(i))
            injector = FaultInjector(LinkFaults.from_config(fc), seed=config.seed * 7919 + i)
            ep = Endpoint(vehicle, injector, self.clock.now, signing_key=config.signing_key,
                          allow_unsigned=config.allow_unsigned)
            spec = config.endpoint(i)
            transport: TcpServerTransport | UdpOutTransport | None = None
            if spec is not None and spec[0] == "tcp":
                transport = TcpServerTransport(ep, spec[1], spec[2])
            elif spec is not None:
                transport = UdpOutTransport(ep, spec[1], spec[2])
            self.instances.append(DroneInstance(i, vehicle, ep, transport, fc))

    @property
    def now(self) -> float:
        return self.clock.now()

    async def __aenter__(self) -> DroneFleetSim:
        await self._stack.__aenter__()
        try:
            for inst in self.instances:
                if inst.transport is not None:
                    await inst.transport.start()
                    self._stack.push_async_callback(inst.transport.close)
            self._last = self.clock.now()
            if isinstance(self.clock, ScaledClock):
                tg = await self._stack.enter_async_context(asyncio.TaskGroup())
                self._stack.callback(self._stop.set)
                tg.create_task(self._tick_loop())
        except BaseException:
            await self._stack.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._stop.set()
        await self._stack.__aexit__(None, None, None)

    def stop(self) -> None:
        self._stop.set()

    async def wait_stopped(self) -> None:
        await self._stop.wait()

    # ------------------------------------------------------------------ ticking

    def step_to(self, now: float) -> None:
        """Advance every instance to sim time ``now`` (split into steps of <= MAX_STEP_S)."""
        total = now - self._last
        if total <= 0:
            return
        steps = max(1, int(total / MAX_STEP_S + 0.999999))
        dt = total / steps
        for k in range(steps):
            t = self._last + dt * (k + 1)
            for inst in self.instances:
                if inst.failed:
                    continue
                try:
                    inst._run_schedule(t)
                    inst.vehicle.update(dt)
                except Exception:   # a broken vehicle stops alone; the fleet flies on
                    log.exception("instance %d failed; it stops updating", inst.index)
                    inst.failed = True
        for inst in self.instances:
            try:
                inst.endpoint.tick(now)
            except Exception:     # one broken instance must not stop the others
                log.exception("instance %d failed its tick", inst.index)
        self._last = now
        self.ticks += 1

    async def _tick_loop(self) -> None:
        clock = self.clock
        assert isinstance(clock, ScaledClock)
        period = max(1.0 / self.config.physics_hz, clock.speedup * MIN_WALL_TICK_S)
        next_t = clock.now() + period
        while not self._stop.is_set():
            await clock.sleep_until(next_t)
            now = clock.now()
            self.step_to(now)
            next_t += period
            if next_t < now:               # we fell behind: take a longer step next time
                next_t = now + period

    async def advance(self, seconds: float, step: float | None = None) -> None:
        """Move sim time on by ``seconds``: stepped (ManualClock) or waited for (ScaledClock)."""
        if isinstance(self.clock, ManualClock):
            dt = step or 1.0 / self.config.physics_hz
            end = self.clock.now() + seconds
            while self.clock.now() < end - 1e-9:
                self.clock.advance(min(dt, end - self.clock.now()))
                self.step_to(self.clock.now())
                await asyncio.sleep(0)     # let sockets carry what this tick produced
            return
        end = self.clock.now() + seconds
        await self.clock.sleep_until(end)  # type: ignore[attr-defined]
