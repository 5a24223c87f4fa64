"""Topic names of MQTT schema v1 (docs/mqtt.md), built and parsed in one place."""

from __future__ import annotations

from ...model import UnitKind

TELEMETRY = "telemetry"
STATUS = "status"
ACK = "ack"
CMD = "cmd"
STATE = "state"  # the "leaf" parse() gives fleet's own state topic
OWNTRACKS = "owntracks"  # the "leaf" parse() gives an OwnTracks topic
#: the CAD interface's subtree ({prefix}/cad/..., fleet.dispatch.cad_link): its acks
#: match the bridge's ``+/+/ack`` filter, but they are not unit messages
CAD = "cad"

#: topic kind segment -> kind; anything else in that place is an unknown topic
KIND_BY_NAME: dict[str, UnitKind] = {k.value: k for k in UnitKind}


class Topics:
    """The topics under one prefix (``fleet/v1`` by default)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._head = prefix + "/"
        self._head_len = len(self._head)

    def subscriptions(self) -> list[tuple[str, int]]:
        """What the bridge subscribes to, with the QoS the contract gives each."""
        p = self.prefix
        return [
            (f"{p}/+/+/{TELEMETRY}", 0),
            (f"{p}/+/+/{STATUS}", 1),
            (f"{p}/+/+/{ACK}", 1),
            (f"{OWNTRACKS}/+/+", 1),
        ]

    def unit(self, kind: str, address: str, leaf: str) -> str:
        return f"{self.prefix}/{kind}/{address}/{leaf}"

    def state(self, unit_id: str) -> str:
        return f"{self.prefix}/{STATE}/{unit_id}"

    def state_filter(self) -> str:
        return f"{self.prefix}/{STATE}/+"

    def parse(self, topic: str) -> tuple[str, str, str] | None:
        """``(leaf, kind, address)`` of a unit topic, ``("owntracks", "", "user/device")``
        of an OwnTracks one, ``("state", "", unit_id)`` of fleet's state, ``("cad", "",
        rest)`` of the CAD interface's, None for anything else. Kind and leaf are not
        checked here."""
        if topic.startswith(self._head):
            parts = topic[self._head_len:].split("/")
            if parts[0] == CAD:
                return CAD, "", "/".join(parts[1:])
            if len(parts) == 3 and parts[1]:
                return parts[2], parts[0], parts[1]
            if len(parts) == 2 and parts[0] == STATE and parts[1]:
                return STATE, "", parts[1]
            return None
        if topic.startswith("owntracks/"):
            parts = topic.split("/")
            if len(parts) == 3 and parts[1] and parts[2]:
                return OWNTRACKS, "", f"{parts[1]}/{parts[2]}"
        return None
