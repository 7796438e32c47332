"""Changing a broadcast and its English text (issue 16): a draft changes in
every field, a sent broadcast in its content only, each change of a sent one a
revision: a CAP Update referring to every earlier version (validated against
the OASIS schema), and an `update` message to each group that had it. On both
databases."""
import json
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from services.broadcast import broadcasts, cap
from services.broadcast.models import Broadcast, BroadcastRegion, Delivery, DirectoryKim, Webhook
from services.common.db import make_engine, unit_of_work
from services.common.errors import InvalidInput, InvalidTransition, NotFound, OutOfScope
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.common.scope import Actor

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
SCHEMA = xmlschema.XMLSchema(Path(__file__).resolve().parents[3] / "tests" / "cap" / "CAP-v1.2.xsd")
NS = {"cap": cap.CAP_NAMESPACE}
KIMS = ["KIM-1471011002-01", "KIM-1471011002-02"]
PEKANBARU, DUMAI = Actor("operator", "14.71"), Actor("operator", "14.72")
SENDER = "bpbd@kim.go.id"
ENGLISH = {"title_en": "Flood", "body_en": "Evacuate to the nearest shelter."}


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


def broadcast(engine, publish=True, **fields) -> str:
    with unit_of_work(engine, "broadcast") as session:
        created = broadcasts.create_broadcast(session, PEKANBARU, {
            "title": "Banjir", "body": "Mengungsi ke posko.", "category": "darurat", "priority": "urgent",
            "target": {"regions": ["14.71"]}, **fields})
        if publish:
            broadcasts.publish(session, PEKANBARU, created["id"])
            broadcasts.fanout_step(session, 100)
    return created["id"]


def change(engine, broadcast_id, actor=PEKANBARU, **changes) -> dict:
    with unit_of_work(engine, "broadcast") as session:
        return broadcasts.change_broadcast(session, actor, broadcast_id, changes)


def alert(engine, broadcast_id) -> ET.Element:
    with Session(engine) as session:
        document = broadcasts.alert_xml(session, broadcast_id, SENDER, 30, {"14.71": "Kota Pekanbaru"})
    SCHEMA.validate(document)
    return ET.fromstring(document)


def references(document: ET.Element) -> list[str]:
    """The identifiers an alert refers to, in order (`sender,identifier,sent` each)."""
    found = document.findtext("cap:references", namespaces=NS)
    return [reference.split(",")[1] for reference in found.split()] if found else []


def languages(document: ET.Element) -> list[str]:
    return [info.findtext("cap:language", namespaces=NS) for info in document.findall("cap:info", NS)]


def outbox(engine, kind: str) -> list[dict]:
    with Session(engine) as session:
        events = [json.loads(row[0]) for row in session.execute(text(
            "SELECT envelope FROM outbox WHERE event_type = 'deliveries_created'"))]
    return [e["data"] for e in events if e["data"]["kind"] == kind]


def test_english_text_is_stored_shown_and_an_en_us_info_only_when_given(engine):
    with pytest.raises(InvalidInput) as refused, unit_of_work(engine, "broadcast") as session:
        broadcasts.create_broadcast(session, PEKANBARU, {
            "title": "Banjir", "body": "Isi.", "category": "darurat", "target": {"regions": ["14.71"]},
            "title_en": "Flood"})
    assert refused.value.extra["errors"][0]["field"] == "body_en"
    english, plain = broadcast(engine, **ENGLISH), broadcast(engine)
    with Session(engine) as session:
        view = broadcasts.get_broadcast(session, PEKANBARU, english)
    assert (view["title_en"], view["body_en"]) == (ENGLISH["title_en"], ENGLISH["body_en"])
    document = alert(engine, english)
    assert languages(document) == ["id-ID", "en-US"]
    assert document.findall("cap:info", NS)[1].findtext("cap:headline", namespaces=NS) == "Flood"
    assert languages(alert(engine, plain)) == ["id-ID"]


def test_a_draft_changes_in_every_field(engine):
    draft = broadcast(engine, publish=False)
    ahead = (utcnow() + timedelta(days=2)).isoformat()
    changed = change(engine, draft, title="Banjir susulan", category="pengumuman", priority="high",
                     target={"regions": ["14.71.01"]}, publish_at=ahead, **ENGLISH)
    assert (changed["title"], changed["category"], changed["priority"], changed["title_en"], changed["status"]) == (
        "Banjir susulan", "pengumuman", "high", "Flood", "draft")
    assert changed["target"]["regions"] == ["14.71.01"] and changed["revisions"] == []
    with Session(engine) as session:  # the office finds it by its new target
        assert session.scalars(select(BroadcastRegion.region_code)
                               .where(BroadcastRegion.broadcast_id == draft)).all() == ["14.71.01"]
    assert change(engine, draft, title_en=None, body_en=None)["title_en"] is None
    with pytest.raises(InvalidInput):  # the English text: both or neither
        change(engine, draft, title_en="Only a title")
    with pytest.raises(InvalidInput):
        change(engine, draft, expires_at=(utcnow() + timedelta(days=1)).isoformat())  # before publish_at
    for stranger in (Actor("operator", "14.71.01"), DUMAI):  # a draft is its office's (and those above)
        with pytest.raises(NotFound):
            change(engine, draft, actor=stranger, title="Lain")
    assert change(engine, draft, actor=Actor("admin", "14"), title="Dari provinsi")["title"] == "Dari provinsi"
    with pytest.raises(OutOfScope):  # the target stays inside the caller's scope
        change(engine, draft, target={"regions": ["14.72"]})


