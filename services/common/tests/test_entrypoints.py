"""A lost broker connection while settling a message is survived (the e2e
proof with a real broker restart is tests/test_broker_restart.py)."""
from types import SimpleNamespace

import pytest
from nameko.messaging import QueueConsumer as NamekoQueueConsumer

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


def test_a_failed_ack_wakes_the_consumer_reading_that_connection(monkeypatch):
    lost, thrown = object(), []
    consumer = entrypoints.QueueConsumer()
    consumer._gt = SimpleNamespace(kill=thrown.append)
    consumer._consuming_on = SimpleNamespace(_connection=lost)
    message = MessageOnDeadSocket(ConnectionResetError(104, "reset"))
    message.channel = SimpleNamespace(connection=lost)
    consumer.ack_message(message)
    consumer.ack_message(message)  # once per connection
    assert len(thrown) == 1 and isinstance(thrown[0], ConnectionResetError)
    # a late ack from the connection before does not disturb the one now consumed on
    consumer._consuming_on = SimpleNamespace(_connection=object())
    consumer.ack_message(message)
    assert len(thrown) == 1

    def reader_woken_by_a_closed_socket(self, *args, **kwargs):  # what eventlet raises then
        yield
        raise EOFError()
    monkeypatch.setattr(NamekoQueueConsumer, "consume", reader_woken_by_a_closed_socket, raising=False)
    # kombu's loop reconnects on a connection error, not on EOFError (which would kill the service)
    with pytest.raises(ConnectionResetError):
        list(entrypoints.QueueConsumer().consume())


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


class FakeChannel:
    def __init__(self):
        self.connection = object()
        self.acks: list[tuple[int, bool]] = []

    def basic_ack(self, tag, multiple=False):
        self.acks.append((tag, multiple))


class FakeMessage:
    def __init__(self, channel, tag):
        self.channel, self.delivery_tag = channel, tag

    def ack(self):
        self.channel.basic_ack(self.delivery_tag)


def batch_consumer():
    consumer = entrypoints.BatchQueueConsumer()
    consumer._channel, consumer._unsettled = None, set()
    provider = SimpleNamespace(handle_message=lambda body, message: None)
    return consumer, lambda message: consumer.handle_message(provider, {}, message)


def test_a_batch_is_acked_at_once_only_when_nothing_else_below_its_highest_tag_is_unsettled():
    consumer, deliver = batch_consumer()
    channel = FakeChannel()
    messages = [FakeMessage(channel, tag) for tag in range(1, 8)]
    for message in messages:
        deliver(message)
    consumer.ack_messages(messages[:3])  # 1..3, with 4..7 still waiting: one ack for all three
    assert channel.acks == [(3, True)]
    # 5 and 7 of another queue: 4 and 6 (unsettled 5 in between) are acked one by one
    consumer.ack_messages([messages[3], messages[5]])
    assert channel.acks[1:] == [(4, False), (6, False)]
    consumer.ack_messages([messages[4], messages[6]])
    assert channel.acks[3:] == [(7, True)]
    assert consumer._unsettled == set()


def test_the_tags_of_a_lost_channel_do_not_hold_back_a_new_one():
    consumer, deliver = batch_consumer()
    old, new = FakeChannel(), FakeChannel()
    deliver(FakeMessage(old, 1))
    batch = [FakeMessage(new, 1), FakeMessage(new, 2)]
    for message in batch:
        deliver(message)
    consumer.ack_messages(batch)
    assert new.acks == [(2, True)] and old.acks == []


def test_rpc_replies_are_sent_without_waiting_for_a_confirm():
    # a reply goes to the caller's own transient queue; a confirm per call is a round trip that changes no outcome
    assert entrypoints.ReplyResponder.publisher_cls.use_confirms is False
    assert issubclass(entrypoints.ReplyResponder, entrypoints.Responder)
