"""The broadcast service's share of the evaluation's figures: acknowledgements
and relays (with the people reached) per group and month of the platform's time
zone, inside the region asked, for an office of it only."""
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert

from services.broadcast import figures
from services.broadcast.models import Broadcast, Delivery, Relay
from services.common.db import make_engine, unit_of_work
from services.common.errors import InvalidInput, OutOfScope
from services.common.migrations import upgrade
from services.common.scope import Actor

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
ZONE = "Asia/Jakarta"
PEKANBARU, DUMAI = "KIM-1471011002-01", "KIM-1472011003-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def engine(databases):
    url = databases("broadcast")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    now = at("2025-01-01T00:00:00")
    with unit_of_work(engine, "broadcast") as session:
        session.execute(insert(Broadcast), [{
            "id": f"b{i}", "title": "Uji", "body": "isi", "category": "pengumuman", "priority": "normal",
            "target": {"regions": ["14"]}, "issuer": "admin", "status": "published", "recipients": 3,
            "created_at": now} for i in range(1, 6)])
        deliveries = [  # id, group, village, acknowledged at (UTC)
            (1, PEKANBARU, "14.71.01.1002", at("2025-01-31T18:00:00")),  # 1 February in Jakarta
            (2, PEKANBARU, "14.71.01.1002", at("2025-03-02T03:00:00")),
            (3, PEKANBARU, "14.71.01.1002", None),
            (4, DUMAI, "14.72.01.1003", at("2025-03-05T03:00:00")),
            (5, PEKANBARU, "14.71.01.1002", at("2026-01-05T03:00:00")),  # after the period
        ]
        session.execute(insert(Delivery), [{
            "id": i, "kind": "broadcast", "broadcast_id": f"b{i}", "kim_id": kim, "village_code": village,
            "created_at": now, "acknowledged_at": acked, "push_state": "none"} for i, kim, village, acked in deliveries])
        session.execute(insert(Relay), [
            {"delivery_id": 1, "reached": 40, "channel": "whatsapp", "date": date(2025, 2, 3), "created_at": now},
            {"delivery_id": 2, "reached": 60, "channel": "masjid", "date": date(2025, 3, 4), "created_at": now},
            {"delivery_id": 2, "reached": 15, "channel": "whatsapp", "date": date(2025, 3, 4), "created_at": now},
            {"delivery_id": 4, "reached": 99, "channel": "whatsapp", "date": date(2025, 3, 6), "created_at": now}])
    yield engine
    engine.dispose()


def ask(engine, actor: Actor, region: str, first="2025-01", last="2025-12"):
    with unit_of_work(engine, "broadcast") as session:
        return figures.group_figures(session, actor, region, first, last, ZONE)


def test_acknowledgements_and_relays_per_group_and_month(engine):
    assert ask(engine, Actor("operator", "14.71"), "14.71") == {
        "counted": ["acknowledged", "reached", "relays"],
        "figures": {PEKANBARU: {"2025-02": {"acknowledged": 1, "relays": 1, "reached": 40},
                                "2025-03": {"acknowledged": 1, "relays": 2, "reached": 75}}}}
    province = ask(engine, Actor("admin"), "14")["figures"]
    assert province[DUMAI] == {"2025-03": {"acknowledged": 1, "relays": 1, "reached": 99}}
    assert ask(engine, Actor("admin"), "14", "2026-01", "2026-01")["figures"] == {
        PEKANBARU: {"2026-01": {"acknowledged": 1}}}


def test_only_an_office_of_the_region_and_a_province_or_regency(engine):
    for actor in (Actor("operator", "14.72"), Actor("kim", kim_id=PEKANBARU), Actor("public")):
        with pytest.raises(OutOfScope):
            ask(engine, actor, "14.71")
    with pytest.raises(InvalidInput):
        ask(engine, Actor("admin"), "14.71.01")
