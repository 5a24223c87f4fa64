"""A link that was up and goes down is an alert (its units will go lost one by one; this
says why), and its return is one too; starting and stopping are not."""

import asyncio

from test_service import CONFIG
from waits import until

from fleet.events import ConnectionState, Severity
from fleet.links.supervisor import ReconnectPolicy
from fleet.service import FleetService


class DroppingLink:
    """Connects, then drops when the test says, then connects again."""

    name = "radio"

    def __init__(self) -> None:
        self.drop = asyncio.Event()
        self.runs = 0

    async def run(self, ctx):
        self.runs += 1
        ctx.connection(ConnectionState.CONNECTED)
        if self.runs == 1:
            await self.drop.wait()
            raise ConnectionResetError(104, "Connection reset by peer")
        await asyncio.Event().wait()


async def test_a_link_going_down_and_back_is_one_alert_each():
    link = DroppingLink()
    policy = ReconnectPolicy(initial_s=0.001, max_s=0.01)
    async with FleetService(CONFIG, links=[link], reconnect=policy) as svc:
        await until(svc, lambda: svc.links()[0].state is ConnectionState.CONNECTED)
        assert not [a for a in svc.alerts if a.code.startswith("link.")]
        link.drop.set()
        await until(svc, lambda: any(a.code == "link.up" for a in svc.alerts))
        down, up = [a for a in svc.alerts if a.code.startswith("link.")]
        assert (down.code, down.severity, down.link) == ("link.down", Severity.WARNING, "radio")
        assert "Connection reset by peer" in down.message and "go lost" in down.message
        assert up.severity is Severity.NOTICE and up.message.startswith("link radio back")
    assert [a.code for a in svc.alerts if a.code.startswith("link.")] == ["link.down",
                                                                          "link.up"]
