"""The vehicle side of the MAVLink mission protocol for mission, fence and rally, ArduPilot-style.

Quirks kept on purpose: items are requested with the old MISSION_REQUEST even from a GCS that
sends MISSION_ITEM_INT; seq 0 of the mission always reads back as home; mission and rally
uploads are not atomic (MISSION_COUNT truncates, items land as they arrive) while a fence is
stored at the end; a missing item is re-requested every second and the upload is cancelled
(MISSION_ACK OPERATION_CANCELLED) after 8 s of silence; a mission can't be cleared in AUTO.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from . import mission_items as m
from .fence import FenceGeometry

if TYPE_CHECKING:
    from .endpoint import Endpoint

RETRY_S = 1.0
UPLOAD_TIMEOUT_S = 8.0


@dataclass
class Upload:
    src: tuple[int, int]
    count: int
    next_seq: int = 0
    last_rx: float = 0.0
    last_request: float = 0.0
    staged: list[m.Item] = field(default_factory=list)   # fence: stored only when complete


class MissionServer:
    def __init__(self, ep: Endpoint) -> None:
        self.ep = ep
        self.uploads: dict[int, Upload] = {}

    @property
    def v(self):
        return self.ep.v

    def _ack(self, src: tuple[int, int], result: int, mission_type: int) -> None:
        self.ep.send(self.ep.mav.mission_ack_encode(src[0], src[1], result, mission_type))

    def _request(self, up: Upload, mission_type: int, now: float) -> None:
        up.last_request = now
        self.ep.send(self.ep.mav.mission_request_encode(up.src[0], up.src[1], up.next_seq,
                                                         mission_type))

    def _store(self, mission_type: int) -> list[m.Item]:
        return self.v.stores[mission_type]

    # ------------------------------------------------------------------ upload

    def handle_count(self, msg: Any, now: float) -> None:
        mtype, src = msg.mission_type, (msg.get_srcSystem(), msg.get_srcComponent())
        if mtype not in m.MISSION_TYPES:
            self._ack(src, m.UNSUPPORTED, mtype)
            return
        current = self.uploads.get(mtype)
        if current is not None and current.src != src:
            self._ack(src, m.DENIED, mtype)        # someone else is uploading
            return
        if msg.count > m.MAX_ITEMS[mtype]:
            self.uploads.pop(mtype, None)
            self._ack(src, m.NO_SPACE, mtype)
            return
        if mtype != m.FENCE:
            del self._store(mtype)[msg.count:]     # truncate now: uploads are not atomic
            self._changed(mtype)
        if msg.count == 0:
            self.uploads.pop(mtype, None)
            self._complete(mtype, Upload(src, 0), now)
            return
        up = Upload(src, msg.count, last_rx=now)
        self.uploads[mtype] = up
        self._request(up, mtype, now)

    def handle_item(self, msg: Any, now: float) -> None:
        """MISSION_ITEM_INT or MISSION_ITEM (float), whichever the GCS sends."""
        mtype, src = msg.mission_type, (msg.get_srcSystem(), msg.get_srcComponent())
        if mtype == m.MISSION and msg.current in (2, 3):
            self._guided_item(msg, src)
            return
        if mtype not in m.MISSION_TYPES:
            self._ack(src, m.UNSUPPORTED, mtype)
            return
        up = self.uploads.get(mtype)
        if up is None:
            self._ack(src, m.ERROR, mtype)          # no upload in progress (GCS_Common)
            return
        if msg.seq != up.next_seq:
            self._ack(src, m.INVALID_SEQUENCE, mtype)
            return
        if src != up.src:
            self._ack(src, m.DENIED, mtype)
            return
        result, item = m.normalise(m.Item.from_message(msg), up.count)
        if result != m.ACCEPTED or item is None:
            self.uploads.pop(mtype, None)
            self._ack(src, result, mtype)
            return
        if mtype == m.FENCE:
            up.staged.append(item)
        else:
            store = self._store(mtype)
            if item.seq < len(store):
                store[item.seq] = item
            else:
                store.append(item)
            self._changed(mtype)
        up.last_rx = now
        up.next_seq += 1
        if up.next_seq >= up.count:
            del self.uploads[mtype]
            self._complete(mtype, up, now)
        else:
            self._request(up, mtype, now)

    def _guided_item(self, msg: Any, src: tuple[int, int]) -> None:
        """current=2: a GUIDED destination (MAVProxy's ``guided``); current=3: altitude only."""
        item = m.Item.from_message(msg)
        v = self.v
        result = m.ERROR
        if v.in_guided_mode and v.origin_set:
            frame = "rel" if item.relative_alt else "abs"
            if msg.current == 2 and (item.x or item.y):
                n, e = v.local_from_global(item.x * 1e-7, item.y * 1e-7)
                if v.guided_goto(n, e, v.up_from_alt(item.z, frame)):
                    result = m.ACCEPTED
            elif msg.current == 3:
                target = v.nav.target or (v.body.north, v.body.east)
                v.guided_goto(*target, v.up_from_alt(item.z, frame))
                result = m.ACCEPTED
        elif msg.current == 3:
            result = m.ACCEPTED                     # ArduPilot accepts alt changes in any mode
        self._ack(src, result, m.MISSION)

    def _complete(self, mtype: int, up: Upload, now: float) -> None:
        result = m.ACCEPTED
        if mtype == m.FENCE:
            if not m.validate_fence(up.staged):
                result = m.ERROR
            else:
                self.v.stores[m.FENCE] = list(up.staged)
                h = self.v.cfg.home
                self.v.fence_geometry = FenceGeometry.from_items(up.staged, h.lat, h.lon)
        elif mtype == m.RALLY:
            self.v.params.force("RALLY_TOTAL", len(self._store(m.RALLY)))
        self._ack(up.src, result, mtype)

    def _changed(self, mtype: int) -> None:
        if mtype == m.MISSION:
            self.v.outbox.mission_changed = True

    def update(self, now: float) -> None:
        """ArduPilot's MissionItemProtocol::update: re-request after 1 s, give up after 8 s."""
        for mtype, up in list(self.uploads.items()):
            if now - up.last_rx > UPLOAD_TIMEOUT_S:
                del self.uploads[mtype]
                self._ack(up.src, m.OPERATION_CANCELLED, mtype)
            elif now - up.last_request > RETRY_S:
                self._request(up, mtype, now)

    # ------------------------------------------------------------------ download

    def count_of(self, mtype: int) -> int:
        return len(self._store(mtype))

    def handle_request_list(self, msg: Any) -> None:
        mtype, src = msg.mission_type, (msg.get_srcSystem(), msg.get_srcComponent())
        if mtype not in m.MISSION_TYPES:
            self._ack(src, m.UNSUPPORTED, mtype)
            return
        self.ep.send(self.ep.mav.mission_count_encode(src[0], src[1], self.count_of(mtype), mtype))

    def item_for(self, mtype: int, seq: int) -> m.Item | None:
        store = self._store(mtype)
        if mtype == m.MISSION and seq == 0:
            lat, lon, alt = self.v.home or (0.0, 0.0, 0.0)
            return m.Item(0, m.GLOBAL, m.NAV_WAYPOINT, x=int(lat * 1e7), y=int(lon * 1e7),
                          z=m.f32(alt))
        return store[seq] if 0 <= seq < len(store) else None

    def handle_request(self, msg: Any) -> None:
        """MISSION_REQUEST_INT -> MISSION_ITEM_INT; MISSION_REQUEST -> MISSION_ITEM (as AP)."""
        mtype, src = msg.mission_type, (msg.get_srcSystem(), msg.get_srcComponent())
        if mtype not in m.MISSION_TYPES:
            self._ack(src, m.UNSUPPORTED, mtype)
            return
        item = self.item_for(mtype, msg.seq)
        if item is None or (mtype == m.MISSION and msg.seq >= max(1, self.count_of(mtype))):
            self._ack(src, m.INVALID_SEQUENCE, mtype)
            return
        mav = self.ep.mav
        current = int(mtype == m.MISSION and msg.seq == self.v.runner.current and msg.seq > 0)
        if msg.get_type() == "MISSION_REQUEST_INT":
            out = mav.mission_item_int_encode(
                src[0], src[1], msg.seq, item.frame, item.command, current, item.autocontinue,
                item.param1, item.param2, item.param3, item.param4, item.x, item.y, item.z, mtype)
        else:
            out = mav.mission_item_encode(
                src[0], src[1], msg.seq, item.frame, item.command, current, item.autocontinue,
                item.param1, item.param2, item.param3, item.param4, item.x * 1e-7,
                item.y * 1e-7, item.z, mtype)
        self.ep.send(out)

    # ------------------------------------------------------------------ the rest

    def handle_clear_all(self, msg: Any) -> None:
        mtype, src = msg.mission_type, (msg.get_srcSystem(), msg.get_srcComponent())
        types = m.MISSION_TYPES if mtype == 255 else (mtype,)
        if any(t not in m.MISSION_TYPES for t in types):
            self._ack(src, m.UNSUPPORTED, mtype)
            return
        v = self.v
        if m.MISSION in types and v.in_auto and v.runner.running:
            self._ack(src, m.ERROR, mtype)         # AP_Mission::clear() refuses while running
            return
        for t in types:
            self.uploads.pop(t, None)
            v.stores[t] = []
            if t == m.FENCE:
                v.fence_geometry = FenceGeometry()
            elif t == m.RALLY:
                v.params.force("RALLY_TOTAL", 0)
            else:
                v.runner.reset()
        self._ack(src, m.ACCEPTED, mtype)

    def handle_set_current(self, msg: Any) -> None:
        if self.v.runner.set_current(msg.seq):
            self.ep.send(self.ep.mav.mission_current_encode(
                msg.seq, max(0, self.count_of(m.MISSION) - 1), self.v.runner.state(),
                int(self.v.in_auto)))
