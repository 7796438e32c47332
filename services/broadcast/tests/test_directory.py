"""The broadcast service's KIM directory, built only from the registry's
events: idempotent, order-proof by version, rebuilt from a snapshot; and
targeting over it."""
import json
from pathlib import Path

import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.broadcast.service import BroadcastService
from services.broadcast.settings import BroadcastSettings
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.events import make_envelope
from services.common.migrations import upgrade
from services.common.tests.helpers import count, wait_for
from services.registry.events import kim_registered
from services.registry.tests.samples import sample_kim

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
ADMIN = {"role": "admin", "scope_region": None, "kim_id": None, "key_id": "test"}


def record(kim_id, village, tags=(), classification="tumbuh", status="active", version=1):
    """A whole record, as the registry's builder makes it (its contract: KimRecord)."""
    kim = sample_kim(id=kim_id, name=f"KIM {kim_id}", village_code=village, tags=list(tags),
                     classification=classification, status=status, version=version)
    return kim_registered(kim).wire()


@pytest.fixture
def broadcast(databases, amqp_uri, container_factory):
    url = databases("broadcast")
    upgrade(url, MIGRATIONS)
    settings = BroadcastSettings(database_url=url, amqp_uri=amqp_uri, retry_delays="0.2,0.4,0.8")
    container = container_factory(BroadcastService, settings.nameko_config())
    container.start()
    publisher = ConfirmedPublisher(amqp_uri)

    def publish(*envelopes):
        publisher.publish([OutgoingMessage("registry.events", e["type"], json.dumps(e).encode())
                           for e in envelopes], declare={"registry.events": "topic"})

    with ServiceRpcProxy("broadcast", {"AMQP_URI": amqp_uri}) as rpc:
        yield url, publish, rpc
    publisher.close()


def event(event_type, data):
    return make_envelope("registry", event_type, data)


def test_events_build_the_directory_once_and_in_version_order(broadcast):
    url, publish, rpc = broadcast
    registered = event("kim_registered", record("K1", "14.71.01.1002", ["pemuda"]))
    publish(registered, registered)  # a repeat changes nothing
    # the status change of K2 overtakes its registration: retried until it applies
    publish(event("kim_status_changed", {"kim_id": "K2", "old": "active", "new": "vakum", "reason": "x",
                                         "version": 2, "village_code": "14.72.01.1003"}))
    publish(event("kim_registered", record("K2", "14.72.01.1003", ["umkm"], "maju")))
    # an old update arriving after a newer one is ignored
    publish(event("kim_updated", record("K1", "14.71.01.1002", ["pemuda", "umkm"], version=3)),
            event("kim_updated", record("K1", "14.71.01.1002", ["pemuda"], version=2)))
    wait_for(lambda: rpc.count_recipients(actor=ADMIN, target={"regions": ["14"], "include_vakum": True})["recipients"] == 2,
             message="both groups")
    wait_for(lambda: rpc.count_recipients(actor=ADMIN, target={"regions": ["14"]})["recipients"] == 1,
             message="K2 vakum after its late registration")
    wait_for(lambda: rpc.count_recipients(actor=ADMIN, target={"regions": ["14"], "tags": ["umkm"]})["recipients"] == 1,
             message="K1 at version 3")
    assert count(url, "kim_directory") == 2
    assert rpc.count_recipients(actor=ADMIN, target={"regions": ["14.72"], "include_vakum": True})["recipients"] == 1


def test_a_snapshot_rebuilds_an_empty_directory(broadcast):
    url, publish, rpc = broadcast
    publish(*[event("kim_snapshot", {**record(f"S{i}", "14.71.01.1002", ["pemuda"] if i % 2 else []),
                                      "snapshot_id": "s", "position": i + 1, "total": 10}) for i in range(10)])
    wait_for(lambda: count(url, "kim_directory") == 10, message="the snapshot")
    assert rpc.count_recipients(actor=ADMIN, target={"regions": ["14.71.01.1002"], "tags": ["pemuda"]})["recipients"] == 5


def test_targeting_by_region_tag_classification_and_status(broadcast):
    url, publish, rpc = broadcast
    groups = [
        record("A1", "14.71.01.1002", ["pemuda"], "tumbuh"),
        record("A2", "14.71.01.1003", ["umkm"], "maju"),
        record("A3", "14.71.02.1001", ["pemuda", "umkm"], "maju", status="vakum"),
        record("B1", "14.72.01.1003", ["pemuda"], "tumbuh"),
        record("B2", "14.72.01.1006", [], "mandiri", status="dissolved"),
        record("C1", "31.71.01.1001", ["pemuda"], "tumbuh"),
    ]
    publish(*[event("kim_registered", g) for g in groups])
    wait_for(lambda: count(url, "kim_directory") == 6, message="the directory")
    expected = {
        (("14",), (), (), False): 3,            # A1 A2 B1; vakum and dissolved out
        (("14",), (), (), True): 4,             # + A3
        (("14.71",), ("pemuda",), (), True): 2,  # A1 A3
        (("14.71", "31"), ("pemuda",), (), False): 2,  # A1 C1
        (("14",), (), ("maju",), True): 2,      # A2 A3
        (("14.71.01",), ("umkm", "pemuda"), ("tumbuh", "maju"), False): 2,  # A1 A2
        (("14.72.01.1006",), (), (), True): 0,  # dissolved never
    }
    for (regions, tags, classes, vakum), n in expected.items():
        target = {"regions": list(regions), "tags": list(tags), "classifications": list(classes),
                  "include_vakum": vakum}
        assert rpc.count_recipients(actor=ADMIN, target=target)["recipients"] == n, target


def test_an_answer_to_an_aspiration_filed_by_a_group_lands_in_its_inbox(broadcast, amqp_uri):
    url, publish, rpc = broadcast
    publish(event("kim_registered", record("A1", "14.71.01.1002")))
    wait_for(lambda: count(url, "kim_directory") == 1, message="the group")
    answer = make_envelope("aspirations", "aspiration_responded", {
        "aspiration_id": "asp-1", "tracking_code": "K7P3QX", "kim_id": "A1", "response": "Jalan diperbaiki Januari."})
    publisher = ConfirmedPublisher(amqp_uri)
    publisher.publish([OutgoingMessage("aspirations.events", "aspiration_responded", json.dumps(answer).encode())],
                      declare={"aspirations.events": "topic"})
    publisher.close()
    group = {"role": "kim", "kim_id": "A1", "scope_region": "14.71.01.1002", "key_id": "k"}
    inbox = wait_for(lambda: rpc.inbox(actor=group, kim_id="A1")["items"], message="the answer")
    assert inbox[0]["kind"] == "aspiration_answer"
    assert inbox[0]["message"] == {"aspiration_id": "asp-1", "tracking_code": "K7P3QX",
                                   "response": "Jalan diperbaiki Januari."}
