"""One simulated ground vehicle or boat: its true state and what it is doing. Pure, no I/O.

Idle behaviour follows the article: patrol cars, motorcycles and patrol boats drive loops
around their base; command vehicles and command boats wait at their base and only now and
then make a short round. Commands replace the current activity; ``advance_to`` moves the
unit through sim time and reports arrivals so the link can send ``completed``.

A goto is honest about the last metres: the crew drives the roads to the node nearest the
call, then covers the rest straight (``offroad.py``), and completes only at the call point.
A unit standing off the road goes back to that node before it drives anywhere else.
"""

from __future__ import annotations

import enum
import itertools
import random
from dataclasses import dataclass

from .geo import haversine_m
from .graph import Edge, Graph
from .kinds import PROFILES, KindProfile, edge_speed_m_s
from .motion import PathFollower
from .offroad import LatLon, StraightLeg

PATROL_WAYPOINTS = 3
RESUME_PATROL_AFTER_S = 600.0        # a patrol unit back at base rests, then patrols again
FIRST_EXCURSION_AFTER_S = 1800.0     # command vehicles stay parked at least this long
MEAN_EXCURSION_GAP_S = 7200.0
ARRIVED_M = 3.0                      # a goto target this close to its road node: no last leg


class Activity(enum.Enum):
    PARKED = "parked"          # at base, waiting
    PATROL = "patrol"          # idle loops, or a commanded patrol route
    GOTO = "goto"
    RETURN = "return"
    HOLD = "hold"              # stopped where it was told to
    STOPPED = "stopped"        # arrived (goto) or at the end of a one-way patrol


_DRIVING = (Activity.PATROL, Activity.GOTO, Activity.RETURN)


class NoRoute(Exception):
    """The target cannot be reached on this unit's network (roads or river)."""


@dataclass
class Truth:
    """What the unit really is doing; telemetry reports this (faults aside)."""

    lat: float
    lon: float
    alt: float
    speed_m_s: float
    heading_deg: float
    fuel_pct: float
    status: str
    crew: int


@dataclass(frozen=True)
class Arrival:
    command_id: str
    t: float


