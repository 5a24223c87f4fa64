"""fleet: command and control for a city police force's mixed patrol fleet.

The public entry point is :func:`connect`::

    import fleet

    async with fleet.connect("hengyang.toml") as f:
        drone = await f.wait_for_unit("air-1", timeout=30)
        await drone.action.arm()
        async for p in drone.telemetry.position():
            ...

Every error fleet raises on purpose is a :class:`fleet.errors.FleetError`.
"""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import FleetConfig
    from .service import FleetService

try:
    __version__ = version("fleet")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+src"


def connect(config: FleetConfig | str | os.PathLike[str], **options: object) -> FleetService:
    """A :class:`FleetService` for ``config`` (a FleetConfig or a TOML path), to be used
    as ``async with``. Options go to FleetService (e.g. extra ``links``)."""
    from .config import FleetConfig, load_config
    from .service import FleetService

    if not isinstance(config, FleetConfig):
        config = load_config(config)
    return FleetService(config, **options)  # type: ignore[arg-type]


__all__ = ["__version__", "connect"]
