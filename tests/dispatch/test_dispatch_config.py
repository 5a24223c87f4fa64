"""The [dispatch] config section: defaults, overrides, and one-line errors with key paths."""

import re

import pytest

from fleet.config import demo_config_path, load_config, parse_config
from fleet.dispatch.categories import DEFAULT_CATEGORIES, Requirement
from fleet.dispatch.settings import HENGYANG_RIVERS, DispatchSettings
from fleet.errors import ConfigError
from fleet.model import Domain, UnitKind


def test_defaults_without_a_section():
    s = parse_config({}).dispatch
    assert s == DispatchSettings()
    assert s.reserve_pct[Domain.AIR] == 30.0 and s.rivers == HENGYANG_RIVERS
    assert set(s.categories) == set(DEFAULT_CATEGORIES)


def test_the_demo_config_loads_with_dispatch_defaults():
    assert load_config(demo_config_path()).dispatch.operator == "duty-officer"


def test_overrides_and_a_new_category():
    s = parse_config({"dispatch": {
        "operator": "Li Wei", "drone_alt_m": 60, "reserve_pct": {"air": 40},
        "rivers": [[[26.9, 112.6], [26.95, 112.62]]],
        "categories": {
            "theft": {"priority": 2},
            "fire": {"name": "Fire", "units": [
                {"count": 2, "domain": "land", "role": "assistance"},
                {"kinds": ["drone"], "role": "overwatch"}]},
        },
    }}).dispatch
    assert s.operator == "Li Wei" and s.drone_alt_m == 60.0
    assert s.reserve_pct == {Domain.AIR: 40.0, Domain.LAND: 10.0, Domain.WATER: 15.0}
    assert s.rivers == (((26.9, 112.6), (26.95, 112.62)),)
    assert s.categories["theft"].priority == 2
    assert s.categories["theft"].requirements == DEFAULT_CATEGORIES["theft"].requirements
    assert s.categories["fire"].requirements == (
        Requirement(2, None, Domain.LAND, "assistance"),
        Requirement(1, frozenset({UnitKind.DRONE}), None, "overwatch"))


def test_audit_path_is_relative_to_the_config_file(tmp_path):
    path = tmp_path / "conf" / "fleet.toml"
    path.parent.mkdir()
    path.write_text('[dispatch]\naudit_db = "data/audit.sqlite3"\n', encoding="utf-8")
    assert load_config(path).dispatch.audit_db == str(tmp_path / "conf/data/audit.sqlite3")


@pytest.mark.parametrize("section, message", [
    ({"operatr": "x"}, "unknown key 'operatr' (did you mean 'operator'?)"),
    ({"reserve_pct": {"air": 130}}, "dispatch.reserve_pct.air: expected a number in 0..100"),
    ({"reserve_pct": {"space": 1}}, "unknown domain 'space'"),
    ({"drone_alt_m": 500}, "dispatch.drone_alt_m: expected a number in 10..120"),
    ({"categories": {"fire": {"name": "Fire"}}}, "a new category needs units"),
    ({"categories": {"fire": {"units": [{"kinds": ["tank"]}]}}},
     "dispatch.categories.fire.units[0].kinds[0]: unknown kind 'tank'"),
    ({"categories": {"theft": {"priority": 9}}}, "expected an integer in 1..5"),
    ({"categories": {"theft": {"units": [{"count": 0}]}}}, "expected an integer in 1..50"),
    ({"rivers": [[[26.9, 112.6]]]}, "dispatch.rivers[0]: expected a polyline"),
    ({"rivers": [[[26.9, 112.6], [99, 112.6]]]}, "dispatch.rivers[0][1][0]"),
])
def test_errors_name_the_key(section, message):
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_config({"dispatch": section})


def test_the_documented_example_loads(tmp_path):
    """The [dispatch] example in docs/dispatch.md stays valid."""
    from pathlib import Path
    doc = (Path(__file__).parents[2] / "docs" / "dispatch.md").read_text(encoding="utf-8")
    start = doc.index("```toml\n", doc.index("## Configuration")) + len("```toml\n")
    path = tmp_path / "fleet.toml"
    path.write_text(doc[start:doc.index("```", start)], encoding="utf-8")
    s = load_config(path).dispatch
    assert s.audit_db == str(tmp_path / "audit.sqlite3")
    assert s.categories["fire"].priority == 1 and len(s.rivers) == 1
