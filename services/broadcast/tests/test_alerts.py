"""Darurat broadcasts as CAP 1.2 alerts in the broadcast service (issue 16):
the current alerts, one alert's XML (validated against the OASIS schema), and
withdrawing a broadcast: a Cancel in the feed and a `withdrawal` message to
each group that had it. On both databases."""
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from services.broadcast import broadcasts, cap
from services.broadcast.models import Broadcast, Delivery, DirectoryKim, Webhook
from services.common.db import make_engine, unit_of_work
from services.common.errors import InvalidTransition, NotFound, OutOfScope
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.common.scope import Actor

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parents[3] / "tests" / "cap" / "CAP-v1.2.xsd")
NS = {"cap": cap.CAP_NAMESPACE}
KIMS = ["KIM-1471011002-01", "KIM-1471011002-02"]
PEKANBARU, DUMAI = Actor("operator", "14.71"), Actor("operator", "14.72")
SENDER = "bpbd@kim.go.id"


@pytest.fixture
def engine(databases):
    url = databases("broadcast")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    with unit_of_work(engine, "broadcast") as session:
        session.execute(insert(DirectoryKim), [{
            "id": kim, "name": "KIM Uji", "village_code": "14.71.01.1002", "district_code": "14.71.01",
            "regency_code": "14.71", "province_code": "14", "classification": "tumbuh", "status": "active",
            "version": 1, "updated_at": utcnow()} for kim in KIMS])
        session.add(Webhook(kim_id=KIMS[0], url="https://kim.example.id/hook", secret="s", updated_at=utcnow()))
    yield engine
    engine.dispose()


def published(engine, category="darurat", publish=True) -> str:
    with unit_of_work(engine, "broadcast") as session:
        created = broadcasts.create_broadcast(session, PEKANBARU, {
            "title": "Banjir", "body": "Mengungsi ke posko.", "category": category, "priority": "urgent",
            "target": {"regions": ["14.71"]}})
        if publish:
            broadcasts.publish(session, PEKANBARU, created["id"])
            broadcasts.fanout_step(session, 100)
    return created["id"]


def current(engine) -> list[dict]:
    with Session(engine) as session:
        return broadcasts.current_alerts(session, open_days=30)


def xml(engine, broadcast_id) -> ET.Element:
    with Session(engine) as session:
        document = broadcasts.alert_xml(session, broadcast_id, SENDER, 30, {"14.71": "Kota Pekanbaru"})
    SCHEMA.validate(document)
    return ET.fromstring(document)


def test_a_published_darurat_broadcast_is_a_current_alert(engine):
    emergency = published(engine)
    published(engine, category="pengumuman")
    draft = published(engine, publish=False)
    [alert] = current(engine)
    assert (alert["id"], alert["identifier"], alert["msg_type"]) == (emergency, f"kim-{emergency}-1", "Alert")
    document = xml(engine, emergency)
    assert document.findtext("cap:sender", namespaces=NS) == SENDER
    assert document.findtext("cap:info/cap:area/cap:areaDesc", namespaces=NS) == "Kota Pekanbaru"
    for other in (draft, "0b0e6a4e-7d7b-4c38-9a0c-5f1f2f3a4b5c"):
        with pytest.raises(NotFound), Session(engine) as session:
            broadcasts.alert_xml(session, other, SENDER, 30)


def test_withdrawing_sends_a_cancel_and_tells_the_groups(engine):
    emergency = published(engine)
    with pytest.raises(OutOfScope), unit_of_work(engine, "broadcast") as session:
        # an office below the author reads it but does not withdraw it
        broadcasts.withdraw(session, Actor("operator", "14.71.01"), emergency)
    with pytest.raises(NotFound), unit_of_work(engine, "broadcast") as session:
        broadcasts.withdraw(session, DUMAI, emergency)
    with unit_of_work(engine, "broadcast") as session:
        assert broadcasts.withdraw(session, PEKANBARU, emergency)["status"] == "withdrawn"
    with unit_of_work(engine, "broadcast") as session:  # again: nothing more
        broadcasts.withdraw(session, PEKANBARU, emergency)

    [alert] = current(engine)
    assert (alert["identifier"], alert["msg_type"]) == (f"kim-{emergency}-2", "Cancel")
    document = xml(engine, emergency)
    assert document.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert document.findtext("cap:references", namespaces=NS).startswith(f"{SENDER},kim-{emergency}-1,")

    with Session(engine) as session:
        withdrawals = session.scalars(select(Delivery).where(Delivery.kind == "withdrawal")
                                      .order_by(Delivery.kim_id)).all()
        assert [(d.kim_id, d.push_state, d.message["broadcast_id"]) for d in withdrawals] == [
            (KIMS[0], "pending", emergency), (KIMS[1], "none", emergency)]
        events = [json.loads(row[0]) for row in session.execute(text(
            "SELECT envelope FROM outbox WHERE event_type = 'deliveries_created'"))]
        [withdrawal] = [e["data"] for e in events if e["data"]["kind"] == "withdrawal"]
        # apart from the broadcast's own figures in the channels
        assert withdrawal["broadcast_id"] is None and withdrawal["message"]["title"] == "DIBATALKAN: Banjir"
        assert sorted(d["kim_id"] for d in withdrawal["deliveries"]) == KIMS
        assert session.get(Broadcast, emergency).withdrawn_at is not None


def test_a_draft_is_not_withdrawn_and_a_withdrawn_broadcast_fans_out_no_more(engine):
    draft = published(engine, publish=False)
    with pytest.raises(InvalidTransition), unit_of_work(engine, "broadcast") as session:
        broadcasts.withdraw(session, PEKANBARU, draft)
    with unit_of_work(engine, "broadcast") as session:
        broadcasts.publish(session, PEKANBARU, draft)  # publishing: no group has it yet
        broadcasts.withdraw(session, PEKANBARU, draft)
    with unit_of_work(engine, "broadcast") as session:
        assert broadcasts.fanout_step(session, 100) == (None, 0)
        assert session.scalars(select(Delivery)).all() == []
    [alert] = current(engine)
    assert alert["msg_type"] == "Cancel"