def test_a_scheduled_broadcast_moved_to_now_is_published(engine):
    scheduled = broadcast(engine, publish_at=(utcnow() + timedelta(days=1)).isoformat())
    with Session(engine) as session:  # what the fan-out tells its timer: wait until then
        assert 86000 < broadcasts.next_scheduled_in(session) <= 86400
    assert change(engine, scheduled, publish_at=None)["status"] == "publishing"
    with Session(engine) as session:
        assert broadcasts.next_scheduled_in(session) is None


def test_a_sent_broadcast_changes_its_content_only_and_a_withdrawn_one_not_at_all(engine):
    emergency = broadcast(engine)
    with pytest.raises(OutOfScope):  # the office below reads it, the one that wrote it changes it
        change(engine, emergency, actor=Actor("operator", "14.71.01"), title="Lain")
    for field, value in (("category", "pengumuman"), ("target", {"regions": ["14.71.01"]}),
                         ("publish_at", None)):
        with pytest.raises(InvalidTransition) as refused:
            change(engine, emergency, **{field: value})
        assert refused.value.extra["fields"] == [field]
    with pytest.raises(InvalidInput):
        change(engine, emergency, expires_at=(utcnow() - timedelta(hours=1)).isoformat())
    assert change(engine, emergency, title="Banjir")["revisions"] == []  # nothing changed: no revision
    with unit_of_work(engine, "broadcast") as session:
        broadcasts.withdraw(session, PEKANBARU, emergency)
    with pytest.raises(InvalidTransition):
        change(engine, emergency, title="Banjir susulan")


def test_each_change_of_a_sent_broadcast_is_an_update_and_a_cancel_refers_to_all(engine):
    emergency = broadcast(engine)
    first = alert(engine, emergency)
    assert references(first) == []
    changed = change(engine, emergency, body="Air naik lagi. Tetap di posko.", priority="high", **ENGLISH)
    assert len(changed["revisions"]) == 1
    with Session(engine) as session:
        [summary] = broadcasts.current_alerts(session, open_days=30)
    assert (summary["identifier"], summary["msg_type"]) == (f"kim-{emergency}-2", "Update")

    update = alert(engine, emergency)
    assert update.findtext("cap:msgType", namespaces=NS) == "Update"
    assert update.findtext("cap:identifier", namespaces=NS) == f"kim-{emergency}-2"
    assert update.findtext("cap:sent", namespaces=NS) == cap.cap_time(
        revision(engine, emergency, 0))
    assert update.findtext("cap:references", namespaces=NS) == (
        f"{SENDER},kim-{emergency}-1,{first.findtext('cap:sent', namespaces=NS)}")
    assert update.findtext("cap:info/cap:description", namespaces=NS) == "Air naik lagi. Tetap di posko."
    assert update.findtext("cap:info/cap:severity", namespaces=NS) == "Severe"
    assert languages(update) == ["id-ID", "en-US"]

    change(engine, emergency, title="Banjir susulan")
    second = alert(engine, emergency)
    assert references(second) == [f"kim-{emergency}-1", f"kim-{emergency}-2"]
    with unit_of_work(engine, "broadcast") as session:
        broadcasts.withdraw(session, PEKANBARU, emergency)
    cancel = alert(engine, emergency)
    assert (cancel.findtext("cap:msgType", namespaces=NS), cancel.findtext("cap:identifier", namespaces=NS)) == (
        "Cancel", f"kim-{emergency}-4")
    assert references(cancel) == [f"kim-{emergency}-{n}" for n in (1, 2, 3)]
    assert cancel.findtext("cap:info/cap:headline", namespaces=NS) == "DIBATALKAN: Banjir susulan"


def revision(engine, broadcast_id: str, index: int) -> datetime:

    with Session(engine) as session:
        return datetime.fromisoformat(session.get(Broadcast, broadcast_id).revisions[index])


def test_the_groups_that_had_it_get_an_update_message(engine):
    emergency = broadcast(engine)
    draft = broadcast(engine, publish=False)
    change(engine, draft, title="Draf diubah")  # a draft reached nobody: nobody is told
    assert outbox(engine, "update") == []
    change(engine, emergency, title="Banjir susulan", body="Air naik lagi.")
    with Session(engine) as session:
        updates = session.scalars(select(Delivery).where(Delivery.kind == "update").order_by(Delivery.kim_id)).all()
        assert [(d.kim_id, d.push_state, d.broadcast_id) for d in updates] == [
            (KIMS[0], "pending", None), (KIMS[1], "none", None)]
        assert {k: updates[0].message[k] for k in ("broadcast_id", "title", "body", "revision")} == {
            "broadcast_id": emergency, "title": "Banjir susulan", "body": "Air naik lagi.", "revision": 1}
        inbox = broadcasts.inbox(session, Actor("kim", kim_id=KIMS[1]), KIMS[1], 50, 0)
    assert [d["kind"] for d in inbox["items"]] == ["update", "broadcast"]
    [event] = outbox(engine, "update")
    # the channels carry it, apart from the broadcast's own figures
    assert event["broadcast_id"] is None and event["message"]["title"] == "DIPERBARUI: Banjir susulan"
    assert event["message"]["body"] == "Air naik lagi."
    assert sorted(d["kim_id"] for d in event["deliveries"]) == KIMS
