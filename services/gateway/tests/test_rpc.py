"""The RPC client's handling of a service's unexpected error (the broker
itself is exercised end to end, tests/test_broker_restart.py)."""
import asyncio
import logging
import threading
from types import SimpleNamespace

from services.gateway.problems import Problem
from services.gateway.rpc import RpcClient


def test_an_unexpected_remote_error_is_logged_by_its_type_only(caplog):
    client = RpcClient("amqp://nowhere/", timeout=1)

    class Exchange:
        async def publish(self, message, routing_key, mandatory):
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
