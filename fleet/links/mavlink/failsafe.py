"""What an ArduPilot vehicle does when fleet goes away, set before it first arms.

ArduPilot's GCS failsafe watches the heartbeat of its ground station (MAV_GCS_SYSID, 255
by default, which is fleet's own sysid) and acts when it has been silent for
FS_GCS_TIMEOUT seconds (5 by default), but only once that GCS has been heard, and only
while armed. It is off by default (FS_GCS_ENABLE 0): an aircraft in GUIDED whose ground
station dies would hover on its last target until its battery failsafe. fleet therefore
sets it before the first arm, as ``[mavlink] gcs_failsafe`` says:

===========  ==========================  ===========================================
setting      ArduCopter FS_GCS_ENABLE    ArduRover FS_GCS_ENABLE=1 and FS_ACTION
===========  ==========================  ===========================================
rtl          1 RTL                       1 RTL
smart_rtl    3 SmartRTL, else RTL        3 SmartRTL, else RTL
land         5 Land                      2 Hold (a boat cannot land)
brake_land   7 Brake, else Land          2 Hold
vehicle      left to the vehicle; fleet neither reads nor writes it
===========  ==========================  ===========================================
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import CommandError, CommandRejectedError
from .modes import is_rover
from .params import ParamClient
from .vehicle import Vehicle

_COPTER = {"rtl": 1, "smart_rtl": 3, "land": 5, "brake_land": 7}
_ROVER_ACTION = {"rtl": 1, "smart_rtl": 3, "land": 2, "brake_land": 2}
_COPTER_WORDS = {0: "nothing (failsafe off)", 1: "RTL", 2: "RTL", 3: "SmartRTL or RTL",
                 4: "SmartRTL or land", 5: "land", 6: "DO_LAND_START or RTL",
                 7: "brake or land"}
_ROVER_WORDS = {0: "nothing", 1: "RTL", 2: "hold", 3: "SmartRTL or RTL",
                4: "SmartRTL or hold", 5: "terminate", 6: "loiter or hold"}


@dataclass(slots=True)
class GcsFailsafe:
    """One vehicle's GCS failsafe: made as configured once, then remembered."""

    setting: str = "rtl"
    confirmed: bool = False
    #: what the vehicle will do, e.g. "RTL after 5 s without fleet" (None until read)
    expected: str | None = None

    async def ensure(self, vehicle: Vehicle, params: ParamClient) -> None:
        """Set the failsafe and read back what it will do; raises CommandRejectedError
        when that cannot be confirmed, so an aircraft never launches without it."""
        if self.confirmed or not vehicle.is_ardupilot or self.setting == "vehicle":
            return
        try:
            if is_rover(vehicle.mav_type):
                await self._rover(params)
            else:
                await self._copter(params)
            timeout = await params.get("FS_GCS_TIMEOUT")
        except CommandError as exc:
            raise CommandRejectedError(
                vehicle.unit_id, "arm", "refused",
                f"could not set the GCS failsafe ({exc.reason}); set [mavlink] gcs_failsafe "
                "= \"vehicle\" to fly with the vehicle's own setting") from None
        self.expected = f"{self.expected} after {timeout:g} s without fleet"
        self.confirmed = True

    async def _copter(self, params: ParamClient) -> None:
        await params.set("FS_GCS_ENABLE", _COPTER[self.setting])
        value = int(await params.get("FS_GCS_ENABLE"))
        self.expected = _COPTER_WORDS.get(value, "RTL")

    async def _rover(self, params: ParamClient) -> None:
        await params.set("FS_GCS_ENABLE", 1)
        await params.set("FS_ACTION", _ROVER_ACTION[self.setting])
        enabled = int(await params.get("FS_GCS_ENABLE"))
        action = int(await params.get("FS_ACTION"))
        self.expected = _ROVER_WORDS.get(action, "hold") if enabled else "nothing (failsafe off)"
