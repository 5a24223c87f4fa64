"""A desk mid-shift for the incident tests and snapshots: a second land group, and
incidents in every state the desk must show (built synchronously, at fixed times).

At 16:00:00 (the fake clock):

* INC-270115-001 traffic downtown, 4:10 ago: RP02 Car 2 on scene after 2:05 (met).
* INC-270115-002 theft downtown, 3:20 ago, nobody sent: late (red).
* INC-270115-003 violent crime at Wanda Plaza, 0:50 ago (amber): RP03 Car 1 en route,
  Eagle 1 acknowledged, RP03 Moto 1 failed with a proposed replacement.
"""

from __future__ import annotations

from fake_desk import FakeDesk, with_desk
from fake_service import WALL, FakeService, small_config_data

from fleet.config import parse_config
from fleet.dispatch.incident import EventKind

WANDA = (26.8950, 112.5780)
TRAFFIC = (26.8880, 112.6000)
THEFT = (26.8760, 112.6090)


def desk_config():
    data = small_config_data()
    data["bases"].append({"id": "rp03", "name": "Zhengxiang post", "lat": 26.8990,
                          "lon": 112.5850})
    data["groups"].append({"id": "rp03", "name": "Rapid police 3", "domain": "land",
                           "base": "rp03", "complement": {"patrol_car": 2, "motorcycle": 1}})
    return parse_config(data)


def placed_fleet() -> tuple[FakeService, FakeDesk]:
    """Every unit heard, free, at a known place; the desk attached."""
    s = FakeService(config=desk_config())
    desk = with_desk(s)
    s.report("air-1", 26.8930, 112.5880, relative_alt_m=0.0, battery_pct=92.0, armed=False,
             mode="LOITER", ready=True)
    s.report("air-2", 26.8930, 112.5882, relative_alt_m=0.0, battery_pct=88.0, armed=False,
             mode="LOITER", ready=True)
    s.report("heli-1", 26.9120, 112.6200, relative_alt_m=0.0, battery_pct=75.0)
    s.report("boat-pb1", 26.8990, 112.6180, battery_pct=80.0)
    s.report("rp02-pc1", 26.8900, 112.5970, battery_pct=64.0)
    s.report("rp02-pc2", 26.8870, 112.6010, battery_pct=58.0)
    s.report("rp02-mc1", 26.8850, 112.6100, battery_pct=71.0)
    s.report("rp03-pc1", 26.8925, 112.5835, battery_pct=77.0, ground_speed_m_s=9.0)
    s.report("rp03-pc2", 26.9010, 112.5900, battery_pct=69.0)
    s.report("rp03-mc1", 26.8985, 112.5860, battery_pct=81.0)
    return s, desk


def at(s: FakeService, seconds_before: float) -> None:
    s.now_wall = WALL - seconds_before


def desk_scene() -> tuple[FakeService, FakeDesk]:
    s, desk = placed_fleet()
    at(s, 250)
    a = desk.call(*TRAFFIC, "traffic", notes="two cars, one driver hurt", ref="110-0412")
    at(s, 245)
    desk.send(a.id, ["rp02-pc2", "air-2"])
    at(s, 240)
    desk.step(a.id, "rp02-pc2", EventKind.EN_ROUTE)
    desk.step(a.id, "air-2", EventKind.ACKNOWLEDGED)
    at(s, 200)
    desk.step(a.id, "air-2", EventKind.EN_ROUTE)
    at(s, 125)
    desk.step(a.id, "rp02-pc2", EventKind.ON_SCENE, by="position", distance_m=18.0)
    at(s, 110)
    desk.step(a.id, "air-2", EventKind.ON_SCENE, by="position", distance_m=35.0)
    at(s, 200)
    desk.call(*THEFT, "theft", notes="phone snatched, suspect on foot")
    at(s, 50)
    c = desk.call(*WANDA, "violent_crime", notes="knife, ground floor", ref="110-0420")
    at(s, 45)
    desk.send(c.id, ["rp03-pc1", "rp03-mc1", "air-1"])
    at(s, 40)
    desk.step(c.id, "rp03-pc1", EventKind.EN_ROUTE)
    desk.step(c.id, "air-1", EventKind.ACKNOWLEDGED)
    at(s, 20)
    desk.fail(c.id, "rp03-mc1", "no acknowledgement after 3 tries")
    at(s, 0)
    s.report("rp03-pc1", 26.8935, 112.5815, battery_pct=77.0, ground_speed_m_s=9.0)
    return s, desk
