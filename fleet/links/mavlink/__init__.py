"""MAVLink links: drones and helicopters (ArduPilot, PX4) over UDP, TCP or serial."""

from __future__ import annotations

from collections.abc import Callable

from ..settings import LinksConfig
from .link import MavlinkLink
from .router import MavlinkRouter
from .signing import SigningConfig, signing_key


def build_links(config: LinksConfig, monotonic: Callable[[], float]) -> list[MavlinkLink]:
    """One link per configured endpoint, all sharing one router (so a vehicle heard on
    two links is one vehicle)."""
    router = MavlinkRouter(config.mavlink, monotonic)
    links = []
    for priority, lc in enumerate(config.mavlink.links):
        signing = (SigningConfig(signing_key(lc.signing_key), lc.signing_required)
                   if lc.signing_key else None)
        links.append(MavlinkLink(lc, router, config.mavlink, priority=priority,
                                 signing=signing))
    return links


__all__ = ["MavlinkLink", "MavlinkRouter", "build_links"]
