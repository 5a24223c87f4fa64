"""Which requirement a replacement must fill: the one the failed unit was filling."""

from __future__ import annotations

from fleet.model import Unit

from .categories import Category, Requirement


def replacement_requirement(category: Category, unit: Unit, label: str) -> Requirement:
    """One unit for the same requirement as ``unit`` (found by its label); for an
    operator's own choice, the category's first requirement that ``unit`` could fill,
    else one unit of the same kind."""
    for req in category.requirements:
        if req.label(category.id) == label:
            return Requirement(1, req.kinds, req.domain, req.role)
    for req in category.requirements:
        if req.allows(unit.kind) and category.role(req) in unit.capabilities.responds_to:
            return Requirement(1, req.kinds, req.domain, req.role)
    role = category.id if category.id in unit.capabilities.responds_to else \
        next(iter(sorted(unit.capabilities.responds_to)), category.id)
    return Requirement(1, frozenset({unit.kind}), None, role)
