"""Missions, .plan files and ground patrol routes made from plans."""

import numpy as np
import pytest
from pymavlink.dialects.v20 import ardupilotmega as m

from fleet.commands import Patrol
from fleet.missions import MissionValidationError, read_plan, write_plan
from fleet.planning import (
    Budget,
    patrol_command,
    plan_area_coverage,
    plan_corridor,
    plan_orbit,
    plan_perimeter,
    plan_site_tour,
    route_from_items,
    sortie_items,
    sortie_plan,
)

BASE = (26.8930, 112.5880)
AREA = [(26.900, 112.585), (26.900, 112.592), (26.895, 112.592), (26.895, 112.585)]
SITES = [(26.8950, 112.5780), (26.8900, 112.5970), (26.8928, 112.6071)]


def test_a_sortie_is_takeoff_speed_route_and_return():
    plan = plan_site_tour(SITES, speed_m_s=12.0, loiter_s=30.0, start=BASE)
    sortie = plan.sorties(BASE, Budget(35 * 60))[0][0]
    items = sortie_items(sortie, plan.frame, alt_m=50)
    commands = [i.command for i in items]
    assert commands[:2] == [m.MAV_CMD_NAV_TAKEOFF, m.MAV_CMD_DO_CHANGE_SPEED]
    assert commands[-1] == m.MAV_CMD_NAV_RETURN_TO_LAUNCH
    loiters = [i for i in items if i.command == m.MAV_CMD_NAV_LOITER_TIME]
    assert [i.param1 for i in loiters] == [30.0, 30.0, 30.0]
    assert items[1].param2 == 12.0 and all(i.alt_m == 50 for i in loiters)


def test_plan_files_round_trip(tmp_path):
    plan = plan_area_coverage(AREA, spacing_m=60, speed_m_s=10.0, start=BASE)
    sortie = plan.sorties(BASE, Budget(35 * 60))[0][0]
    path = tmp_path / "patrol.plan"
    write_plan(sortie_plan(sortie, plan.frame, alt_m=60, home_alt_amsl_m=95), path)
    back = read_plan(path)
    assert back.home is not None and back.home.lat_deg == pytest.approx(BASE[0])
    points, holds, alt = route_from_items(back.mission)
    assert alt == 60 and not holds.any()
    want = plan.frame.to_latlon(np.vstack([sortie.outbound, sortie.route.points,
                                           sortie.inbound]))
    assert np.allclose(points, want, atol=1e-7)


def test_too_many_items_for_the_autopilot_are_refused_before_upload():
    plan = plan_area_coverage(AREA, spacing_m=1.5, speed_m_s=12.0, start=BASE)
    sortie = plan.sorties(BASE, Budget(2000 * 60))[0][0]  # one very long sortie: 740 lines
    with pytest.raises(MissionValidationError, match="more than the 700 allowed"):
        sortie_items(sortie, plan.frame, alt_m=60)


def test_ground_and_water_units_get_looping_patrol_routes():
    around = patrol_command(plan_perimeter(AREA, offset_m=40, speed_m_s=8.0))
    assert isinstance(around, Patrol) and around.loop and len(around.route) == 4
    orbit = patrol_command(plan_orbit(SITES[0], radius_m=300, speed_m_s=8.0))
    assert len(orbit.route) >= 8 and orbit.route[0] != orbit.route[-1]
    river = [(26.880, 112.605), (26.890, 112.612), (26.905, 112.618)]
    along = patrol_command(plan_corridor(river, offset_m=60, speed_m_s=6.0))
    assert along.loop and len(along.route) == 6  # out on one bank, back on the other
