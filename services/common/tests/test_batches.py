"""Batching handlers: many events in one transaction, with every guarantee of
one at a time. A poison event is retried and dead-lettered alone while the
good ones of its batch are applied; a repeated batch, or an event repeated
within a batch, is applied once."""
import json

import eventlet
from eventlet.event import Event
from sqlalchemy import create_engine, select

from services.common import deadletters
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.events import make_envelope
from services.common.testing import rabbit_api
from services.common.tests import sample
from services.common.tests.helpers import count, wait_for

QUEUE = "evt-producer-note_added--batches.on_note_added"


def note(text: str, note_id: str | None = None) -> dict:
    return make_envelope("producer", "note_added", {"id": note_id or text, "text": text})


def unacked(amqp_uri: str) -> int:
    vhost = amqp_uri.rsplit("/", 1)[1]
    return rabbit_api("GET", f"/api/queues/{vhost}/{QUEUE}").json().get("messages_unacknowledged", 0)


def started(databases, amqp_uri, container_factory, **settings):
    sample.BatchService.batches = []
    sample.BatchService.gate = Event()
    url = databases("batches")
    container = container_factory(sample.BatchService, sample.config(url, amqp_uri, **settings))
    container.start()
    publisher = ConfirmedPublisher(amqp_uri)

    def publish(*envelopes):
        publisher.publish([OutgoingMessage("producer.events", "note_added", json.dumps(e).encode())
                           for e in envelopes], declare={"producer.events": "topic"})

    return url, publish, publisher


def held_batch(amqp_uri, publish, *envelopes):
    """Publish `envelopes` while the gate holds a batch, so that they all
    wait in the service and make up its next batch together."""
    publish(note("gate"))
    wait_for(lambda: sample.BatchService.batches, message="the gate's batch")
    publish(*envelopes)
    wait_for(lambda: unacked(amqp_uri) == 1 + len(envelopes), timeout=40, message="everything delivered")
    sample.BatchService.gate.send()


def effects(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        notes = sorted(conn.execute(select(sample.effects.c.note_id)).scalars())
    engine.dispose()
    return notes


def test_a_poison_event_is_dead_lettered_alone_and_its_batch_is_applied(databases, amqp_uri, container_factory):
    url, publish, publisher = started(databases, amqp_uri, container_factory, retry_delays="0.2,0.4")
    held_batch(amqp_uri, publish, note("good-1"), note("poison"), note("good-2"))
    wait_for(lambda: deadletters.dead_letter_count(amqp_uri, "batches") == 1, timeout=40,
             message="the poison event in the dead letters")
    wait_for(lambda: effects(url) == ["gate", "good-1", "good-2"], message="the good ones applied")
    batches = sample.BatchService.batches
    assert ["good-1", "poison", "good-2"] in batches  # they were tried together first
    # then one at a time: the good ones once each, the poison one until it is dead-lettered (2 retries)
    assert batches.count(["good-1"]) == batches.count(["good-2"]) == 1
    assert batches.count(["poison"]) == 3
    eventlet.sleep(0.5)
    assert count(url, "effects") == 3 and deadletters.dead_letter_count(amqp_uri, "batches") == 1
    publisher.close()


def test_a_repeated_batch_and_repeats_within_a_batch_are_applied_once(databases, amqp_uri, container_factory):
    url, publish, publisher = started(databases, amqp_uri, container_factory)
    events = [note(f"n{i}") for i in range(5)]
    held_batch(amqp_uri, publish, *events, *events)  # each twice in one batch
    wait_for(lambda: effects(url) == ["gate", "n0", "n1", "n2", "n3", "n4"], message="the batch applied")
    assert [f"n{i}" for i in range(5)] * 2 in sample.BatchService.batches
    publish(*events)  # the broker delivers the whole batch again (a lost ack)
    wait_for(lambda: sum(len(b) for b in sample.BatchService.batches) == 16, message="the repeat handled")
    eventlet.sleep(0.3)
    assert effects(url) == ["gate", "n0", "n1", "n2", "n3", "n4"]
    wait_for(lambda: unacked(amqp_uri) == 0, timeout=40, message="every message acked")
    publisher.close()
