"""Which telemetry goes out when: ArduPilot's stream groups, SRn_ rates and message intervals.

Before any request only HEARTBEAT (1 Hz) goes out, plus what ArduPilot sends unasked: replies,
STATUSTEXT, HOME_POSITION/GPS_GLOBAL_ORIGIN when home is set, MISSION_CURRENT on change.
"""

from __future__ import annotations

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from .params import ParamStore

M = mavlink2

# MAV_DATA_STREAM id -> (SR0_ parameter, message ids) as in GCS_Common.cpp's stream tables
GROUPS: dict[int, tuple[str, tuple[int, ...]]] = {
    M.MAV_DATA_STREAM_RAW_SENSORS: ("SR0_RAW_SENS", ()),
    M.MAV_DATA_STREAM_EXTENDED_STATUS: ("SR0_EXT_STAT", (
        M.MAVLINK_MSG_ID_SYS_STATUS, M.MAVLINK_MSG_ID_MISSION_CURRENT,
        M.MAVLINK_MSG_ID_GPS_RAW_INT, M.MAVLINK_MSG_ID_NAV_CONTROLLER_OUTPUT,
        M.MAVLINK_MSG_ID_FENCE_STATUS)),
    M.MAV_DATA_STREAM_RC_CHANNELS: ("SR0_RC_CHAN", (M.MAVLINK_MSG_ID_RC_CHANNELS,)),
    M.MAV_DATA_STREAM_RAW_CONTROLLER: ("SR0_RAW_CTRL", ()),
    M.MAV_DATA_STREAM_POSITION: ("SR0_POSITION", (
        M.MAVLINK_MSG_ID_GLOBAL_POSITION_INT, M.MAVLINK_MSG_ID_LOCAL_POSITION_NED)),
    M.MAV_DATA_STREAM_EXTRA1: ("SR0_EXTRA1", (M.MAVLINK_MSG_ID_ATTITUDE,)),
    M.MAV_DATA_STREAM_EXTRA2: ("SR0_EXTRA2", (M.MAVLINK_MSG_ID_VFR_HUD,)),
    M.MAV_DATA_STREAM_EXTRA3: ("SR0_EXTRA3", (
        M.MAVLINK_MSG_ID_SYSTEM_TIME, M.MAVLINK_MSG_ID_BATTERY_STATUS,
        M.MAVLINK_MSG_ID_EKF_STATUS_REPORT)),
}
GROUP_OF: dict[int, str] = {mid: sr for sr, mids in GROUPS.values() for mid in mids}
MAX_RATE_HZ = 50.0
MAX_BURST = 3       # at most this many copies of one message in one tick


class Streams:
    def __init__(self, params: ParamStore) -> None:
        self.params = params
        self.override: dict[int, float] = {}    # msgid -> interval s (< 0: disabled)
        self._next: dict[int, float] = {}
        self._schedule: dict[int, float] | None = None

    def interval(self, msgid: int) -> float | None:
        """Seconds between sends, None if not sent."""
        if msgid in self.override:
            iv = self.override[msgid]
            return None if iv < 0 else iv
        if msgid == M.MAVLINK_MSG_ID_HEARTBEAT:
            return 1.0
        sr = GROUP_OF.get(msgid)
        if sr is None:
            return None
        hz = min(MAX_RATE_HZ, self.params[sr])
        return 1.0 / hz if hz > 0 else None

    def changed(self) -> None:
        self._schedule = None

    def request_data_stream(self, stream_id: int, rate_hz: int, start: bool) -> None:
        """REQUEST_DATA_STREAM: sets SR0_ like ArduPilot (ALL leaves SR0_PARAMS alone)."""
        hz = float(rate_hz) if start else 0.0
        if stream_id == M.MAV_DATA_STREAM_ALL:
            names = [sr for sr, _ in GROUPS.values()]
        elif stream_id in GROUPS:
            names = [GROUPS[stream_id][0]]
        else:
            return
        for sr in names:
            self.params.force(sr, max(0.0, min(MAX_RATE_HZ, hz)))
        self.changed()

    def set_interval(self, msgid: int, interval_us: float) -> bool:
        """MAV_CMD_SET_MESSAGE_INTERVAL: -1 disables, 0 restores the default."""
        if msgid not in GROUP_OF and msgid != M.MAVLINK_MSG_ID_HEARTBEAT and msgid not in _EXTRA:
            return False
        if interval_us == 0:
            self.override.pop(msgid, None)
        elif interval_us < 0:
            self.override[msgid] = -1.0
        else:
            self.override[msgid] = max(interval_us / 1e6, 1.0 / MAX_RATE_HZ)
        self.changed()
        return True

    def due(self, now: float) -> list[tuple[int, int]]:
        """(msgid, copies) whose time has come; copies > 1 when a tick is longer than the period."""
        if self._schedule is None:
            ids = {M.MAVLINK_MSG_ID_HEARTBEAT, *GROUP_OF, *self.override}
            self._schedule = {mid: iv for mid in ids if (iv := self.interval(mid)) is not None}
            self._next = {mid: self._next.get(mid, now) for mid in self._schedule}
        out = []
        nxt = self._next
        for mid, iv in self._schedule.items():
            t = nxt[mid]
            if t > now:
                continue
            n = int((now - t) / iv) + 1
            nxt[mid] = t + n * iv if now - t < 2.0 else now + iv
            out.append((mid, min(n, MAX_BURST)))
        return out


# messages that are not in a stream group but can be given an interval
_EXTRA = {M.MAVLINK_MSG_ID_HOME_POSITION, M.MAVLINK_MSG_ID_EXTENDED_SYS_STATE,
          M.MAVLINK_MSG_ID_GPS_GLOBAL_ORIGIN, M.MAVLINK_MSG_ID_AUTOPILOT_VERSION}
