"""A group's relay report: `reached` bounded to a plausible figure per report
and per message, `channel` no longer than its column once normalised; a bad
report is refused with the field named and changes nothing."""
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.broadcast import broadcasts
from services.broadcast.models import Delivery, DirectoryKim, Relay
from services.common.db import make_engine, unit_of_work
from services.common.errors import InvalidInput
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.common.scope import Actor

KIM = "KIM-1471011002-01"
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def delivered(databases):
    url = databases("broadcast")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    with unit_of_work(engine, "broadcast") as session:
        session.execute(insert(DirectoryKim), [{
            "id": KIM, "name": "KIM Uji", "village_code": "14.71.01.1002", "district_code": "14.71.01",
            "regency_code": "14.71", "province_code": "14", "classification": "tumbuh", "status": "active",
            "version": 1, "updated_at": utcnow()}])
        admin = Actor("admin")
        created = broadcasts.create_broadcast(session, admin, {
            "title": "Uji", "body": "isi", "category": "pengumuman", "target": {"regions": ["14.71"]}})
        broadcasts.publish(session, admin, created["id"])
        broadcasts.fanout_step(session, 100)
    with Session(engine) as session:
        delivery_id = session.scalar(select(Delivery.id))
    yield engine, delivery_id
    engine.dispose()


def report(engine, delivery_id, **fields):
    data = {"reached": 120, "channel": "whatsapp", "date": utcnow().date().isoformat(), **fields}
    with unit_of_work(engine, "broadcast") as session:
        return broadcasts.relay(session, Actor("kim", kim_id=KIM), KIM, delivery_id, data)


def test_implausible_reach_and_overlong_channels_are_refused(delivered):
    engine, delivery_id = delivered
    for fields, field in (({"reached": broadcasts.MAX_REACHED_PER_REPORT + 1}, "reached"),
                          ({"reached": -1}, "reached"),
                          ({"channel": "x" * 31}, "channel"),
                          ({"channel": "İ" * 20}, "channel"),  # 40 characters once lower-cased
                          ({"channel": " "}, "channel")):
        with pytest.raises(InvalidInput) as refused:
            report(engine, delivery_id, **fields)
        assert refused.value.extra["errors"][0]["field"] == field, fields
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Relay)) == 0
    assert report(engine, delivery_id, reached=broadcasts.MAX_REACHED_PER_REPORT, channel="Pengeras Suara")["reached"] \
        == broadcasts.MAX_REACHED_PER_REPORT
    assert report(engine, delivery_id, channel="x" * 30)["reached"] == broadcasts.MAX_REACHED_PER_REPORT + 120


def test_the_total_per_message_is_bounded_too(delivered):
    engine, delivery_id = delivered
    reports = broadcasts.MAX_REACHED_PER_DELIVERY // broadcasts.MAX_REACHED_PER_REPORT
    for _ in range(reports):
        report(engine, delivery_id, reached=broadcasts.MAX_REACHED_PER_REPORT)
    with pytest.raises(InvalidInput) as refused:
        report(engine, delivery_id, reached=1)
    assert refused.value.extra["errors"][0]["field"] == "reached"
