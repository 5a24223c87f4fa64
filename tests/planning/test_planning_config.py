"""[[patrols]] and [[schedules]] as typed config, and their one-line errors."""

import copy
import datetime as dt

import pytest

from fleet.config import parse_config
from fleet.config.patrols import PatrolConfig
from fleet.config.schedules import Blackout, PatrolSchedule, Roster
from fleet.errors import ConfigError

SQUARE = [[26.892, 112.590], [26.892, 112.600], [26.884, 112.600], [26.884, 112.590]]
HOLE = [[26.889, 112.594], [26.889, 112.596], [26.887, 112.596], [26.887, 112.594]]
BASE: dict = {
    "bases": [{"id": "hq", "lat": 26.893, "lon": 112.588}],
    "groups": [{"id": "air1", "domain": "air"},
               {"id": "rp01", "domain": "land", "base": "hq",
                "complement": {"patrol_car": 2}}],
    "units": [{"id": f"air-{i}", "kind": "drone", "group": "air1", "base": "hq",
               "mavlink": {"sysid": i}} for i in (1, 2)],
    "zones": [{"id": "yanfeng-north", "target_min": 3, "polygon": SQUARE}],
    "key_sites": [{"id": "bubugao", "lat": 26.89, "lon": 112.597},
                  {"id": "huiyan", "lat": 26.88, "lon": 112.606}],
    "patrols": [{"id": "north", "pattern": "coverage", "zone": "yanfeng-north",
                 "exclusions": [HOLE]},
                {"id": "sites", "pattern": "tour", "sites": ["bubugao", "huiyan"]}],
    "schedules": [{"id": "night", "patrol": "north", "every_min": 30, "start": "20:00",
                   "end": "02:00", "group": "air1"},
                  {"id": "rota", "kind": "roster", "crews": ["A", "B", "C", "D", "E"],
                   "shifts_per_day": 4},
                  {"id": "festival", "kind": "blackout",
                   "start": dt.datetime(2025, 6, 1, 8), "end": dt.datetime(2025, 6, 1, 22)}],
}


def with_changes(path: str, value: object) -> dict:
    """BASE with one value set (``schedules.0.end``), or removed when value is ...."""
    doc = copy.deepcopy(BASE)
    *parents, last = path.split(".")
    node: object = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]  # type: ignore[index]
    if value is ...:
        del node[last]  # type: ignore[arg-type]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value  # type: ignore[index]
    return doc


def test_patrols_and_schedules_become_typed_config():
    config = parse_config(BASE, "fleet.toml")
    north, sites = config.patrols
    assert isinstance(north, PatrolConfig) and north.spacing_m == pytest.approx(67.2, 0.01)
    assert north.exclusions == (tuple(tuple(p) for p in HOLE),)
    assert sites.sites == ("bubugao", "huiyan") and sites.loiter_s == 60
    night, rota, festival = config.schedules
    assert isinstance(night, PatrolSchedule) and night.pool == ("air-1", "air-2")
    assert (night.start, night.end, night.every_min) == (dt.time(20), dt.time(2), 30)
    assert isinstance(rota, Roster) and rota.groups == ("rp01",)
    assert isinstance(festival, Blackout) and festival.applies_to == frozenset()


def test_toml_local_times_are_accepted(tmp_path):
    from fleet.config import load_config
    text = ("[[groups]]\nid = 'air1'\ndomain = 'air'\n[[units]]\nid = 'a'\nkind = 'drone'\n"
            "group = 'air1'\nmavlink = { sysid = 1 }\n[[key_sites]]\nid = 's'\nlat = 26.9\n"
            "lon = 112.6\n[[patrols]]\nid = 'p'\npattern = 'perimeter'\nsite = 's'\n"
            "[[schedules]]\nid = 'x'\npatrol = 'p'\nstart = 23:30:00\nend = 00:30:00\n"
            "group = 'air1'\ndays = ['sat']\n")
    path = tmp_path / "f.toml"
    path.write_text(text)
    (s,) = load_config(path).schedules
    assert (s.start, s.end, s.days, s.every_min) == (dt.time(23, 30), dt.time(0, 30),
                                                    frozenset({5}), None)


