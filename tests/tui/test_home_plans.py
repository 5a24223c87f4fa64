"""Home and base in the console's pure parts: the arm warning and "Home to base" as plans,
their words, the detail's home words, and how the core's home alerts are triaged."""

from __future__ import annotations

import dataclasses

import pytest
from fake_service import FakeService

from fleet.commands import Arm, SetHome
from fleet.events import Alert, Severity, UnitSnapshot
from fleet.home_watch import CODE_AWAY, CODE_BACK
from fleet.model import Base, Position
from tui.alert_triage import Where, classify, retell, triage_context
from tui.command_plans import SPEC_BY_NAME, SPECS, plan
from tui.command_words import command_text
from tui.home_words import arm_danger, home_to_base, home_words

FAR = (26.9050, 112.6400)  # 5.3 km from HQ roof (26.8930, 112.5880, 95 m)
ARM_WARNING = ("Eagle 2 is 5.3 km from its base (HQ roof): arming moves its home here "
               "(ArduPilot keeps only a home set from the ground); RTL would land here. Set "
               "home to base (B) after arming.")


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    s.report("air-1", 26.8930, 112.5880, relative_alt_m=0.0, armed=False)
    s.report("air-2", *FAR, relative_alt_m=0.0, armed=False)
    s.report("rp02-pc1", 26.8900, 112.5970)
    return s


def snap(svc: FakeService, unit_id: str, **fields: object) -> UnitSnapshot:
    return dataclasses.replace(svc.snapshot(unit_id), **fields)


def test_b_is_a_free_key_with_a_spec() -> None:
    spec = SPEC_BY_NAME["home_to_base"]
    assert (spec.key, spec.title) == ("B", "Home to base")
    assert [s.key for s in SPECS].count("B") == 1


def test_arming_away_from_base_is_a_danger_at_base_it_is_not(svc: FakeService) -> None:
    at_base = plan(SPEC_BY_NAME["arm"], [svc.snapshot("air-1")])
    assert at_base.sends[0].command == Arm() and not at_base.dangerous
    away = plan(SPEC_BY_NAME["arm"], [svc.snapshot("air-2")])
    assert away.dangers == (ARM_WARNING,)
    forced = plan(SPEC_BY_NAME["force_arm"], [svc.snapshot("air-2")])
    assert forced.dangers == (ARM_WARNING, "force arm skips the pre-arm safety checks")
    no_base = snap(svc, "air-2", unit=dataclasses.replace(svc.snapshot("air-2").unit,
                                                          base=None))
    assert arm_danger(no_base, "Eagle 2") is None
    unplaced = snap(svc, "air-2", telemetry=None)
    assert arm_danger(unplaced, "Eagle 2") is None  # nowhere known: nothing to say


def test_home_to_base_goes_at_the_bases_altitude_and_says_how_far(svc: FakeService) -> None:
    away = snap(svc, "air-2", home=Position(*FAR, 61.0))
    p = plan(SPEC_BY_NAME["home_to_base"], [away, svc.snapshot("rp02-pc1")])
    assert [s.command for s in p.sends] == [SetHome(26.8930, 112.5880, 95.0)]
    assert p.skipped == (("RP02 Car 1", "home to base is for aircraft only"),)
    assert p.dangers == (
        "Eagle 2: home moves 5.3 km, from 26.90500, 112.64000 to its base (HQ roof), at 95 m "
        "AMSL (the base's); RTL will land there and arming will not move it",)
    assert p.describe() == ["Set home to 26.89300, 112.58800, 95 m AMSL → Eagle 2 (air-2)"]


def test_a_base_without_altitude_keeps_the_homes(svc: FakeService) -> None:
    plaza = Base("post", "Bubugao Plaza", Position(26.8900, 112.5970))  # no alt: 0
    unit = dataclasses.replace(svc.snapshot("air-2").unit, base=plaza)
    away = snap(svc, "air-2", unit=unit, home=Position(*FAR, 61.4))
    command = home_to_base(away)
    assert command == SetHome(26.8900, 112.5970, None)  # never sea level
    p = plan(SPEC_BY_NAME["home_to_base"], [away])
    assert "keeping its home's 61 m AMSL (the base has no altitude in the config)" in (
        p.dangers[0])
    assert command_text(command) == "Set home to 26.89000, 112.59700, its home altitude kept"
    unknown = snap(svc, "air-2", unit=unit, home=None)
    assert plan(SPEC_BY_NAME["home_to_base"], [unknown]).dangers == (
        "Eagle 2: home (not reported yet) becomes its base (Bubugao Plaza), keeping its "
        "home's altitude (the base has no altitude in the config); RTL will land there and "
        "arming will not move it",)


def test_units_without_a_base_get_nothing(svc: FakeService) -> None:
    unit = dataclasses.replace(svc.snapshot("air-2").unit, base=None)
    p = plan(SPEC_BY_NAME["home_to_base"], [snap(svc, "air-2", unit=unit)])
    assert p.empty and p.skipped == (("Eagle 2", "no base in the config"),)


def test_home_words_for_the_detail(svc: FakeService) -> None:
    assert home_words(svc.snapshot("air-1")) is None  # not reported yet
    assert home_words(snap(svc, "air-1", home=Position(26.89301, 112.58802, 95.0))) == (
        "at base HQ roof", False)
    assert home_words(snap(svc, "air-2", home=Position(*FAR, 61.0))) == (
        "5.3 km from base HQ roof", True)
    unit = dataclasses.replace(svc.snapshot("air-2").unit, base=None)
    assert home_words(snap(svc, "air-2", unit=unit, home=Position(*FAR, 61.0))) == (
        "26.90500, 112.64000 · 61 m AMSL", False)
    assert command_text(SetHome()) == "Set home here"


def test_home_alerts_reach_the_list_and_name_the_key(svc: FakeService) -> None:
    moved = Alert(0.0, Severity.WARNING, CODE_AWAY, "Eagle 2: home is 5.3 km from its base "
                  "(HQ roof): RTL would land there — set home to base", unit_id="air-2")
    ctx = triage_context(svc.snapshot("air-2"))
    verdict = classify(moved, ctx)
    assert (verdict.where, verdict.severity, verdict.rule) == (
        Where.ALERTS, Severity.WARNING, "home moved")
    shown = retell(moved, verdict, ctx)
    assert shown.message.endswith("— set home to base (key B)")
    assert retell(shown, verdict, ctx).message == shown.message  # said once
    back = Alert(0.0, Severity.NOTICE, CODE_BACK, "Eagle 2: home is back at its base "
                 "(HQ roof)", unit_id="air-2")
    verdict = classify(back, ctx)
    assert (verdict.where, verdict.severity) == (Where.ALERTS, Severity.NOTICE)
    assert retell(back, verdict, ctx) == back
