"""The life of a group in the running registry: the vakum timer, revival
by an activity, every change an event; and the snapshot."""
import json
import os
import subprocess
import sys
from datetime import timedelta

import kombu
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import create_engine, text

from services.common.db import make_engine
from services.common.testing import bus_connection
from services.common.tests.helpers import wait_for
from services.registry import kims
from services.registry.service import RegistryService
from services.registry.settings import RegistrySettings

ADMIN = {"role": "admin", "scope_region": None, "kim_id": None, "key_id": "test-admin"}
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def group(number: int, village="14.71.01.1002") -> dict:
    return {"name": f"KIM Uji {number}", "village_code": village, "classification": "tumbuh", "tags": ["pemuda"],
            "sk": {"number": f"UJI/{number}", "date": "2024-05-01", "issuer": "Lurah Jadirejo"}}


@pytest.fixture
def events(amqp_uri):
    """Everything the registry publishes, as a list that fills up."""
    received = []
    connection = bus_connection(amqp_uri)
    queue = kombu.Queue("test-registry-events", kombu.Exchange("registry.events", "topic", durable=True),
                        routing_key="#", durable=False)
    queue(connection.channel()).declare()
    consumer = connection.SimpleQueue(queue)

    def drain():
        while True:
            try:
                message = consumer.get(timeout=0.05)
            except consumer.Empty:
                return received
            received.append(message.payload)
            message.ack()
    yield drain
    consumer.close()
    connection.release()


def test_vakum_timer_and_revival(registry_url, amqp_uri, container_factory, events):
    settings = RegistrySettings(database_url=registry_url, amqp_uri=amqp_uri, vakum_check_seconds=0.2,
                                vakum_after_days=180, outbox_poll_seconds=0.1)
    container = container_factory(RegistryService, settings.nameko_config())
    container.start()
    with ServiceRpcProxy("registry", {"AMQP_URI": amqp_uri}) as registry:
        quiet = registry.register_kim(actor=ADMIN, data=group(1))
        busy = registry.register_kim(actor=ADMIN, data=group(2))
        # time passes: the first group's last activity was 181 days ago, the other's 179
        engine = create_engine(registry_url)
        with engine.begin() as conn:
            for kim_id, days in ((quiet["id"], 181), (busy["id"], 179)):
                conn.execute(text("UPDATE kims SET last_activity_on = :d WHERE id = :id"),
                             {"d": kims.today(settings.timezone) - timedelta(days=days), "id": kim_id})
        engine.dispose()

        wait_for(lambda: registry.get_kim(actor=ADMIN, kim_id=quiet["id"])["status"] == "vakum",
                 message="the vakum timer")
        assert registry.get_kim(actor=ADMIN, kim_id=busy["id"])["status"] == "active"
        changed = wait_for(lambda: [e for e in events() if e["type"] == "kim_status_changed"],
                           message="the status event")
        assert changed[0]["data"]["kim_id"] == quiet["id"]
        assert (changed[0]["data"]["old"], changed[0]["data"]["new"]) == ("active", "vakum")
        assert "180" in changed[0]["data"]["reason"]
        history = registry.status_history(actor=ADMIN, kim_id=quiet["id"])["history"]
        assert [h["new"] for h in history] == ["active", "vakum"] and history[1]["actor"] == "system:vakum-timer"

        registry.report_activity(actor=ADMIN, kim_id=quiet["id"], data={
            "date": kims.today(settings.timezone).isoformat(), "title": "Rapat pengurus", "kind": "pertemuan", "participants": 9})
        assert registry.get_kim(actor=ADMIN, kim_id=quiet["id"])["status"] == "active"
        revived = wait_for(lambda: [e for e in events() if e["type"] == "kim_status_changed"
                                    and e["data"]["new"] == "active"], message="the revival event")
        assert revived[0]["data"]["reason"] == "melaporkan kegiatan"
        types = [e["type"] for e in events()]
        assert types.count("kim_registered") == 2 and "kim_activity_reported" in types
        registered = next(e for e in events() if e["type"] == "kim_registered")
        assert registered["producer"] == "registry" and registered["version"] == 1
        assert registered["data"]["region_path"] == ["14", "14.71", "14.71.01", "14.71.01.1002"]
        assert "contact" not in registered["data"]


def test_snapshot_by_rpc_and_by_command(registry_url, amqp_uri, container_factory, events):
    settings = RegistrySettings(database_url=registry_url, amqp_uri=amqp_uri, outbox_poll_seconds=0.1)
    container = container_factory(RegistryService, settings.nameko_config())
    container.start()
    with ServiceRpcProxy("registry", {"AMQP_URI": amqp_uri}) as registry:
        ids = {registry.register_kim(actor=ADMIN, data=group(n))["id"] for n in range(3)}
        result = registry.emit_snapshot()
        assert result["kims"] == 3
        snapshot = wait_for(lambda: [e for e in events() if e["type"] == "kim_snapshot"], message="snapshot")
        wait_for(lambda: len([e for e in events() if e["type"] == "kim_snapshot"]) == 3, message="3 events")
        assert {e["data"]["id"] for e in events() if e["type"] == "kim_snapshot"} == ids
        assert {e["data"]["total"] for e in snapshot} == {3}

    env = {**os.environ, "REGISTRY_DATABASE_URL": registry_url, "PYTHONPATH": ROOT}
    out = subprocess.run([sys.executable, "-m", "services.registry.snapshot"], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out.strip().splitlines()[-1])["kims"] == 3
    wait_for(lambda: len([e for e in events() if e["type"] == "kim_snapshot"]) == 6,
             message="the command's snapshot, published by the running relay")


def test_counters_kept_in_step_equal_a_rebuild(registry_url, amqp_uri, container_factory):
    settings = RegistrySettings(database_url=registry_url, amqp_uri=amqp_uri)
    container = container_factory(RegistryService, settings.nameko_config())
    container.start()
    with ServiceRpcProxy("registry", {"AMQP_URI": amqp_uri}) as registry:
        a = registry.register_kim(actor=ADMIN, data=group(1))
        b = registry.register_kim(actor=ADMIN, data=group(2, "14.71.01.1003"))
        registry.register_kim(actor=ADMIN, data=group(3, "14.72.01.1003"))
        registry.change_status(actor=ADMIN, kim_id=a["id"], status="vakum", reason="pengurus pindah")
        registry.update_kim(actor=ADMIN, kim_id=b["id"], changes={"village_code": "14.72.01.1003"})
        registry.change_status(actor=ADMIN, kim_id=b["id"], status="dissolved", reason="bubar")
        kept = registry.get_coverage(actor=ADMIN, code="ID")
    engine = make_engine(registry_url)
    from sqlalchemy.orm import Session

    from services.registry import coverage
    with Session(engine) as session, session.begin():
        coverage.rebuild(session)
    with Session(engine) as session:
        rebuilt = coverage.get_coverage(session, "ID")
    engine.dispose()
    assert kept == rebuilt
    riau = next(c for c in kept["children"] if c["code"] == "14")
    assert (riau["kim_active"], riau["kim_vakum"], riau["kim_dissolved"]) == (1, 1, 1)
    assert (riau["villages_with_kim"], riau["villages_with_active_kim"]) == (2, 1)
