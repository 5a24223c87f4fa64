"""Statuses that tell the truth (issue #13): the table, the header and the detail show what
each unit does, and whose command it follows, at every terminal size."""

from __future__ import annotations

import pytest
from console_harness import console
from fake_service import FakeService

from fleet.model import UnitStatus
from fleet.tasking import Tasking

SIZES = [(80, 24), (120, 40), (200, 55)]


@pytest.fixture
def svc() -> FakeService:
    s = FakeService()
    # the drone: hovering at 40 m, its CAD status still "available"
    s.report("air-1", 26.8930, 112.5880, battery_pct=35.0, relative_alt_m=40.0, armed=True,
             mode="GUIDED", ground_speed_m_s=0.1)
    s.update("air-1", tasking=Tasking("operator", "goto", s.now_wall, (26.8930, 112.5880)))
    # a drone in RTL, last sent out by a schedule: "returning", not "patrolling"
    s.report("air-2", 26.9050, 112.6400, battery_pct=64.0, relative_alt_m=30.0, armed=True,
             mode="RTL", ground_speed_m_s=8.0)
    s.set_status("air-2", UnitStatus.PATROLLING)
    s.update("air-2", tasking=Tasking("schedule", "mission", s.now_wall))
    # a motorcycle stopped by the operator: "stopped"
    s.report("rp02-pc1", 26.8900, 112.5970, ground_speed_m_s=0.0)
    s.update("rp02-pc1", tasking=Tasking("operator", "hold", s.now_wall))
    return s


@pytest.mark.parametrize("size", SIZES)
async def test_statuses_say_what_units_do_and_whose_intent(svc: FakeService, size) -> None:
    async with console(svc, size) as c:
        assert c.status_of("air-1") == "holding"
        assert c.status_of("air-2") == "returning"
        assert c.status_of("rp02-pc1") == "stopped"
        task = {u: c.table.cells_of(u)[4].text for u in ("air-1", "air-2", "rp02-pc1")}
        assert task == {"air-1": "op goto", "air-2": "sched mission", "rp02-pc1": "op hold"}
        assert c.header.counts["flying"] == 1 and c.header.counts["returning"] == 1
        assert c.header.counts["idle"] == 1 and c.header.counts["on patrol"] == 0
        assert "available" not in c.header.counts


async def test_a_status_change_reaches_the_row_and_the_header(svc: FakeService) -> None:
    async with console(svc) as c:
        svc.report("air-1", 26.8930, 112.5880, battery_pct=34.0, relative_alt_m=40.0,
                   armed=True, mode="GUIDED", ground_speed_m_s=9.0)
        await c.until(lambda: c.status_of("air-1") == "transit")
        svc.report("air-2", 26.8930, 112.5880, relative_alt_m=0.0, armed=False, mode="RTL")
        await c.until(lambda: c.status_of("air-2") == "landed")
        assert c.table.cells_of("air-2")[4].text == "—"  # its task is done
        await c.until(lambda: c.header.counts["idle"] == 2)
        svc.set_status("air-1", UnitStatus.EN_ROUTE)  # on an incident: the incident's word
        await c.until(lambda: c.status_of("air-1") == "en route")


async def test_filters_match_what_it_does_and_its_cad_status(svc: FakeService) -> None:
    async with console(svc, (200, 55)) as c:
        c.main.set_filter("status:holding")
        await c.until(lambda: c.table.shown_ids == ["air-1"])
        c.main.set_filter("status:available")  # the CAD word still finds the hovering drone
        await c.until(lambda: c.table.shown_ids == ["air-1", "rp02-pc1"])
        c.main.set_filter("status:patrolling")
        await c.until(lambda: c.table.shown_ids == ["air-2"])


async def test_the_detail_names_the_task_and_the_cad_status(svc: FakeService) -> None:
    async with console(svc, (200, 55)) as c:
        c.main.select("air-1")
        await c.until(lambda: "holding" in c.detail_text())
        text = c.detail_text()
        assert "holding (duty available)" in text
        assert "operator: go to 26.89300, 112.58800" in text
