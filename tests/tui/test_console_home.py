"""Home and base at the console (issue #13): the detail says where home is against the
base, the core's warning names the key, B puts home back on the base after a
confirmation that says how far it moves, and arming away from base asks first."""

from __future__ import annotations

import pytest
from console_harness import console
from fake_service import FakeService
from test_console_targets import dialog_text, notices

from fleet.commands import SetHome
from fleet.events import Severity
from fleet.model import Position
from tui.screens.confirm import ConfirmScreen

FAR = (26.9050, 112.6400)  # Eagle 2 landed 5.3 km from its base, HQ roof


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    s.report("air-1", 26.8930, 112.5880, relative_alt_m=0.0, armed=False, mode="GUIDED",
             ready=True)
    s.report("air-2", *FAR, relative_alt_m=0.0, armed=False, mode="GUIDED", ready=True)
    s.report("rp02-pc1", 26.8900, 112.5970, ground_speed_m_s=0.0)
    s.update("air-1", home=Position(26.89301, 112.58802, 95.0))
    s.update("air-2", home=Position(*FAR, 61.0))  # re-armed out there: home moved with it
    return s


async def test_b_sets_home_to_base_after_saying_how_far_it_moves(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("air-2")
        await c.until(lambda: "5.3 km from base HQ roof  (B: home to base)" in c.detail_text())
        await c.press("B")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        text = dialog_text(c)
        assert text.startswith("Home to base\n")
        assert "Set home to 26.89300, 112.58800, 95 m AMSL → Eagle 2 (air-2)" in text
        assert ("Eagle 2: home moves 5.3 km, from 26.90500, 112.64000 to its base (HQ roof), "
                "at 95 m AMSL (the base's); RTL will land there and arming will not move it"
                in " ".join(text.split()))
        await c.press("y")
        await c.until(lambda: len(svc.sent) == 1)
        assert svc.sent[0].unit_id == "air-2"
        assert svc.sent[0].command == SetHome(26.8930, 112.5880, 95.0)
        await c.until(lambda: "Eagle 2: Set home to 26.89300, 112.58800, 95 m AMSL — accepted"
                      in c.log_text())
        svc.update("air-2", home=Position(26.8930, 112.5880, 95.0))  # what the core hears
        await c.until(lambda: "home    at base HQ roof" in c.detail_text())


async def test_arming_away_from_base_asks_first(svc: FakeService) -> None:
    async with console(svc) as c:
        c.main.select("air-2")
        await c.until(lambda: c.detail.unit_id == "air-2")
        await c.press("a")
        await c.until(lambda: isinstance(c.app.screen, ConfirmScreen))
        assert ("Eagle 2 is 5.3 km from its base (HQ roof): arming moves its home here "
                "(ArduPilot keeps only a home set from the ground); RTL would land here. Set "
                "home to base (B) after arming." in " ".join(dialog_text(c).split()))
        await c.press("n")
        await c.until(lambda: "Arm cancelled by the operator" in c.log_text())
        c.main.select("air-1")  # at its base: armed at once, nothing to warn about
        await c.until(lambda: c.detail.unit_id == "air-1")
        await c.press("a")
        await c.until(lambda: len(svc.sent) == 1)
        assert svc.sent[0].unit_id == "air-1"


async def test_the_core_warning_names_the_key_and_crewed_units_get_nothing(
        svc: FakeService) -> None:
    async with console(svc) as c:
        svc.alert(Severity.WARNING, "unit.home_moved", "Eagle 2: home is 5.3 km from its "
                  "base (HQ roof): RTL would land there — set home to base", "air-2")
        await c.until(lambda: "RTL would land there — set home to base (key B)"
                      in c.log_text())
        assert c.app.model.alerts.attention() >= 1  # a warning needs the operator
        c.main.select("rp02-pc1")
        await c.until(lambda: c.detail.unit_id == "rp02-pc1")
        assert "home " not in c.detail_text()  # a crewed car has no autopilot home
        await c.press("B")
        await c.until(lambda: any("nothing to send" in n for n in notices(c)))
        assert "Home to base not sent to RP02 Car 1: home to base is for aircraft only" in (
            c.log_text())
        assert svc.sent == []
