"""The transactional outbox and the idempotent consumer."""
import json

import kombu
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import select

from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.db import make_engine, outbox, unit_of_work
from services.common.dependencies import Database
from services.common.events import make_envelope, record_event
from services.common.outbox import OutboxRelay
from services.common.testing import bus_connection
from services.common.tests import sample
from services.common.tests.helpers import count, wait_for


class ProducerThatDiesBeforePublishing(sample.ProducerService):
    """The producer process, killed after its commit and before its relay ran."""
    db = Database(relay=False)


@pytest.fixture
def consumer(databases, amqp_uri, container_factory):
    sample.ConsumerService.deliveries.clear()
    url = databases("consumer")
    container = container_factory(sample.ConsumerService, sample.config(url, amqp_uri))
    container.start()  # declares its queue before anything is published
    return url


def test_event_committed_before_a_crash_is_published_once_after_restart(
        databases, amqp_uri, container_factory, consumer):
    producer_url = databases("producer")
    crashed = container_factory(ProducerThatDiesBeforePublishing, sample.config(producer_url, amqp_uri))
    crashed.start()
    with ServiceRpcProxy("producer", {"AMQP_URI": amqp_uri}) as producer:
        producer.add_note("n1", "halo")
    crashed.kill()
    assert count(producer_url, "outbox") == 1
    assert sample.ConsumerService.deliveries == []

    restarted = container_factory(sample.ProducerService, sample.config(producer_url, amqp_uri))
    restarted.start()
    wait_for(lambda: count(consumer, "effects") == 1, message="the event to reach the consumer")
    engine = make_engine(producer_url)
    with engine.connect() as conn:
        assert conn.execute(select(outbox.c.sent_at)).scalar_one() is not None
    engine.dispose()
    eventlet_pause()
    assert len(sample.ConsumerService.deliveries) == 1
    assert count(consumer, "effects") == 1


def test_crash_after_publishing_repeats_the_event_and_the_consumer_absorbs_it(
        databases, amqp_uri, consumer):
    producer_url = databases("producer")
    sample.prepare(producer_url)
    engine = make_engine(producer_url)
    with unit_of_work(engine, "producer") as session:
        record_event(session, "note_added", {"id": "n1", "text": "halo"})
    publisher = ConfirmedPublisher(amqp_uri)
    relay = OutboxRelay(engine, publisher, "producer")
    with engine.connect() as conn:
        relay.publish(relay.fetch_unsent(conn))  # published, then the process died before marking
    assert relay.relay_all() == 1  # the restarted relay sends it again
    wait_for(lambda: len(sample.ConsumerService.deliveries) == 2, message="both deliveries")
    assert len(set(sample.ConsumerService.deliveries)) == 1
    wait_for(lambda: count(consumer, "effects") == 1, message="the effect")
    eventlet_pause()
    assert count(consumer, "effects") == 1
    assert count(consumer, "processed_events") == 1
    assert relay.backlog() == 0
    publisher.close()
    engine.dispose()


def test_the_same_event_delivered_twice_has_its_effect_once(amqp_uri, consumer):
    envelope = make_envelope("producer", "note_added", {"id": "n9", "text": "dua kali"})
    publisher = ConfirmedPublisher(amqp_uri)
    message = OutgoingMessage("producer.events", "note_added", json.dumps(envelope).encode())
    publisher.publish([message, message], declare={"producer.events": "topic"})
    publisher.close()
    wait_for(lambda: len(sample.ConsumerService.deliveries) == 2, message="both deliveries")
    wait_for(lambda: count(consumer, "effects") == 1, message="the effect")
    eventlet_pause()
    assert count(consumer, "effects") == 1
    assert count(consumer, "processed_events") == 1


def test_relay_publishes_every_event_in_commit_order(databases, amqp_uri):
    url = databases("producer")
    sample.prepare(url)
    engine = make_engine(url)
    with unit_of_work(engine, "producer") as session:
        expected = [record_event(session, "note_added", {"seq": i})["id"] for i in range(1200)]
    with bus_connection(amqp_uri) as conn:
        queue = kombu.Queue("order-check", kombu.Exchange("producer.events", "topic", durable=True),
                            routing_key="#", durable=False)
        queue(conn.channel()).declare()
        publisher = ConfirmedPublisher(amqp_uri)
        relay = OutboxRelay(engine, publisher, "producer", batch_size=500)
        assert relay.relay_all() == 1200
        assert relay.backlog() == 0
        received = []
        simple = conn.SimpleQueue(queue)
        while len(received) < 1200:
            message = simple.get(timeout=10)
            received.append(message.payload["id"])
            message.ack()
        simple.close()
    assert received == expected
    publisher.close()
    engine.dispose()


def test_relay_keeps_events_when_the_broker_is_unreachable(databases):
    url = databases("producer")
    sample.prepare(url)
    engine = make_engine(url)
    with unit_of_work(engine, "producer") as session:
        record_event(session, "note_added", {"id": "n1"})
    relay = OutboxRelay(engine, ConfirmedPublisher("amqp://guest:guest@127.0.0.1:1/"), "producer")
    with pytest.raises(Exception):  # noqa: B017 - which error an unreachable broker raises is kombu's business
        relay.relay_once()
    assert relay.backlog() == 1
    engine.dispose()


def eventlet_pause(seconds=0.5):
    """Leave time for a (wrong) extra delivery to show up."""
    import eventlet
    eventlet.sleep(seconds)


def test_two_relays_on_one_postgresql_database_publish_each_event_once_in_order(postgres_url, amqp_uri):
    """Several instances of a service: one relays at a time (advisory lock)."""
    import eventlet
    sample.prepare(postgres_url)
    engine = make_engine(postgres_url)
    with unit_of_work(engine, "producer") as session:
        expected = [record_event(session, "note_added", {"seq": i})["id"] for i in range(1000)]
    with bus_connection(amqp_uri) as conn:
        queue = kombu.Queue("order-check", kombu.Exchange("producer.events", "topic", durable=True),
                            routing_key="#", durable=False)
        queue(conn.channel()).declare()
        relays = [OutboxRelay(engine, ConfirmedPublisher(amqp_uri), "producer", batch_size=100) for _ in range(2)]

        def drain(relay):
            sent = 0
            while relay.backlog():
                sent += relay.relay_once()
                eventlet.sleep(0)
            return sent

        pool = eventlet.GreenPool()
        sent = list(pool.imap(drain, relays))
        assert sum(sent) == 1000
        simple = conn.SimpleQueue(queue)
        received = []
        while True:
            try:
                message = simple.get(timeout=2)
            except simple.Empty:
                break
            received.append(message.payload["id"])
            message.ack()
        simple.close()
    assert received == expected
    for relay in relays:
        relay.publisher.close()
    engine.dispose()
