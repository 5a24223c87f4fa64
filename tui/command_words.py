"""Commands in words for people: ``Go to 26.90500, 112.61000 at 40 m``, ``Patrol 4 points,
loop``; never a Python repr. Pure: the log lines, the confirmation and the detail use it."""

from __future__ import annotations

from fleet.commands import (
    Arm,
    ClearMission,
    Command,
    Disarm,
    DownloadMission,
    Goto,
    Hold,
    Land,
    Orbit,
    Patrol,
    PauseMission,
    ReturnToLaunch,
    SetHome,
    SetMissionCurrent,
    SetMode,
    SetSpeed,
    SetStatus,
    StartMission,
    Takeoff,
    UploadMission,
    command_name,
)
from fleet.missions import MissionType


def point(lat: float, lon: float) -> str:
    """``26.90500, 112.61000``: five decimals, about a metre."""
    return f"{lat:.5f}, {lon:.5f}"


def _metres(value: float) -> str:
    return f"{value:.0f} m"


def _mission_word(kind: MissionType) -> str:
    return {MissionType.FENCE: "fence", MissionType.RALLY: "rally points"}.get(kind, "mission")


def command_text(command: Command) -> str:
    """One short phrase for ``command``, starting with a capital."""
    match command:
        case Arm(force=force):
            return "Force arm" if force else "Arm"
        case Disarm(force=force):
            return "Force disarm" if force else "Disarm"
        case SetMode(mode=mode):
            return f"Mode {mode}"
        case Takeoff(relative_alt_m=alt):
            return f"Take off to {_metres(alt)}"
        case Goto(lat_deg=lat, lon_deg=lon, alt_m=alt):
            return f"Go to {point(lat, lon)}" + (f" at {_metres(alt)}" if alt is not None else "")
        case Orbit(lat_deg=lat, lon_deg=lon, radius_m=radius, alt_m=alt):
            at = f" at {_metres(alt)}" if alt is not None else ""
            return f"Overwatch {point(lat, lon)}, {_metres(radius)} circle{at}"
        case Hold():
            return "Hold position"
        case ReturnToLaunch():
            return "Return to launch"
        case Land():
            return "Land"
        case SetSpeed(speed_m_s=speed):
            return f"Speed {speed:.1f} m/s"
        case SetHome(lat_deg=lat, lon_deg=lon, alt_amsl_m=alt):
            if lat is None or lon is None:
                return "Set home here"
            kept = "its home altitude kept" if alt is None else f"{alt:.0f} m AMSL"
            return f"Set home to {point(lat, lon)}, {kept}"
        case UploadMission(items=items, mission_type=kind):
            return f"Upload {_mission_word(kind)} ({len(items)} items)"
        case DownloadMission(mission_type=kind):
            return f"Download {_mission_word(kind)}"
        case ClearMission(mission_type=kind):
            return f"Clear {_mission_word(kind)}"
        case SetMissionCurrent(index=index):
            return f"Mission item {index}"
        case StartMission():
            return "Start mission"
        case PauseMission():
            return "Pause mission"
        case Patrol(route=route, loop=loop):
            n = len(route)
            return f"Patrol {n} point{'s' if n != 1 else ''}, {'loop' if loop else 'once'}"
        case SetStatus(status=status):
            return f"Status {str(status.value).replace('_', ' ')}"
    return command_name(command).replace("_", " ").capitalize()