ERRORS = [
    ("patrols.0.zone", "yanfeng-nort", "patrols[0].zone: unknown zone 'yanfeng-nort' "
                                       "(did you mean 'yanfeng-north'?)"),
    ("patrols.0.pattern", "coverag", "patrols[0].pattern: expected one of coverage, "
                                     "perimeter, tour, corridor, got 'coverag' (did you mean "
                                     "'coverage'?)"),
    ("patrols.1.spacing_m", 30, "patrols[1]: key 'spacing_m' applies to coverage patrols, "
                                "not tour"),
    ("patrols.1.sites", ["bubugao", "huiyan-peak"], "patrols[1].sites[1]: unknown key site "
                                                    "'huiyan-peak' (did you mean 'huiyan'?)"),
    ("patrols.0.exclusions", [[[26.889, 112.594], [26.887, 112.596], [26.889, 112.596],
                               [26.887, 112.594]]],
     "patrols[0].exclusions[0]: edges 1 and 3 cross (the polygon intersects itself; list "
     "the points in order around it)"),
    ("patrols.0.exclusions", [[[26.90, 112.58], [26.90, 112.61], [26.87, 112.61],
                               [26.87, 112.58]]],
     "patrols[0].exclusions: the exclusion zones (with 10 m clearance) cover the whole "
     "area; nothing is left to fly"),
    ("schedules.0.patrol", "nort", "schedules[0].patrol: unknown patrol 'nort' "
                                   "(did you mean 'north'?)"),
    ("schedules.0.group", "air2", "schedules[0].group: unknown group 'air2' "
                                  "(did you mean 'air1'?)"),
    ("schedules.0.group", "rp01", "schedules[0]: no commandable aircraft in group 'rp01' "
                                  "for coverage patrol 'north'"),
    ("schedules.0.end", "2am", "schedules[0].end: expected a local time like 20:00:00 or "
                               "\"20:00\", got string '2am'"),
    ("schedules.0.days", ["mon", "thurs"], "schedules[0].days[1]: expected one of mon, tue, "
                                           "wed, thu, fri, sat, sun, got 'thurs' (did you "
                                           "mean 'thu'?)"),
    ("schedules.1.shifts_per_day", 6, "schedules[1].shifts_per_day: expected an integer in "
                                      "1..5, got integer 6"),
    ("schedules.2.end", dt.datetime(2025, 6, 1, 7), "schedules[2].end: expected an end after "
                                                    "the start (2025-06-01T08:00:00), got "
                                                    "2025-06-01T07:00:00"),
    ("schedules.2.applies_to", ["nigth"], "schedules[2].applies_to[0]: unknown patrol "
                                          "schedule 'nigth' (did you mean 'night'?)"),
    ("schedules.0.kind", "rooster", "schedules[0].kind: expected one of patrol, roster, "
                                    "blackout, got 'rooster' (did you mean 'roster'?)"),
]


@pytest.mark.parametrize(("path", "value", "message"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_patrols_and_schedules_name_the_item(path, value, message):
    with pytest.raises(ConfigError) as err:
        parse_config(with_changes(path, value), "fleet.toml")
    assert str(err.value) == f"fleet.toml: {message}"


def test_a_schedule_naming_no_unit_or_a_missing_unit_is_refused():
    doc = with_changes("schedules.0.group", ...)
    with pytest.raises(ConfigError, match=r"schedules\[0\]: missing group or units"):
        parse_config(doc, "fleet.toml")
    doc["schedules"][0]["units"] = ["air-1", "air-3"]
    with pytest.raises(ConfigError, match=r"schedules\[0\]\.units\[1\]: unknown unit 'air-3'"):
        parse_config(doc, "fleet.toml")


def test_overlapping_schedules_that_need_the_same_unit_are_refused():
    doc = copy.deepcopy(BASE)
    doc["schedules"][0]["units"] = ["air-1"]
    doc["schedules"].append({"id": "late", "patrol": "sites", "start": "01:00", "end": "03:00",
                             "units": ["air-1"], "days": ["tue"]})
    with pytest.raises(ConfigError) as err:
        parse_config(doc, "fleet.toml")
    assert str(err.value) == (
        "fleet.toml: schedules[3]: overlaps schedules[0] ('night') on tue from 01:00: "
        "together they need 2 units of ['air-1']")
    doc["schedules"][3]["units"] = ["air-2"]  # another drone: fine
    parse_config(doc, "fleet.toml")


def test_a_group_on_two_rosters_is_refused():
    doc = copy.deepcopy(BASE)
    doc["schedules"].append({"id": "rota2", "kind": "roster", "crews": ["X", "Y"],
                             "groups": ["rp01"]})
    with pytest.raises(ConfigError, match=r"schedules\[3\]\.groups: duplicate rostered group "
                                          r"'rp01' \(also schedules\[1\]\)"):
        parse_config(doc, "fleet.toml")
