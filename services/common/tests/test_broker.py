"""The broker's addresses and the platform's queue types: parsing and
declaration arguments at domain level, then on the real broker that the
queues of accepted work are quorum queues, that a dead first address is
passed over, and that a queue of an older release's type is refused with a
line that names it and the runbook."""
import logging

import kombu
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from pydantic import ValidationError

from services.common import broker, deadletters
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.settings import ServiceSettings
from services.common.testing import rabbit_api
from services.common.tests import sample

DEAD = "amqp://guest:guest@127.0.0.1:1/"


# --- addresses ------------------------------------------------------------------------------

def test_one_address_or_several_in_order():
    assert broker.addresses("amqp://u:p@a:5672/kim") == ["amqp://u:p@a:5672/kim"]
    assert broker.addresses("amqp://u:p@a:5672/kim;amqp://u:p@b:5673/kim") == [
        "amqp://u:p@a:5672/kim", "amqp://u:p@b:5673/kim"]
    assert broker.addresses(" amqp://a/ , amqps://b/ ;amqp://c/; ") == ["amqp://a/", "amqps://b/", "amqp://c/"]


def test_a_comma_inside_an_address_stays():
    assert broker.addresses("amqp://u:pa,ss@a/kim,amqp://u:pa,ss@b/kim") == [
        "amqp://u:pa,ss@a/kim", "amqp://u:pa,ss@b/kim"]


@pytest.mark.parametrize("value", ["", " ; ", "localhost:5672", "amqp://a/;http://b/", "amqp://"])
def test_no_address_or_not_an_amqp_url_is_refused(value):
    with pytest.raises(ValueError):
        broker.addresses(value)


def test_settings_keep_the_addresses_in_kombus_form(monkeypatch):
    monkeypatch.setenv("AMQP_URI", "amqp://u:p@a:5672/kim, amqp://u:p@b:5672/kim")
    settings = ServiceSettings()
    assert settings.amqp_uri == "amqp://u:p@a:5672/kim;amqp://u:p@b:5672/kim"
    assert settings.amqp_addresses == ["amqp://u:p@a:5672/kim", "amqp://u:p@b:5672/kim"]
    assert settings.nameko_config()["AMQP_URI"] == settings.amqp_uri
    monkeypatch.setenv("AMQP_URI", "broker:5672")
    with pytest.raises(ValidationError):
        ServiceSettings()


# --- queue types ----------------------------------------------------------------------------

def test_quorum_is_the_default_and_classic_the_way_back(monkeypatch):
    monkeypatch.delenv("KIM_QUEUE_TYPE", raising=False)
    assert ServiceSettings().queue_type == "quorum"
    monkeypatch.setenv("KIM_QUEUE_TYPE", "classic")
    assert ServiceSettings().queue_type == "classic"
    monkeypatch.setenv("KIM_QUEUE_TYPE", "mirrored")
    with pytest.raises(ValidationError):
        ServiceSettings()


def test_declaration_arguments():
    assert broker.durable_arguments("quorum") == {"x-queue-type": "quorum"}
    assert broker.durable_arguments("classic") == {}
    with pytest.raises(ValueError):
        broker.durable_arguments("lazy")
    # a delayed retry on a quorum queue is dead-lettered at least once, which needs reject-publish
    assert broker.delay_arguments("quorum", 5000) == {
        "x-queue-type": "quorum", "x-message-ttl": 5000, "x-dead-letter-exchange": "",
        "x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"}
    assert broker.delay_arguments("classic", 5000) == {"x-message-ttl": 5000, "x-dead-letter-exchange": ""}
    queue = broker.use_queue_type(kombu.Queue("evt-x", durable=True, queue_arguments={"x-expires": 1}), "quorum")
    assert queue.queue_arguments == {"x-expires": 1, "x-queue-type": "quorum"}


def test_a_queue_type_mismatch_names_the_queue_and_the_runbook():
    refusal = ("Queue.declare: (406) PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue "
               "'aspirations.intake' in vhost '/': received the value 'quorum' of type 'longstr' but current is none")
    line = broker.queue_type_mismatch(Exception(refusal))
    assert "'aspirations.intake'" in line and "docs/operations.md" in line and "KIM_QUEUE_TYPE" in line
    assert "(x-overflow)" in broker.queue_type_mismatch(Exception(
        "PRECONDITION_FAILED - inequivalent arg 'x-overflow' for queue 'kim.retry.1000ms' in vhost 'kim': received "
        "the value 'reject-publish' of type 'longstr' but current is none"))
    assert broker.queue_type_mismatch(Exception("(406) PRECONDITION_FAILED - invalid property 'auto-delete'")) is None


# --- on the real broker -----------------------------------------------------------------------

def queue_types(amqp_uri: str) -> dict[str, str]:
    vhost = amqp_uri.rsplit("/", 1)[1]
    return {q["name"]: q["type"] for q in rabbit_api("GET", f"/api/queues/{vhost}").json()}


def test_the_queues_of_accepted_work_are_quorum_queues(tmp_path, amqp_uri, container_factory):
    # a service given a dead address first starts all the same
    container = container_factory(sample.ConsumerService, sample.config(
        f"sqlite:///{tmp_path / 'consumer.db'}", f"{DEAD};{amqp_uri}", retry_delays="0.5,1"))
    container.start()
    types = queue_types(amqp_uri)
    # events, RPC requests, delayed retries and dead letters
    for name in ("evt-producer-note_added--consumer.on_note_added", "rpc-consumer",
                 "consumer.retry.500ms", "consumer.retry.1000ms", "consumer.dead-letters"):
        assert types.pop(name) == "quorum", name
    # what is left is nameko's own reply queues: the connection's, classic
    assert all(name.startswith("rpc.reply-") and kind == "classic" for name, kind in types.items()), types
    with ServiceRpcProxy("consumer", {"AMQP_URI": amqp_uri}) as consumer:
        assert consumer.health()["status"] == "ok"


def test_classic_queues_of_an_older_release_are_refused_with_the_runbook(tmp_path, amqp_uri, container_factory,
                                                                        caplog):
    def consumer(queue_type: str):
        return container_factory(sample.ConsumerService, sample.config(
            f"sqlite:///{tmp_path / 'consumer.db'}", amqp_uri, queue_type=queue_type))

    older = consumer("classic")  # what the release before quorum queues declared
    older.start()
    older.stop()
    assert set(queue_types(amqp_uri).values()) == {"classic"}
    # the service stops: retrying cannot help
    with caplog.at_level(logging.ERROR, logger="services.common.broker"), pytest.raises(broker.QueueTypeMismatch):
        consumer("quorum").start()
    assert any("consumer.retry." in r.getMessage() and "docs/operations.md" in r.getMessage()
               for r in caplog.records), caplog.text
    # until the migration, the operator keeps the older type by setting
    consumer("classic").start()


def test_a_dead_first_address_is_passed_over(amqp_uri):
    several = f"{DEAD};amqp://guest:guest@127.0.0.1:2/,{amqp_uri}"
    publisher = ConfirmedPublisher(ServiceSettings(amqp_uri=several).amqp_uri)
    try:
        deadletters.declare_topology(several, "svc", [0.5])
        publisher.publish([OutgoingMessage(exchange="", routing_key="svc.dead-letters", body=b"{}")])
    finally:
        publisher.close()
    assert deadletters.dead_letter_count(f"{DEAD};{amqp_uri}", "svc") == 1
