"""Where idle units should wait: a maximal covering location problem, solved greedily.

Candidate sites are demand cells (thinned to a budget), key sites and the idle units'
own positions (staying is an option, and wins ties). Units with the same speed and
launch time are interchangeable, so the greedy works per unit *type*: each step places
the (type, site) that reaches the most still-unreached demand weight within target,
and keeps every other gain exact by subtracting what that pick newly reaches. A swap
pass then tries moving each placed unit to one of its site's nearest candidates. Greedy
is within 1 - 1/e of optimal for this problem; the swap pass recovers part of the rest.
Units of each type are then matched to their type's sites, nearest pairs first; moves
are ordered by what each adds given the ones before it, and a move is suggested only if
it adds something and is worth a drive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fleet.commands import Goto

from .demand import Demand
from .response import Responders, best_eta, squared_distances, unit_types

MAX_CANDIDATES = 1000
SWAP_NEIGHBOURS = 12
MIN_MOVE_M = 150.0
_STAY_BONUS = 1e-6


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Send ``unit_id`` to wait at (lat, lon). ``gain``: demand weight reached in time
    that was not before, net of what the unit stops reaching where it stands, given the
    suggestions listed before it."""

    unit_id: str
    lat_deg: float
    lon_deg: float
    distance_m: float
    gain: float
    share: float  # gain as a share of all demand weight

    def command(self) -> Goto:
        """What accepting the suggestion sends."""
        return Goto(self.lat_deg, self.lon_deg)


@dataclass(frozen=True, slots=True)
class Recommendation:
    suggestions: tuple[Suggestion, ...]  # largest gain first
    before: float  # share of all demand weight reached within target now
    after: float  # ... with every suggestion accepted


