"""Incident categories: what a call needs, in units of which kinds.

A category lists requirements filled in order, each by the nearest eligible units
not already chosen: "a drone for overwatch plus the two nearest ground units" is
``(Requirement(2, domain=LAND), Requirement(1, domain=AIR, role="overwatch"))``.
A unit fills a requirement only if it responds to the requirement's role (by default
the category itself) according to ``Capabilities.responds_to``, so the registry, not
this table, says which crews are trained and equipped for what.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fleet.model import Domain, UnitKind

LAND, AIR, WATER = Domain.LAND, Domain.AIR, Domain.WATER
PRIORITIES = range(1, 6)  # 1 = most urgent


@dataclass(frozen=True, slots=True)
class Requirement:
    """``count`` units, of ``kinds`` (or of ``domain``, or any kind), responding to ``role``.

    ``role`` None means the incident's own category.
    """

    count: int = 1
    kinds: frozenset[UnitKind] | None = None
    domain: Domain | None = None
    role: str | None = None

    def allows(self, kind: UnitKind) -> bool:
        if self.kinds is not None and kind not in self.kinds:
            return False
        return self.domain is None or kind.domain is self.domain

    def label(self, category: str) -> str:
        """Short text for explanations, e.g. ``2 land (violent_crime)``."""
        what = (
            "/".join(sorted(k.value for k in self.kinds)) if self.kinds
            else self.domain.value if self.domain else "any"
        )
        return f"{self.count} {what} ({self.role or category})"


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    name: str
    priority: int  # default priority of calls of this kind, 1..5
    requirements: tuple[Requirement, ...]

    def role(self, req: Requirement) -> str:
        return req.role or self.id


def _cat(cid: str, name: str, priority: int, *reqs: Requirement) -> tuple[str, Category]:
    return cid, Category(cid, name, priority, reqs)


def _r(count: int, domain: Domain | None = None, role: str | None = None,
       kinds: tuple[UnitKind, ...] | None = None) -> Requirement:
    return Requirement(count, frozenset(kinds) if kinds else None, domain, role)


#: Defaults matching ``KIND_DEFAULTS.responds_to``; ``[dispatch.categories.<id>]``
#: in the config replaces one or adds a new one.
DEFAULT_CATEGORIES: Mapping[str, Category] = dict([
    _cat("violent_crime", "Violent crime", 1, _r(2, LAND), _r(1, AIR, "overwatch")),
    _cat("terror", "Terror attack", 1,
         _r(1, LAND, kinds=(UnitKind.COMMAND_VEHICLE,)), _r(2, LAND), _r(1, AIR, "overwatch")),
    _cat("water_rescue", "Water rescue", 1, _r(1, WATER), _r(1, AIR)),
    _cat("crowd", "Crowd / public order", 2, _r(2, LAND), _r(1, AIR)),
    _cat("traffic", "Traffic accident", 2, _r(1, LAND), _r(1, AIR)),
    _cat("search", "Missing person search", 2, _r(1, AIR)),
    _cat("theft", "Theft / robbery report", 3, _r(1, LAND)),
    _cat("overwatch", "Aerial overwatch", 3, _r(1, AIR)),
    _cat("assistance", "Help to the public", 4, _r(1, LAND)),
])
