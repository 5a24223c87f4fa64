"""The 110 call generator, pure: arrivals, where calls fall, what they are, the request."""

from __future__ import annotations

import itertools
import json
import random
import re
import statistics
from collections import Counter

import pytest

from fleet.config import demo_config_path, load_config
from fleet.demo import places_document
from fleet.dispatch.cad import parse_request
from simulators.calls import (
    OPERATOR,
    CallGenerator,
    PlacesError,
    arrival_times,
    load_places,
    parse_places,
    request_doc,
)
from simulators.calls.geo import Frame, haversine_m, inside
from simulators.calls.where import RIVER_CLEARANCE_M, ROAD_OFFSET_M
from simulators.city.city_map import LAND_SNAP_M, WATER_SNAP_M, build_city_map

CONFIG = load_config(demo_config_path())
PLACES = parse_places(json.loads(json.dumps(places_document(CONFIG))))  # as the file holds it
N = 3000


@pytest.fixture(scope="module")
def calls():
    gen = CallGenerator(PLACES, seed=3, run_id="test", year=2025)
    return [gen.next_call(float(i)) for i in range(N)]


def share(calls, predicate) -> float:
    return sum(map(predicate, calls)) / len(calls)


def test_the_demo_places_carry_what_the_core_knows():
    assert {s.id for s in PLACES.key_sites} == {s.id for s in CONFIG.key_sites}
    assert {z.id for z in PLACES.zones} == {z.id for z in CONFIG.zones}
    assert [c.id for c in PLACES.categories] == list(CONFIG.dispatch.categories)
    assert len(PLACES.rivers) == len(CONFIG.dispatch.rivers) and PLACES.roads
    assert PLACES.downtown is not None and PLACES.downtown.id == "downtown"


def test_arrivals_are_a_seeded_poisson_process_starting_within_a_minute():
    times = list(_take(arrival_times(random.Random(5), 12.0), 4000))
    assert times == list(_take(arrival_times(random.Random(5), 12.0), 4000))
    assert 15.0 <= times[0] <= 45.0
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert statistics.mean(gaps) == pytest.approx(300.0, rel=0.05)      # 12 an hour
    assert statistics.stdev(gaps) == pytest.approx(300.0, rel=0.08)     # exponential: sd = mean
    assert list(arrival_times(random.Random(5), 0.0)) == []


def test_places_are_weighted_to_key_sites_downtown_and_elsewhere(calls):
    landed = [c for c in calls if c.area != "river"]
    assert share(landed, lambda c: c.area == "key_site") == pytest.approx(0.32, abs=0.04)
    assert share(landed, lambda c: c.area == "downtown") == pytest.approx(0.39, abs=0.04)
    assert share(landed, lambda c: c.area == "elsewhere") == pytest.approx(0.29, abs=0.04)


def test_each_call_lies_where_its_area_says(calls):
    sites = {s.name: s for s in PLACES.key_sites}
    downtown = PLACES.downtown.polygon
    for c in calls:
        p = (c.lat, c.lon)
        if c.area == "key_site":
            site = sites[c.place]
            assert haversine_m(*p, site.lat, site.lon) <= site.radius_m
        elif c.area == "downtown":
            assert inside(p, downtown) and not _at_a_site(p)
        elif c.area == "elsewhere":
            assert not inside(p, downtown) and not _at_a_site(p)
            assert any(inside(p, z.polygon) for z in PLACES.zones)


def test_calls_fall_near_roads_and_only_water_rescues_by_the_river(calls):
    frame = Frame(26.9, 112.6)
    for c in calls[:600]:
        p = (c.lat, c.lon)
        river = min(frame.distance_to_line_m(p, r) for r in PLACES.rivers)
        if c.category == "water_rescue":
            assert river <= 160.0
        elif c.area != "key_site":
            assert river > RIVER_CLEARANCE_M
            road = min(frame.distance_to_line_m(p, r) for r in PLACES.roads)
            assert road <= ROAD_OFFSET_M + 1