def _candidates(demand: Demand, idle: Responders, budget: int) -> tuple[np.ndarray, int]:
    """Candidate sites: the idle units' own positions first, every key site, then demand
    cells thinned to the budget."""
    is_site = np.array([a.kind == "site" for a in demand.areas])[demand.area]
    cells = demand.xy[~is_site]
    room = max(budget - len(idle) - int(is_site.sum()), 1)
    stride = max(1, -(-len(cells) // room))
    return np.vstack([idle.xy, demand.xy[is_site], cells[::stride]]), len(idle)


def _reach(d2: np.ndarray, demand: Demand, kind: np.ndarray) -> np.ndarray:
    """(C, M) bool: where a unit of this type waiting at site c reaches point m in time."""
    spm = kind[0] + demand.road_factor * kind[1]
    reach = np.where(demand.target_s >= kind[2], (demand.target_s - kind[2]) / spm, -1.0)
    limit = np.where(reach >= 0, reach * reach, -1.0).astype(np.float32)
    return d2 <= limit[None, :]


def _radius(demand: Demand, kind: np.ndarray) -> float:
    """The farthest a unit of this type reaches in time, over every demand point (+1 m
    for float32 rounding)."""
    spm = kind[0] + demand.road_factor * kind[1]
    return float(np.max((demand.target_s - kind[2]) / spm, initial=0.0)) + 1.0


def _u8(mask: np.ndarray) -> np.ndarray:
    """A bool array as bytes: numpy multiplies uint8 by float32 ~5x faster than bool."""
    return mask.view(np.uint8)


def _greedy(reach: list[np.ndarray], radius: np.ndarray, sites: np.ndarray,
            stock: np.ndarray, weight: np.ndarray, reached: np.ndarray, stays: int
            ) -> list[tuple[int, int, float]]:
    """Place one unit at a time where it reaches the most unreached weight. Every gain is
    kept exact: a pick subtracts, from every (type, site) that can reach any of the cells
    it newly reaches (sites within the two reach radii), the weight of those cells."""
    unreached = np.where(reached, 0.0, weight).astype(np.float32)
    gains = np.stack([_u8(r) @ unreached for r in reach])  # (types, sites)
    gains[:, :stays] += _STAY_BONUS
    least = _STAY_BONUS + 1e-3 * float(weight[weight > 0].min(initial=1.0))
    open_cells = ~reached
    chosen: list[tuple[int, int, float]] = []
    while stock.any():
        flat = int(np.argmax(gains))
        t, c = divmod(flat, gains.shape[1])
        gain = float(gains[t, c])
        if gain <= least:
            break
        chosen.append((t, c, gain))
        stock[t] -= 1
        if stock[t] == 0:
            gains[t] = -np.inf
        newly = np.flatnonzero(open_cells & reach[t][c])
        if len(newly):
            w = unreached[newly]
            apart = np.hypot(*(sites - sites[c]).T)
            for k, r in enumerate(reach):
                if stock[k]:
                    rows = np.flatnonzero(apart <= radius[t] + radius[k])
                    gains[k, rows] -= _u8(r[np.ix_(rows, newly)]) @ w
            open_cells[newly] = False
    return chosen


def _swap(by_site: list[np.ndarray], chosen: list[tuple[int, int, float]],
          sites: np.ndarray, weight: np.ndarray, fixed: np.ndarray
          ) -> list[tuple[int, int, float]]:
    """Move each placed unit to a nearby candidate if that reaches more weight."""
    count = np.where(fixed, 1_000_000, 0)  # fixed coverage never lapses
    for t, c, _ in chosen:
        count += by_site[t][c]
    out = list(chosen)
    for k, (t, c, gain) in enumerate(out):
        without = count - by_site[t][c]
        lost = np.where(without == 0, weight, 0.0).astype(np.float32)
        loss = float(_u8(by_site[t][c]) @ lost)
        d = np.hypot(*(sites - sites[c]).T)
        near = np.argpartition(d, min(SWAP_NEIGHBOURS, len(d) - 1))[:SWAP_NEIGHBOURS + 1]
        gains = _u8(by_site[t][near]) @ lost
        best = int(np.argmax(gains))
        if gains[best] > loss + 1e-6:
            c = int(near[best])
            out[k] = (t, c, gain + float(gains[best]) - loss)
        count = without + by_site[t][c]
    return out


def recommend(demand: Demand, fixed: Responders, idle: Responders, *,
              max_candidates: int = MAX_CANDIDATES, min_move_m: float = MIN_MOVE_M,
              max_moves: int | None = None) -> Recommendation:
    """Waiting places for ``idle`` units given ``fixed`` ones (which stay where they are)."""
    weight = demand.weight.astype(np.float32)
    total = float(weight.sum()) or 1.0
    fixed_ok = best_eta(demand, fixed) <= demand.target_s
    now_ok = fixed_ok | (best_eta(demand, idle) <= demand.target_s)
    before = float(weight @ now_ok) / total
    if len(idle) == 0:
        return Recommendation((), before, before)
    type_of, kinds = unit_types(idle)
    sites, stays = _candidates(demand, idle, max_candidates)
    d2 = squared_distances(sites, demand.xy)
    reach = [_reach(d2, demand, kind) for kind in kinds]  # per type, (sites, cells)
    radius = np.array([_radius(demand, kind) for kind in kinds])
    stock = np.bincount(type_of, minlength=len(kinds))
    chosen = _greedy(reach, radius, sites, stock, weight, fixed_ok, stays)
    chosen = _swap(reach, chosen, sites, weight, fixed_ok)
    moves = _order(_match(idle, type_of, chosen, sites, min_move_m), reach, type_of,
                   weight, fixed_ok, max_moves)
    moved = idle.xy.copy()
    for unit, site, _ in moves:
        moved[unit] = sites[site]
    after_units = Responders(idle.ids, moved, idle.inv_speed_air, idle.inv_speed_ground,
                             idle.launch_s)
    after = float(weight @ (fixed_ok | (best_eta(demand, after_units) <= demand.target_s))) / total
    if after <= before + 1e-9:
        return Recommendation((), before, before)
    latlon = demand.frame.to_latlon(sites)
    return Recommendation(tuple(
        Suggestion(idle.ids[u], float(latlon[s, 0]), float(latlon[s, 1]),
                   float(np.hypot(*(sites[s] - idle.xy[u]))), float(g), float(g) / total)
        for u, s, g in moves), before, after)


def _match(idle: Responders, type_of: np.ndarray, chosen: list[tuple[int, int, float]],
           sites: np.ndarray, min_move_m: float) -> list[tuple[int, int]]:
    """(unit, site) moves: per type, nearest unit-site pairs first."""
    moves = []
    for t in np.unique(type_of):
        units = np.flatnonzero(type_of == t)
        spots = np.array([c for tt, c, _ in chosen if tt == t], dtype=int)
        if len(spots) == 0:
            continue
        d = np.hypot(*(idle.xy[units][:, None, :] - sites[spots][None, :, :]).transpose(2, 0, 1))
        free_u = np.ones(len(units), dtype=bool)
        free_s = np.ones(len(spots), dtype=bool)
        left = min(len(units), len(spots))
        for flat in np.argsort(d, axis=None):
            i, j = divmod(int(flat), len(spots))
            if left == 0:
                break
            if free_u[i] and free_s[j]:
                free_u[i] = free_s[j] = False
                left -= 1
                if d[i, j] > min_move_m:
                    moves.append((int(units[i]), int(spots[j])))
    return moves


def _order(moves: list[tuple[int, int]], by_site: list[np.ndarray], type_of: np.ndarray,
           weight: np.ndarray, fixed: np.ndarray, max_moves: int | None
           ) -> list[tuple[int, int, float]]:
    """Moves best first by what each adds given the ones before it (leaving a spot can
    uncover what only that unit reached); a move that adds nothing is dropped."""
    if not moves:
        return []
    count = np.where(fixed, 1_000_000, 0)
    for u, t in enumerate(type_of):
        count += by_site[t][u]  # candidate u is idle unit u where it stands
    leave = np.stack([by_site[type_of[u]][u] for u, _ in moves])
    arrive = np.stack([by_site[type_of[u]][c] for u, c in moves])

    def net_on(cells: np.ndarray) -> np.ndarray:
        """Each move's net gain counted over ``cells`` only, at the current counts."""
        bare = (count[cells][None, :] - leave[:, cells]) == 0
        w = weight[cells]
        return (bare & arrive[:, cells]) @ w - (bare & leave[:, cells]) @ w

    net = net_on(np.arange(len(weight)))
    done = np.zeros(len(moves), dtype=bool)
    out: list[tuple[int, int, float]] = []
    while max_moves is None or len(out) < max_moves:
        best = int(np.argmax(np.where(done, -np.inf, net)))
        if done[best] or net[best] <= 1e-6:
            break
        done[best] = True
        out.append((*moves[best], float(net[best])))
        touched = np.flatnonzero(arrive[best] | leave[best])  # only these counts change
        before = net_on(touched)
        count[touched] += arrive[best][touched].astype(int) - leave[best][touched]
        net += net_on(touched) - before
    return out
