"""Build the links a config asks for.

Each protocol package registers a builder here; a configured link whose protocol has no
builder in this build is reported as unavailable (an alert and a link state), not
silently ignored and not a crash.
"""

from __future__ import annotations

from collections.abc import Callable

from . import mavlink, mqtt
from .base import Link
from .settings import LinksConfig

Builder = Callable[[LinksConfig, Callable[[], float]], list[Link]]

#: protocol name -> builder(config, monotonic clock) returning that protocol's links
BUILDERS: dict[str, Builder] = {  # type: ignore[dict-item]
    "mavlink": mavlink.build_links,
    "mqtt": mqtt.build_links,
}


def build_links(
    config: LinksConfig, monotonic: Callable[[], float]
) -> tuple[list[Link], list[tuple[str, str]]]:
    """The links to run, and (name, reason) for each configured link we cannot run."""
    links: list[Link] = []
    unavailable: list[tuple[str, str]] = []
    wanted = {
        "mavlink": [f"mavlink:{lc.name}" for lc in config.mavlink.links],
        "mqtt": ["mqtt"] if config.mqtt is not None else [],
    }
    for protocol, names in wanted.items():
        if not names:
            continue
        builder = BUILDERS.get(protocol)
        if builder is None:
            unavailable += [(n, f"no {protocol} driver in this build") for n in names]
        else:
            links += builder(config, monotonic)
    return links, unavailable
