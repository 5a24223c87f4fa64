"""The core's refusal counters reach the console's links line, by reason (issue #14: after
the first alert of each kind only the counter moves, so it must be seen somewhere)."""

from __future__ import annotations

from console_harness import console
from fake_service import FakeService

from fleet.events import ConnectionState


class CountingService(FakeService):
    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, dict[str, int]] = {"state": {"applied": 10}}

    def counters(self) -> dict[str, dict[str, int]]:
        return self.counts


async def test_refusals_show_on_the_links_line_by_reason() -> None:
    svc = CountingService()
    svc.set_link("mqtt", ConnectionState.CONNECTED)
    async with console(svc, (200, 55)) as c:
        await c.until(lambda: "broker mqtt" in c.header.render().plain)
        assert "refused" not in c.header.render().plain
        svc.counts = {"state": {"applied": 10},
                      "mqtt": {"received": 500, "telemetry": 480, "clock_skew": 2,
                               "bad_json": 5}}
        svc.advance(1)  # the console reads the counters once a second, with its clock
        await c.until(lambda: "refused: bad json 5, clock skew 2" in c.header.render().plain)
