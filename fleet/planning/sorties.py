"""Cut a job into sorties that each fit one battery (or fuel load), with a reserve.

A sortie flies base → job from τ0 → job to τ1 → base. Its time is
``overhead + (out + back(τ1)) / v + (τ1 - τ0)``; the distance home changes no faster
than the unit moves along the route (it is 1-Lipschitz), so that time never decreases
as τ1 grows: the longest feasible sortie is found by locating the first route knot that
does not fit, then narrowing inside that leg with two rounds of 64 vectorised samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import PlanningError, UnreachableError
from .obstacles import Obstacles
from .route import Route

#: default share of endurance kept in reserve (landing, wind, a go-around)
DEFAULT_RESERVE = 0.25
#: default time per sortie for take-off, climb, descent and landing
DEFAULT_OVERHEAD_S = 90.0
_SAMPLES = 64


@dataclass(frozen=True, slots=True)
class Budget:
    """How long one sortie may last, from the unit's endurance."""

    endurance_s: float
    reserve: float = DEFAULT_RESERVE
    overhead_s: float = DEFAULT_OVERHEAD_S

    def __post_init__(self) -> None:
        if not 0 <= self.reserve < 1:
            raise PlanningError(f"reserve: expected 0 <= reserve < 1, got {self.reserve:g}")
        if self.usable_s <= 0:
            raise PlanningError(f"endurance {self.endurance_s / 60:g} min leaves no flight time "
                                f"after a {self.reserve:.0%} reserve and {self.overhead_s:g} s "
                                f"take-off and landing")

    @property
    def usable_s(self) -> float:
        """Time for transit and work: endurance less reserve less take-off and landing."""
        return self.endurance_s * (1.0 - self.reserve) - self.overhead_s


@dataclass(frozen=True, slots=True)
class Sortie:
    """One flight from base and back. Points are local metres."""

    base: np.ndarray
    route: Route  # the part of the job flown, with its loiters
    outbound: np.ndarray  # (K, 2) detour corners from base to the route, ends excluded
    inbound: np.ndarray  # (K, 2) detour corners from the route back to base
    start_s: float  # τ in the job where this sortie takes over
    end_s: float  # τ in the job where it hands over (or the job ends)
    flight_s: float  # estimated time from take-off to landing

    def path(self) -> np.ndarray:
        """Everything flown, base to base, as one polyline."""
        return np.vstack([self.base, self.outbound, self.route.points, self.inbound, self.base])


def _home_distance(points: np.ndarray, base: np.ndarray, obstacles: Obstacles | None
                   ) -> np.ndarray:
    if obstacles:
        return obstacles.distances(points, base[None])[:, 0]
    return np.hypot(*(points - base).T)


def next_sortie(job: Route, base: np.ndarray, budget: Budget, *, start_s: float = 0.0,
                obstacles: Obstacles | None = None) -> Sortie:
    """The longest sortie that takes over the job at τ = ``start_s``."""
    base = np.asarray(base, dtype=float).reshape(2)
    v = job.speed_m_s
    usable = budget.usable_s
    first = job.position(start_s)
    out = float(_home_distance(first, base, obstacles)[0])

    def time_at(tau: np.ndarray) -> np.ndarray:
        back = _home_distance(job.position(tau), base, obstacles)
        return (out + back) / v + (tau - start_s)

    if not np.isfinite(out) or time_at(np.array([start_s]))[0] > usable:
        err = UnreachableError(
            f"point ({first[0, 0]:.0f}, {first[0, 1]:.0f}) m is {out:.0f} m from base: the "
            f"round trip takes longer than the {usable / 60:.1f} min a sortie allows "
            f"({budget.endurance_s / 60:g} min endurance, {budget.reserve:.0%} reserve)")
        err.point_xy = first[0]  # type: ignore[attr-defined]
        raise err
    knots = job.knots()
    knots = knots[knots > start_s]
    end = job.duration_s
    if len(knots):
        fits = time_at(knots) <= usable
        if not fits.all():
            bad = int(np.argmin(fits))
            lo = float(knots[bad - 1]) if bad > 0 else start_s
            end = _narrow(time_at, lo, float(knots[bad]), usable)
    if end - start_s < 1e-3 and end < job.duration_s:
        raise UnreachableError(f"no progress possible from τ={start_s:.0f} s: the route "
                               f"there is at the limit of the sortie budget")
    part = job.slice(start_s, end)
    last = part.points[-1]
    outbound = obstacles.path(base, part.points[0])[1:-1] if obstacles else np.empty((0, 2))
    inbound = obstacles.path(last, base)[1:-1] if obstacles else np.empty((0, 2))
    flight = budget.overhead_s + float(time_at(np.array([end]))[0])
    return Sortie(base, part, outbound, inbound, start_s, end, flight)


def _narrow(time_at, lo: float, hi: float, usable: float) -> float:  # type: ignore[no-untyped-def]
    """The last τ in [lo, hi] whose sortie time fits, to (hi - lo) / 64² precision."""
    for _ in range(2):
        taus = np.linspace(lo, hi, _SAMPLES + 1)
        fits = time_at(taus) <= usable
        k = int(np.argmin(fits)) if not fits.all() else len(taus)
        lo, hi = float(taus[max(k - 1, 0)]), float(taus[min(k, len(taus) - 1)])
    return lo


def plan_sorties(job: Route, base: np.ndarray, budget: Budget, *, start_s: float = 0.0,
                 obstacles: Obstacles | None = None, max_sorties: int = 200) -> list[Sortie]:
    """Sorties covering the job from ``start_s`` to its end, each within the budget."""
    sorties: list[Sortie] = []
    tau = start_s
    while tau < job.duration_s - 1e-6 or not sorties:
        if len(sorties) >= max_sorties:
            raise PlanningError(f"the job needs more than {max_sorties} sorties; split it "
                                f"among more units or shorten it")
        sortie = next_sortie(job, base, budget, start_s=tau, obstacles=obstacles)
        sorties.append(sortie)
        tau = sortie.end_s
    return sorties
