"""Missions, geofences and rally points as pure data: build, validate, encode, file.

No I/O besides reading and writing the files a caller names, and no asyncio: the MAVLink
mission protocol (``fleet/links/mavlink/``) and the patrol planner both build on this.
See ``docs/missions.md`` for the rules and the formats.
"""

from __future__ import annotations

from fleet.missions.errors import MissionFileError, MissionValidationError
from fleet.missions.items import (
    Mission,
    MissionItem,
    MissionType,
    Plan,
    SpeedType,
    change_speed,
    delay,
    fence_circle,
    fence_polygon,
    fence_return_point,
    home_item,
    jump,
    land,
    loiter_time,
    loiter_turns,
    loiter_unlimited,
    rally_point,
    return_to_launch,
    set_roi,
    takeoff,
    waypoint,
)
from fleet.missions.qgc_plan import (
    dumps_plan,
    loads_plan,
    plan_from_json,
    plan_to_json,
    read_plan,
    write_plan,
)
from fleet.missions.validate import DEFAULT_MAX_ITEMS, validate
from fleet.missions.waypoints import (
    dumps_waypoints,
    loads_waypoints,
    read_waypoints,
    write_waypoints,
)
from fleet.missions.wire import (
    ardupilot_seq_offset,
    for_ardupilot_upload,
    from_ardupilot_download,
    from_wire,
    quantize,
    same_on_wire,
    to_wire,
)

__all__ = [
    "DEFAULT_MAX_ITEMS",
    "Mission",
    "MissionFileError",
    "MissionItem",
    "MissionType",
    "MissionValidationError",
    "Plan",
    "SpeedType",
    "ardupilot_seq_offset",
    "change_speed",
    "delay",
    "dumps_plan",
    "dumps_waypoints",
    "fence_circle",
    "fence_polygon",
    "fence_return_point",
    "for_ardupilot_upload",
    "from_ardupilot_download",
    "from_wire",
    "home_item",
    "jump",
    "land",
    "loads_plan",
    "loads_waypoints",
    "loiter_time",
    "loiter_turns",
    "loiter_unlimited",
    "plan_from_json",
    "plan_to_json",
    "quantize",
    "rally_point",
    "read_plan",
    "read_waypoints",
    "return_to_launch",
    "same_on_wire",
    "set_roi",
    "takeoff",
    "to_wire",
    "validate",
    "waypoint",
    "write_plan",
    "write_waypoints",
]
