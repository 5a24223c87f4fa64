"""The suite's real broker works: a message makes the round trip through Mosquitto."""

import asyncio

import aiomqtt
import pytest

pytestmark = pytest.mark.broker


async def test_round_trip_through_real_mosquitto(broker):
    async with asyncio.timeout(10):
        async with aiomqtt.Client(broker.host, broker.port, identifier="t-sub") as sub, \
                aiomqtt.Client(broker.host, broker.port, identifier="t-pub") as pub:
            await sub.subscribe("fleet/v1/#", qos=1)
            await pub.publish("fleet/v1/test", b'{"ok":true}', qos=1)
            async for message in sub.messages:
                assert message.topic.matches("fleet/v1/test")
                assert message.payload == b'{"ok":true}'
                break
