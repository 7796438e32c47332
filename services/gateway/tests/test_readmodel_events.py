"""The read model's event consumer on a broker of its own virtual host: it
applies the registry's events as they are published, and after a lost
connection it serves nothing until it consumes again, then starts empty."""
import asyncio
import json

import aio_pika

from services.common.testing import amqp_uri  # noqa: F401 - the fixture
from services.gateway.readmodel import REGISTRY_EVENTS, ReadModel, RegistryEvents, kim_key
from services.gateway.tests.test_layers import run
from services.gateway.tests.test_readmodel import envelope, record


async def until(condition, message: str):
    for _ in range(600):  # a generous bound, not a measured time
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {message}")


async def fill():
    return {"v": 1}


def test_the_consumer_applies_events_and_starts_empty_after_a_lost_connection(amqp_uri):  # noqa: F811
    async def scenario():
        model = ReadModel()
        consumer = RegistryEvents(amqp_uri, model, retry_seconds=0.05)
        consumer.start()
        publisher = await aio_pika.connect(amqp_uri)
        try:
            await until(lambda: model.live, "the consumer")
            await model.read(kim_key("KIM-1"), fill)
            assert model.get(kim_key("KIM-1")) == {"v": 1}
            channel = await publisher.channel()
            exchange = await channel.declare_exchange(REGISTRY_EVENTS, aio_pika.ExchangeType.TOPIC, durable=True)
            await exchange.publish(aio_pika.Message(json.dumps(envelope(record(version=2))).encode()),
                                   routing_key="kim_updated")
            await until(lambda: model.get(kim_key("KIM-1")) is None, "the event")

            await model.read(kim_key("KIM-1"), fill)
            lost = consumer.connection
            assert lost is not None
            await lost.close()  # as a broker restart would
            assert not model.live and model.get(kim_key("KIM-1")) is None
            await until(lambda: model.live and consumer.connection is not lost, "the reconnection")
            assert len(model) == 0
            await model.read(kim_key("KIM-1"), fill)
            assert model.get(kim_key("KIM-1")) == {"v": 1}
        finally:
            await publisher.close()
            await consumer.close()
        assert not model.live
    run(scenario())


def test_closing_ends_the_consumer_even_when_a_cancellation_is_swallowed():
    """Python 3.11's asyncio.wait_for may swallow a cancellation that arrives as the connection attempt
    it wraps ends (gh-86296); the gateway's shutdown then waited for ever (a test hung so in CI)."""
    class Swallowing(RegistryEvents):
        async def _consume(self):
            try:
                await asyncio.sleep(3600)  # connecting
            except asyncio.CancelledError:
                raise ConnectionError("lost") from None  # the cancellation gone, as wait_for may lose it

    async def scenario():
        events = Swallowing("amqp://guest:guest@127.0.0.1:1/", ReadModel(), retry_seconds=0.01)
        events.start()
        await asyncio.sleep(0.05)
        await asyncio.wait_for(events.close(), 10)
        return events._task.done()

    assert run(scenario())