class SimUnit:
    def __init__(self, unit_id: str, kind: str, graph: Graph, base_node: int,
                 rng: random.Random, *, traffic: float = 1.0, max_snap_m: float = 800.0,
                 t0: float = 0.0) -> None:
        self.id = unit_id
        self.kind = kind
        self.profile: KindProfile = PROFILES[kind]
        self.graph = graph
        self.base_node = base_node
        self.rng = rng
        self.traffic = traffic
        self.max_snap_m = max_snap_m
        self.t = t0
        self.speed_factor = max(0.7, rng.gauss(1.0, self.profile.speed_spread))
        self.odometer_m = 0.0
        self.follower = PathFollower.parked(graph, base_node)
        self.lead_out: StraightLeg | None = None    # from an off-road point back to the road
        self.last_leg: StraightLeg | None = None    # from the road to a goto's target
        self.activity = Activity.PARKED
        self.command_id: str | None = None
        self._cycle: list[int] | None = None      # a commanded patrol loop to repeat
        self._wake_at: float | None = None        # when a parked unit sets off by itself
        lat, lon = graph.point(base_node)
        self.truth = Truth(lat, lon, self.profile.alt_m, 0.0, rng.uniform(0, 360),
                           round(rng.uniform(55.0, 100.0), 1), "available", self.profile.crew)
        if self.profile.parks_when_idle:
            self._park(None)
        else:
            self._start_idle_patrol()
            self.follower.skip(rng.uniform(0, self.follower.remaining_m()))
        self._sync_truth(0.0)

    # -- commands (validated already; may raise NoRoute) ---------------------------

    def goto(self, lat: float, lon: float, command_id: str) -> None:
        self._drive(self._route_to(self._snap(lat, lon)), Activity.GOTO, command_id, "en_route",
                    target=(lat, lon))

    def return_to_base(self, command_id: str) -> None:
        self._drive(self._route_to(self.base_node), Activity.RETURN, command_id, "returning")

    def patrol(self, route: tuple[tuple[float, float], ...], loop: bool,
               command_id: str) -> None:
        stops = [self._snap(lat, lon) for lat, lon in route]
        lead_in = self._route_to(stops[0])
        pairs = list(itertools.pairwise(stops))
        if loop:
            pairs.append((stops[-1], stops[0]))
        cycle = [stops[0]]
        for a, b in pairs:
            cycle += self._route(a, b)[1:]
        self._drive(lead_in + cycle[1:], Activity.PATROL, command_id, "patrolling")
        self._cycle = cycle if loop and len(cycle) > 1 else None

    def hold(self) -> None:
        self.activity = Activity.HOLD
        self.command_id = None
        self._cycle = self._wake_at = None
        self._sync_truth(0.0)

    def set_status(self, status: str) -> None:
        """The centre's status on the crew's terminal. "available" while standing where
        a goto ended means the call is cleared: the crew leaves the scene and goes back
        to its beat (command vehicles drive home and park)."""
        self.truth.status = status
        if status == "available" and self.activity is Activity.STOPPED:
            if self.profile.parks_when_idle:
                self._drive(self._route_to(self.base_node), Activity.RETURN, None, None)
            else:
                self._start_idle_patrol(keep_status=True)

    # -- time ----------------------------------------------------------------------

    def advance_to(self, t: float) -> list[Arrival]:
        """Move through sim time up to ``t``; returns the commands completed on the way."""
        arrivals: list[Arrival] = []
        speed = self.truth.speed_m_s     # a zero-length step keeps the speed it had
        while True:
            if self.activity in _DRIVING and self._plan_done():
                speed = 0.0
                arrival = self._path_ended()
                if arrival is not None:
                    arrivals.append(arrival)
                continue
            if self.t >= t:
                break
            if self._moving():
                used, driven, speed = self._step(t - self.t)
                self.t += used
                self._burn(driven)
            elif self._wake_at is not None and self._wake_at <= t:
                self.t = max(self.t, self._wake_at)
                self._start_idle_patrol(keep_status=self.truth.status != "available")
            else:
                self.t = t
        self._sync_truth(speed)
        return arrivals

    # -- internals -----------------------------------------------------------------

    def position(self) -> LatLon:
        """Where the unit is: on a road, or on a straight leg off it."""
        if self.lead_out is not None and not self.lead_out.done:
            return self.lead_out.position()
        if self.last_leg is not None and self.follower.done:
            return self.last_leg.position()
        return self.follower.position()

    def _off_road(self) -> bool:
        return ((self.lead_out is not None and not self.lead_out.done)
                or (self.last_leg is not None and self.last_leg.along_m > 0))

    def _plan_done(self) -> bool:
        return (self.follower.done and (self.lead_out is None or self.lead_out.done)
                and (self.last_leg is None or self.last_leg.done))

    def _moving(self) -> bool:
        return (self.activity in _DRIVING and not self._plan_done()
                and self.truth.fuel_pct > 0)

    def _step(self, dt: float) -> tuple[float, float, float]:
        """Back to the road, along the roads, then the last leg: (s used, m moved, speed)."""
        if self.lead_out is not None and not self.lead_out.done:
            return self.lead_out.advance(dt)
        if not self.follower.done:
            return self.follower.advance(dt, self._speed_on)
        assert self.last_leg is not None
        return self.last_leg.advance(dt)

    def _heading_deg(self) -> float | None:
        if self.lead_out is not None and not self.lead_out.done:
            return self.lead_out.heading_deg()
        if self.last_leg is not None and self.follower.done:
            return self.last_leg.heading_deg()
        return self.follower.heading_deg()

    def _speed_on(self, edge: Edge) -> float:
        return edge_speed_m_s(self.profile, edge.limit_m_s, edge.congestion, self.traffic,
                              self.speed_factor, patrolling=self.activity is Activity.PATROL,
                              urgent=self.activity is Activity.GOTO)

    def _burn(self, metres: float) -> None:
        self.odometer_m += metres
        self.truth.fuel_pct = max(0.0, self.truth.fuel_pct
                                  - metres / 1000 * self.profile.fuel_pct_per_km)

    def _snap(self, lat: float, lon: float) -> int:
        node, distance = self.graph.nearest_node(lat, lon)
        if distance > self.max_snap_m:
            raise NoRoute("no route to that point")
        return node

    def _route(self, a: int, b: int) -> list[int]:
        path = self.graph.route(a, b)
        if path is None:
            raise NoRoute("no route to that point")
        return path

    def _route_to(self, node: int) -> list[int]:
        return self._route(self.follower.next_node, node)

    def _drive(self, path: list[int], activity: Activity, command_id: str | None,
               status: str | None, target: LatLon | None = None) -> None:
        """Set off along ``path`` (first back to the road if off it), then straight to
        ``target`` if given; ``status`` None keeps what the centre last set."""
        here, off_road = self.position(), self._off_road()
        speed = self.profile.offroad_speed_m_s
        self.follower = self.follower.then(path)
        self.lead_out = StraightLeg(here, self.graph.point(path[0]), speed) if off_road else None
        end = self.graph.point(path[-1])
        self.last_leg = (StraightLeg(end, target, speed)
                         if target is not None and haversine_m(*end, *target) > ARRIVED_M
                         else None)
        self.activity = activity
        self.command_id = command_id
        self._cycle = self._wake_at = None
        if status is not None:
            self.truth.status = status

    def _start_idle_patrol(self, *, keep_status: bool = False) -> None:
        radius = self.profile.patrol_radius_m
        lat, lon = self.graph.point(self.base_node)
        nearby = [n for n in self.graph.nodes_within(lat, lon, radius) if n != self.base_node]
        if len(nearby) < PATROL_WAYPOINTS:
            nearby = [n for n in range(self.graph.node_count) if n != self.base_node]
        stops = [*self.rng.sample(nearby, PATROL_WAYPOINTS), self.base_node]
        path = [self.follower.next_node]
        for stop in stops:
            leg = self.graph.route(path[-1], stop)
            if leg is not None:
                path += leg[1:]
        if len(path) < 2:  # nowhere to go (a one-node map): try again in a minute
            self._park(self.t + 60.0)
            return
        self._drive(path, Activity.PATROL, None, None if keep_status else "patrolling")

    def _path_ended(self) -> Arrival | None:
        """What happens when the current path runs out; an Arrival completes a command."""
        done_id, activity = self.command_id, self.activity
        if activity is Activity.PATROL:
            if self._cycle is not None:
                cycle = self._cycle
                self.follower = PathFollower(self.graph, list(cycle))
                self.lead_out = self.last_leg = None
                self._cycle = cycle
            elif done_id is not None:
                self.activity = Activity.STOPPED
            elif self.profile.parks_when_idle:
                self._park(self.t + self.rng.expovariate(1 / MEAN_EXCURSION_GAP_S),
                           keep_status=True)
            else:
                self._start_idle_patrol(keep_status=True)
            return None
        if activity is Activity.GOTO:
            self.activity = Activity.STOPPED
            self.truth.status = "on_scene"
        elif activity is Activity.RETURN:
            self.truth.fuel_pct = 100.0
            self._park(None if self.profile.parks_when_idle else self.t + RESUME_PATROL_AFTER_S)
        self.command_id = None
        return Arrival(done_id, self.t) if done_id is not None else None

    def _park(self, wake_at: float | None, *, keep_status: bool = False) -> None:
        self.activity = Activity.PARKED
        self.command_id = None
        if not keep_status:
            self.truth.status = "available"
        if wake_at is None and self.profile.parks_when_idle:
            wake_at = self.t + FIRST_EXCURSION_AFTER_S + self.rng.expovariate(
                1 / MEAN_EXCURSION_GAP_S)
        self._wake_at = wake_at

    def _sync_truth(self, speed: float) -> None:
        self.truth.lat, self.truth.lon = self.position()
        self.truth.speed_m_s = speed if self._moving() else 0.0
        heading = self._heading_deg()
        if heading is not None and self.truth.speed_m_s > 0:
            self.truth.heading_deg = heading
