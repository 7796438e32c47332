"""The gateway on several broker addresses whose first is dead: it sends its
commands (to a quorum queue) and consumes the registry's events through the
next one."""
import asyncio

import pytest

from services.common.testing import amqp_uri_for, bus_connection, create_vhost, delete_vhost, rabbit_api
from services.gateway.readmodel import ReadModel, RegistryEvents
from services.gateway.rpc import RpcClient
from services.gateway.tests.asyncio_thread import run

DEAD = "amqp://guest:guest@127.0.0.1:1/"


@pytest.fixture
def vhost():
    name = create_vhost("kim-test")
    yield name
    delete_vhost(name)


def test_commands_and_events_go_through_the_next_address_when_the_first_is_dead(vhost):
    several = f"{DEAD}, {amqp_uri_for(vhost)}"

    async def scenario():
        client = RpcClient(several, timeout=5)
        events = RegistryEvents(several, ReadModel(), retry_seconds=0.05)
        try:
            await client.send_command("aspirations.intake", {"id": "a-1"})
            await client.send_command("aspirations.intake", {"id": "a-2"})  # on the address that answered
            events.start()
            for _ in range(200):
                if events.model.live:
                    break
                await asyncio.sleep(0.05)
            return events.model.live
        finally:
            await events.close()
            await client.close()

    assert run(scenario()) is True
    intake = rabbit_api("GET", f"/api/queues/{vhost}/aspirations.intake").json()
    assert intake["type"] == "quorum" and intake["durable"] and not intake["exclusive"]
    with bus_connection(amqp_uri_for(vhost)) as conn:
        assert conn.channel().queue_declare("aspirations.intake", passive=True).message_count == 2


def test_classic_queues_by_setting(vhost):
    async def scenario():
        client = RpcClient(amqp_uri_for(vhost), timeout=5, queue_type="classic")
        try:
            await client.send_command("aspirations.intake", {"id": "a-1"})
        finally:
            await client.close()

    run(scenario())
    assert rabbit_api("GET", f"/api/queues/{vhost}/aspirations.intake").json()["type"] == "classic"
