"""The vehicle's MAVLink side on one link: codec, inbound dispatch table, streams, faults.

pymavlink is the codec only: ``MAVLink(file=self)`` writes packed frames into ``write()``, which
passes them through the fault injector into a per-tick batch that one ``transport.send()``
carries (one datagram or TCP write per tick, not per message).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from pymavlink.dialects.v20 import ardupilotmega as mavlink2

from . import commands, telemetry
from .faults import FaultInjector
from .kinds import kind_of
from .mission_protocol import MissionServer
from .streams import Streams
from .vehicle_base import VehicleBase

log = logging.getLogger(__name__)
M = mavlink2
MAX_DATAGRAM = 1200           # bytes per datagram/write when a tick's batch is large
PARAMS_PER_TICK = 100
STATUSTEXT_LEN = 50
SIGNING_EPOCH = 1420070400    # 1 Jan 2015, the MAVLink 2 signing timestamp origin
_UNSIGNED_OK = {M.MAVLINK_MSG_ID_RADIO_STATUS, M.MAVLINK_MSG_ID_RADIO}


class Transport(Protocol):
    def send(self, data: bytes) -> None: ...


class Endpoint:
    def __init__(self, vehicle: VehicleBase, injector: FaultInjector, now: Callable[[], float], *,
                 signing_key: bytes | None = None, allow_unsigned: bool = False,
                 epoch: float | None = None) -> None:
        self.v = vehicle
        self.kind = kind_of(vehicle)      # the firmware's command table and message decoding
        self.injector = injector
        self._clock = now
        self.now = now()
        self.epoch = time.time() if epoch is None else epoch   # UTC at sim time 0
        self.mav = M.MAVLink(self, srcSystem=vehicle.sysid, srcComponent=1)
        self.mav.robust_parsing = True
        if signing_key is not None:
            s = self.mav.signing
            s.secret_key = signing_key
            s.sign_outgoing = True
            s.timestamp = int((time.time() - SIGNING_EPOCH) * 1e5)
            s.allow_unsigned_callback = (lambda mav, msgid: allow_unsigned
                                         or msgid in _UNSIGNED_OK)
        self.transport: Transport | None = None
        self.streams = Streams(vehicle.params)
        self.missions = MissionServer(self)
        self.last_fix = (0.0, 0.0)
        self.reboot_pending = False
        self._text_id = 0
        self._frames: list[bytes] = []
        self._queued: set[int] = set()
        self._param_queue: deque[int] = deque()
        self.received = 0
        self.bad_data = 0
        self.handlers: dict[str, Callable[[Any], None]] = {
            "HEARTBEAT": self._on_heartbeat,
            "COMMAND_LONG": self._on_command,
            "COMMAND_INT": self._on_command,
            "SET_MODE": self._on_set_mode,
            "SET_POSITION_TARGET_GLOBAL_INT": lambda msg: self.kind.position_target_global(
                self.v, msg),
            "SET_POSITION_TARGET_LOCAL_NED": lambda msg: self.kind.position_target_local(
                self.v, msg),
            "MISSION_COUNT": lambda msg: self.missions.handle_count(msg, self.now),
            "MISSION_ITEM_INT": lambda msg: self.missions.handle_item(msg, self.now),
            "MISSION_ITEM": lambda msg: self.missions.handle_item(msg, self.now),
            "MISSION_REQUEST_LIST": self.missions.handle_request_list,
            "MISSION_REQUEST_INT": self.missions.handle_request,
            "MISSION_REQUEST": self.missions.handle_request,
            "MISSION_CLEAR_ALL": self.missions.handle_clear_all,
            "MISSION_SET_CURRENT": self.missions.handle_set_current,
            "PARAM_REQUEST_LIST": self._on_param_request_list,
            "PARAM_REQUEST_READ": self._on_param_request_read,
            "PARAM_SET": self._on_param_set,
            "REQUEST_DATA_STREAM": self._on_request_data_stream,
            "RC_CHANNELS_OVERRIDE": self._on_rc_override,
            "MANUAL_CONTROL": self._on_manual_control,
            "TIMESYNC": self._on_timesync,
        }

    # ------------------------------------------------------------------ outbound

    def write(self, buf: bytes) -> None:
        """pymavlink's file interface: every packed frame passes the fault injector."""
        self.injector.outgoing(bytes(buf), self.now, self._frames)

    def send(self, msg: Any) -> None:
        self.mav.send(msg)

    def flush(self) -> None:
        if not self._frames:
            return
        frames, self._frames = self._frames, []
        if self.transport is None:
            return
        batch: list[bytes] = []
        size = 0
        for f in frames:
            if size + len(f) > MAX_DATAGRAM and batch:
                self.transport.send(b"".join(batch))
                batch, size = [], 0
            batch.append(f)
            size += len(f)
        self.transport.send(b"".join(batch))

    def queue_message(self, msgid: int) -> bool:
        """MAV_CMD_REQUEST_MESSAGE: sent after the ACK, at the next tick (as ArduPilot queues)."""
        if msgid not in telemetry.BUILDERS:
            return False
        self._queued.add(msgid)
        return True

    def _emit(self, msgid: int) -> None:
        msg = telemetry.BUILDERS[msgid](self)
        if msg is not None:
            self.mav.send(msg)

    def _statustext(self, severity: int, text: bytes) -> None:
        """GCS::send_textv: over 50 bytes, 50-byte chunks sharing an id, chunk_seq 0, 1, ..."""
        if len(text) <= STATUSTEXT_LEN:
            self.mav.send(self.mav.statustext_encode(severity, text))
            return
        self._text_id = self._text_id % 0xFFFF + 1
        for seq in range(len(text) // STATUSTEXT_LEN + 1):   # ends with a short chunk
            chunk = text[seq * STATUSTEXT_LEN:(seq + 1) * STATUSTEXT_LEN]
            self.mav.send(self.mav.statustext_encode(severity, chunk, self._text_id, seq))

    def _drain_vehicle(self) -> None:
        out = self.v.outbox
        for severity, text in out.texts:
            self._statustext(severity, text.encode())
        out.texts.clear()
        if out.reached:     # GCS_MAVLINK keeps one pending index: the last one is sent
            self.mav.send(self.mav.mission_item_reached_encode(out.reached[-1]))
            out.reached.clear()
        if out.mission_changed:
            out.mission_changed = False
            self._emit(M.MAVLINK_MSG_ID_MISSION_CURRENT)
        if out.home_changed:
            out.home_changed = False
            self._emit(M.MAVLINK_MSG_ID_HOME_POSITION)
            self._emit(M.MAVLINK_MSG_ID_GPS_GLOBAL_ORIGIN)

    # ------------------------------------------------------------------ inbound

    def feed(self, data: bytes) -> None:
        """Bytes from the transport: parse, pass the incoming faults, dispatch, answer at once."""
        self.now = self._clock()
        try:
            msgs = self.mav.parse_buffer(data) or ()
        except Exception:  # robust_parsing makes this rare; a sim must never die of input
            log.debug("unparseable input", exc_info=True)
            self.bad_data += 1
            return
        for msg in msgs:
            if msg.get_type() == "BAD_DATA":
                self.bad_data += 1
                continue
            for ready in self.injector.incoming(msg, self.now):
                self.dispatch(ready)
        self._drain_vehicle()
        self.flush()

    def dispatch(self, msg: Any) -> None:
        self.received += 1
        target = getattr(msg, "target_system", None)
        if target is not None and target not in (0, self.v.sysid):
            return
        if getattr(msg, "target_component", 0) not in (0, 1):
            return
        handler = self.handlers.get(msg.get_type())
        if handler is None:
            return
        try:
            handler(msg)
        except Exception:
            log.exception("handler for %s failed", msg.get_type())

    def _on_heartbeat(self, msg: Any) -> None:
        if msg.type == M.MAV_TYPE_GCS:
            self.v.gcs_heartbeat()

    def _on_command(self, msg: Any) -> None:
        cmd = commands.Command.from_message(msg)
        if cmd.command in self.injector.faults.ignore_commands:
            return                                  # fault: no execution, no ACK
        result = commands.execute(self, cmd)
        self.mav.send(self.mav.command_ack_encode(cmd.command, result, 0, 0, *cmd.src))

    def _on_set_mode(self, msg: Any) -> None:
        result = commands.set_mode_common(self, msg.base_mode, msg.custom_mode)
        # ArduPilot acks SET_MODE with the message id in the command field
        self.mav.send(self.mav.command_ack_encode(M.MAVLINK_MSG_ID_SET_MODE, result, 0, 0,
                                                  msg.get_srcSystem(), msg.get_srcComponent()))

    def _on_rc_override(self, msg: Any) -> None:
        pwm = msg.chan3_raw
        if pwm == 0 or pwm == 65535:                # 0 releases, UINT16_MAX ignores
            if pwm == 0:
                self.v.set_rc_throttle(0)
            return
        self.v.set_rc_throttle(pwm)

    def _on_manual_control(self, msg: Any) -> None:
        if msg.z >= 0:
            self.v.set_rc_throttle(1000 + int(msg.z))

    def _on_timesync(self, msg: Any) -> None:
        if msg.tc1 == 0:
            self.mav.send(self.mav.timesync_encode(int(self.now * 1e9), msg.ts1))

    def _on_request_data_stream(self, msg: Any) -> None:
        if msg.start_stop not in (0, 1):
            return
        self.streams.request_data_stream(msg.req_stream_id, msg.req_message_rate,
                                         msg.start_stop == 1)

    # ------------------------------------------------------------------ parameters

    def _param_value(self, index: int) -> Any:
        spec = self.v.params.by_index(index)
        assert spec is not None
        return self.mav.param_value_encode(spec.name.encode(), self.v.params[spec.name],
                                           spec.type, len(self.v.params), index)

    def _on_param_request_list(self, msg: Any) -> None:
        self._param_queue = deque(range(len(self.v.params)))

    def _on_param_request_read(self, msg: Any) -> None:
        params = self.v.params
        if msg.param_index >= 0:
            if params.by_index(msg.param_index) is None:
                self.v.text(4, f"Unknown parameter index {msg.param_index}")
                return
            self.mav.send(self._param_value(msg.param_index))
            return
        name = _param_name(msg.param_id)
        if name not in params:
            self.v.text(4, f"Unknown parameter {name}")
            return
        self.mav.send(self._param_value(params.index_of(name)))

    def _on_param_set(self, msg: Any) -> None:
        params = self.v.params
        name = _param_name(msg.param_id)
        if params.spec(name) is None:
            return                                  # unknown: ArduPilot stays silent
        if params.set(name, msg.param_value):
            if name.startswith("SR0_"):
                self.streams.changed()
            elif name == "BATT_CAPACITY":
                self.v.battery.capacity_mah = params[name]
        self.mav.send(self._param_value(params.index_of(name)))   # new or unchanged value

    # ------------------------------------------------------------------ the tick

    def tick(self, now: float) -> None:
        self.now = now
        self.mav.srcSystem = self.v.sysid
        for msg in self.injector.due_in(now):
            self.dispatch(msg)
        self.missions.update(now)
        for _ in range(min(PARAMS_PER_TICK, len(self._param_queue))):
            self.mav.send(self._param_value(self._param_queue.popleft()))
        self._drain_vehicle()
        if self._queued:
            for msgid in sorted(self._queued):
                self._emit(msgid)
            self._queued.clear()
        builders = telemetry.BUILDERS
        for msgid, copies in self.streams.due(now):
            msg = builders[msgid](self)
            if msg is None:
                continue
            for _ in range(copies):
                self.mav.send(msg)
        self.injector.due_out(now, self._frames)
        self.flush()
        if self.reboot_pending:
            self.reboot_pending = False
            self.v.reboot()
            self.streams = Streams(self.v.params)
            self.mav.seq = 0


def _param_name(raw: Any) -> str:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    return str(raw).rstrip("\0")
