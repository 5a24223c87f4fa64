"""fleet.geo, the one geodesy: the distance kernel against a plain haversine, the flat
frame (scalar and arrays) as one frame, and the modules that used to keep their own."""

import math
import re
from pathlib import Path

import numpy as np
import pytest
from factories import make_unit, tel
from hypothesis import given, settings
from hypothesis import strategies as st
from test_layering import IO_MODULES, imported_modules, top_level

from fleet import geo
from fleet.columns import Columns
from fleet.state import FleetState

ROOT = Path(__file__).resolve().parents[2]
lat_ = st.floats(-80, 80)
lon_ = st.floats(-179, 179)


def plain_haversine_m(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def arcs(points, target):
    xyz = np.array([geo.unit_vector(*p) if p is not None else (np.nan,) * 3 for p in points])
    out, chord = np.empty(len(points)), np.empty(len(points))
    geo.arc_m(xyz[:, 0], xyz[:, 1], xyz[:, 2], *target, out=out, chord=chord)
    return out, chord


def test_one_radius():
    assert geo.EARTH_RADIUS_M == 6_371_008.8
    assert abs(geo.METRES_PER_DEG - 111_195.08) < 0.01
    assert geo.haversine_m(26.89, 112.57, 26.90, 112.57) == pytest.approx(1111.95, rel=1e-4)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(lat_, lon_), min_size=1, max_size=30), st.tuples(lat_, lon_))
def test_the_kernel_is_the_great_circle_near_and_far(points, target):
    got, chord = arcs(points, target)
    for d, c, p in zip(got, chord, points, strict=True):
        want = plain_haversine_m(*target, *p)
        assert d == pytest.approx(want, rel=1e-7, abs=1.0)  # 1 m: near antipodes
        assert geo.chord_to_metres(c) == pytest.approx(want, rel=1e-7, abs=1.0)


@given(st.lists(st.tuples(st.floats(-0.1, 0.1), st.floats(-0.1, 0.1)), min_size=1,
                max_size=30))
def test_the_kernel_at_city_scale_is_the_haversine_to_a_millimetre(offsets):
    target = (26.89, 112.57)
    points = [(target[0] + a, target[1] + b) for a, b in offsets]
    got, _ = arcs(points, target)
    assert got == pytest.approx([geo.haversine_m(*target, *p) for p in points], abs=1e-3)


def test_unplaced_rows_stay_nan_and_a_far_row_still_gets_its_arcsine():
    target = (26.89, 112.57)
    got, chord = arcs([None, (26.90, 112.57), (-26.89, -67.43), None], target)
    assert np.isnan(got[0]) and np.isnan(got[3]) and np.isnan(chord[0])
    assert got[1] == pytest.approx(geo.haversine_m(*target, 26.90, 112.57), rel=1e-9)
    assert got[2] == pytest.approx(math.pi * geo.EARTH_RADIUS_M, rel=1e-9)  # the antipode


def test_the_store_keeps_geos_unit_vectors():
    state = FleetState([make_unit("a")])
    state.ingest("a", tel(26.8931, 112.5712), now=0.0)
    c = state.columns
    assert (c.x[0], c.y[0], c.z[0]) == geo.unit_vector(26.8931, 112.5712)


@given(st.floats(-0.2, 0.2), st.floats(-0.2, 0.2))
def test_one_flat_frame_for_points_and_arrays(dlat, dlon):
    lat0, lon0 = 26.89, 112.57
    f = geo.LocalFrame(lat0, lon0)
    east, north = geo.offset_m(lat0, lon0, lat0 + dlat, lon0 + dlon)
    assert f.point(lat0 + dlat, lon0 + dlon) == pytest.approx([east, north], abs=1e-6)
    assert f.to_latlon([(east, north)])[0] == pytest.approx(
        geo.displace(lat0, lon0, east, north), abs=1e-12)
    assert geo.metres_per_deg(lat0) == (f._scale[0], geo.METRES_PER_DEG)


EARTH_LITERAL = re.compile(r"\b6_?371|\b111_?[123]\d\d(?:\.\d*)?\b")


def test_one_earth_radius_in_the_core_and_the_console():
    """fleet.geo is the one home of the Earth's size: no other module of fleet/ or tui/
    writes its own radius or metres-per-degree (the simulators keep theirs: they never
    import fleet)."""
    own = [str(p.relative_to(ROOT)) for package in ("fleet", "tui")
           for p in sorted((ROOT / package).rglob("*.py"))
           if p != ROOT / "fleet" / "geo.py"
           and EARTH_LITERAL.search(p.read_text(encoding="utf-8"))]
    assert not own
    assert EARTH_LITERAL.search("k = 111_320.0 * d") and EARTH_LITERAL.search("6_371_008.8")


@pytest.mark.parametrize("rel", ["fleet/geo.py", "fleet/eta.py"])
def test_geodesy_and_eta_stay_pure(rel):
    assert not top_level(imported_modules(ROOT / rel)) & (IO_MODULES | {"threading"})


def test_geo_depends_on_nothing_of_fleet():
    assert top_level(imported_modules(ROOT / "fleet/geo.py")) <= {
        "__future__", "math", "collections", "dataclasses", "numpy"}


def test_every_column_is_declared_and_its_write_view_shares_its_memory():
    cols = Columns(capacity=2)
    for _ in range(3):  # the third row grows the columns: the views are remade
        cols.add(make_unit(f"u{cols.size}"))
    written = [name for name in Columns.__slots__ if name.startswith("w_")]
    assert len(written) == 16
    for name in written:
        column = getattr(cols, name[2:])
        view = getattr(cols, name)
        value = True if column.dtype == bool else 3
        view[2] = value
        assert column[2] == value and view.nbytes == column.nbytes
    assert all(hasattr(cols, name) for name in Columns.__slots__)