def test_every_call_is_within_reach_of_the_simulated_crews(calls):
    """No call the city simulator's crews would refuse as too far from their roads (boats
    take the water rescues): Hengyang East Station, 3.4 km from the drawn roads, gets none."""
    city = build_city_map()
    for c in calls:
        if c.category != "water_rescue":
            assert city.roads.nearest_node(c.lat, c.lon)[1] <= LAND_SNAP_M, c
        else:
            assert city.waterways.nearest_node(c.lat, c.lon)[1] <= WATER_SNAP_M, c
    assert "Hengyang East Station (high-speed rail)" not in {c.place for c in calls}


def test_categories_follow_a_realistic_mix(calls):
    counts = Counter(c.category for c in calls)
    common = counts["theft"] + counts["traffic"] + counts["assistance"]
    assert common / N > 0.7
    for rare in ("violent_crime", "crowd", "water_rescue"):
        assert 0 < counts[rare] / N < 0.1
    assert counts["overwatch"] == counts["terror"] == 0       # not what citizens call
    assert set(counts) <= set(CONFIG.dispatch.categories)
    crowds = [c for c in calls if c.category == "crowd"]
    assert share(crowds, lambda c: c.area == "key_site") > 0.6


def test_the_same_seed_gives_the_same_calls():
    a = CallGenerator(PLACES, seed=9, run_id="x", year=2025)
    b = CallGenerator(PLACES, seed=9, run_id="x", year=2025)
    c = CallGenerator(PLACES, seed=10, run_id="x", year=2025)
    first = [a.next_call(0.0) for _ in range(20)]
    assert first == [b.next_call(0.0) for _ in range(20)]
    assert first != [c.next_call(0.0) for _ in range(20)]


def test_a_mix_override_and_a_map_without_rivers():
    doc = places_document(CONFIG)
    doc.pop("rivers")
    gen = CallGenerator(parse_places(doc), mix={"theft": 0, "assistance": 0, "traffic": 0,
                                                 "violent_crime": 0, "crowd": 0, "search": 0,
                                                 "terror": 1, "water_rescue": 50})
    assert {gen.next_call(0.0).category for _ in range(50)} == {"terror"}


def test_the_request_is_the_documented_cad_request_and_the_core_parses_it(calls):
    call = calls[0]
    doc = request_doc(call, ts=1795900000.0, dispatch=True)
    assert set(doc) == {"v", "id", "ts", "lat", "lon", "category", "notes", "operator", "ref",
                        "dispatch"}
    assert doc["v"] == 1 and doc["operator"] == OPERATOR == "110 call centre"
    assert re.fullmatch(r"110-2025-\d{6}", doc["ref"]) and len(doc["id"]) <= 64
    req = parse_request(json.dumps(doc).encode())
    assert (req.id, req.lat, req.lon, req.category) == (call.id, call.lat, call.lon,
                                                        call.category)
    assert req.dispatch is True and req.ref == call.ref and req.notes == call.notes
    assert parse_request(json.dumps(request_doc(call, ts=0.0, dispatch=False)).encode()
                         ).dispatch is False
    assert len({c.id for c in calls}) == len({c.ref for c in calls}) == N


def test_a_bad_places_file_is_one_line_naming_the_problem(tmp_path):
    bad = tmp_path / "places.json"
    bad.write_text(json.dumps({"v": 1, "zones": [{"id": "z", "polygon": [[1, 2]]}],
                               "categories": ["theft"]}))
    with pytest.raises(PlacesError, match=r"places.json: zones\[0\].polygon: expected at least 3"):
        load_places(bad)
    with pytest.raises(PlacesError, match="No such file"):
        load_places(tmp_path / "missing.json")


def _at_a_site(p) -> bool:
    return any(haversine_m(*p, s.lat, s.lon) <= s.radius_m for s in PLACES.key_sites)


def _take(iterator, n):
    for _, value in zip(range(n), iterator, strict=False):
        yield value
