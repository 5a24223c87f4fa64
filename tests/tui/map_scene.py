"""A fleet with something on the map for the layout tests and snapshots: four key sites,
Eagle 1 (the first row, so selected) with a reported home away from its base, a goto
target and a mission on board, Eagle 2 circling a point, and the others about the city.
"""

from __future__ import annotations

from fake_service import FakeService, small_config_data

from fleet.config import parse_config
from fleet.model import Position
from fleet.tasking import Tasking

HOME = (26.8960, 112.5930)
TARGET = (26.9060, 112.6120)
OVERWATCH = (26.8850, 112.6020)
MISSION = ((26.9000, 112.5960), (26.9040, 112.6000), (26.9040, 112.6080),
           (26.9000, 112.6120), (26.8970, 112.6040))


def map_service() -> FakeService:
    data = small_config_data()
    data["key_sites"] += [
        {"id": "bubugao", "name": "Bubugao Plaza", "lat": 26.8905, "lon": 112.5990},
        {"id": "huiyan", "name": "Huiyan Peak", "lat": 26.8790, "lon": 112.6080},
        {"id": "station", "name": "Hengyang Railway Station (main hall)", "lat": 26.9030,
         "lon": 112.6220},
    ]
    s = FakeService(config=parse_config(data))
    s.report("air-1", 26.9010, 112.6030, alt_m=155.0, relative_alt_m=60.0, heading_deg=75.0,
             ground_speed_m_s=9.5, battery_pct=72.0, mode="GUIDED", armed=True, ready=True)
    s.update("air-1", home=Position(*HOME, 60.0), mission=MISSION,
             tasking=Tasking("operator", "goto", s.now_wall, TARGET))
    s.report("air-2", 26.8870, 112.6000, relative_alt_m=80.0, battery_pct=64.0,
             mode="GUIDED", armed=True, ready=True)
    s.update("air-2", tasking=Tasking("dispatch", "overwatch", s.now_wall, OVERWATCH,
                                      radius_m=150.0))
    s.report("heli-1", 26.9080, 112.6160, relative_alt_m=300.0, battery_pct=55.0)
    s.report("rp02-pc1", 26.8900, 112.6050, ground_speed_m_s=11.2, battery_pct=64.0)
    s.report("rp02-pc2", 26.8840, 112.5960, ground_speed_m_s=0.0, battery_pct=23.0)
    s.report("boat-pb1", 26.8990, 112.6180, ground_speed_m_s=6.0, battery_pct=80.0)
    return s
