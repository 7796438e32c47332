"""The RPC client's handling of a service's unexpected error, and its
commands' confirms pipelined on one channel (the broker itself is exercised
end to end, tests/test_broker_restart.py)."""
import asyncio
import logging
import threading
from types import SimpleNamespace

from services.common.testing import amqp_uri_for, bus_connection, create_vhost, delete_vhost
from services.gateway.problems import Problem
from services.gateway.rpc import RpcClient


def test_an_unexpected_remote_error_is_logged_by_its_type_only(caplog):
    client = RpcClient("amqp://nowhere/", timeout=1)

    class Exchange:
        async def publish(self, message, routing_key, mandatory, timeout=None):
            # a database error's text quotes the values of the statement
            client._futures[message.correlation_id].set_result({"result": None, "error": {
                "exc_type": "IntegrityError", "value": "Key (phone)=(+62 812 0000 1111) exists",
                "exc_args": ["Key (phone)=(+62 812 0000 1111) exists"]}})

    client._link = SimpleNamespace(exchange=Exchange(), reply_queue=SimpleNamespace(name="reply"), usable=True)
    outcome = {}

    def call():  # in a thread of its own: another test may leave an event loop running in this one
        try:
            asyncio.run(client.call("registry", "register_kim"))
        except Exception as exc:
            outcome["raised"] = exc
    with caplog.at_level(logging.INFO):
        thread = threading.Thread(target=call)
        thread.start()
        thread.join(timeout=30)
    raised = outcome["raised"]
    assert isinstance(raised, Problem)
    assert raised.status == 500 and "0000" not in str(raised.__dict__)
    assert "registry.register_kim failed: IntegrityError" in caplog.text
    assert "0000 1111" not in caplog.text


def test_concurrent_commands_share_one_channel_and_await_their_confirms_together():
    vhost = create_vhost("kim-gateway")
    outcome: dict = {}

    async def scenario():
        client = RpcClient(amqp_uri_for(vhost), timeout=10)
        await client.send_command("pipelined.commands", {"id": "first"})  # declares the queue, once
        link = client._link
        underlay = await link.channel.get_underlay_channel()
        declared = []
        declare = link.channel.declare_exchange
        link.channel.declare_exchange = lambda *a, **kw: declared.append(a) or declare(*a, **kw)
        in_flight = []
        sending = asyncio.gather(*[client.send_command("pipelined.commands", {"id": f"c{n}"}) for n in range(200)])
        while not sending.done():
            in_flight.append(len(underlay.confirmations))
            await asyncio.sleep(0)
        await sending
        outcome.update(same_link=client._link is link, declared=declared, most_in_flight=max(in_flight))
        await client.close()

    try:
        thread = threading.Thread(target=lambda: asyncio.run(scenario()))
        thread.start()
        thread.join(timeout=60)
        with bus_connection(amqp_uri_for(vhost)) as conn:
            stored = conn.default_channel.queue_declare("pipelined.commands", passive=True).message_count
    finally:
        delete_vhost(vhost)
    assert outcome["same_link"] and outcome["declared"] == []  # no channel nor declaration per request
    assert outcome["most_in_flight"] > 1  # confirms awaited together, not one after another
    assert stored == 201
