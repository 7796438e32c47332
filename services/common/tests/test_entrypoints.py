"""A lost broker connection while settling a message is survived (the e2e
proof with a real broker restart is tests/test_broker_restart.py)."""
from types import SimpleNamespace

import pytest

from services.common import entrypoints


class MessageOnDeadSocket:
    def __init__(self, error):
        self.channel = SimpleNamespace(connection=object())  # looks alive until written to
        self.error = error

    def ack(self):
        raise self.error

    requeue = ack


@pytest.mark.parametrize("error", [ConnectionResetError(104, "reset"), BrokenPipeError(32, "broken pipe"),
                                   OSError("socket closed")])
def test_an_ack_or_requeue_on_a_dropped_connection_does_not_raise(error):
    consumer = entrypoints.QueueConsumer()
    consumer.ack_message(MessageOnDeadSocket(error))
    consumer.requeue_message(MessageOnDeadSocket(error))


def test_every_consuming_entrypoint_settles_through_the_guarded_consumer():
    assert isinstance(entrypoints.EventHandler.queue_consumer, entrypoints.QueueConsumer)
    assert isinstance(entrypoints.CommandConsumer.queue_consumer, entrypoints.QueueConsumer)
    assert isinstance(entrypoints.Rpc.rpc_consumer.queue_consumer, entrypoints.QueueConsumer)


def test_an_rpc_reply_that_cannot_be_sent_is_not_fatal(monkeypatch):
    def unreachable(self, result, exc_info):
        raise ConnectionResetError(104, "reset")
    monkeypatch.setattr("nameko.rpc.Responder.send_response", unreachable)
    consumer = entrypoints.RpcConsumer()
    consumer.container = SimpleNamespace(config={"AMQP_URI": "amqp://nowhere//"})
    acked = []
    consumer.queue_consumer = SimpleNamespace(ack_message=acked.append)
    message = object()
    assert consumer.handle_result(message, "result", None) == ("result", None)
    assert acked == [message]
