"""Patrol planning: coverage, perimeter, corridor and tour patterns, sorties, missions,
response-time coverage and placement, schedule times. See docs/planning.md.

Everything here is pure numpy and data (no I/O, no asyncio) except the modules that
run beside the core and are not imported here: :mod:`.executor` and :mod:`.legs` (run
schedules through the core's port), :mod:`.live` (coverage of the running fleet) and the
``cli*`` modules.
"""

from __future__ import annotations

from fleet.geo import LocalFrame

from .coverage import CoveragePlan, line_spacing, plan_coverage, swath_width
from .demand import Area, Demand, demand_grid, weighted_by_incidents
from .errors import PlanningError, UnreachableError
from .obstacles import Obstacles
from .output import patrol_command, route_from_items, sortie_items, sortie_plan
from .placement import Recommendation, Suggestion, recommend
from .plans import (
    PatrolPlan,
    plan_area_coverage,
    plan_corridor,
    plan_orbit,
    plan_perimeter,
    plan_site_tour,
)
from .response import AreaCoverage, Responders, best_eta, coverage_table, eta_matrix
from .route import Route
from .sorties import Budget, Sortie, next_sortie, plan_sorties
from .tours import Tour, plan_tour

__all__ = [
    "Area", "AreaCoverage", "Budget", "CoveragePlan", "Demand", "LocalFrame", "Obstacles",
    "PatrolPlan", "PlanningError", "Recommendation", "Responders", "Route", "Sortie",
    "Suggestion", "Tour", "UnreachableError", "best_eta", "coverage_table", "demand_grid",
    "eta_matrix", "line_spacing", "next_sortie", "patrol_command", "plan_area_coverage",
    "plan_corridor", "plan_coverage", "plan_orbit", "plan_perimeter", "plan_site_tour",
    "plan_sorties",
    "plan_tour", "recommend", "route_from_items", "sortie_items", "sortie_plan",
    "swath_width", "weighted_by_incidents",
]
