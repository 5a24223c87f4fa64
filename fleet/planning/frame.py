"""The planners' local metric frame (east, north in metres) around a reference point.

It is :class:`fleet.geo.LocalFrame`, fleet's one flat frame (equirectangular, the scale of
:func:`fleet.geo.metres_per_deg`, as the scalar :func:`fleet.geo.offset_m`); this module
keeps the planners' import of it.
"""

from __future__ import annotations

from fleet.geo import LocalFrame

__all__ = ["LocalFrame"]
