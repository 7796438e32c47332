"""Who reads and changes a broadcast: its office and those above it, and
once published, every office whose scope meets its target."""
from datetime import UTC

import pytest

from services.broadcast.broadcasts import may_read, meets, wrote_or_above
from services.broadcast.models import Broadcast
from services.common.scope import Actor

NATIONAL, RIAU, PEKANBARU, DUMAI = Actor("admin"), Actor("admin", "14"), Actor("operator", "14.71"), \
    Actor("operator", "14.72")


def broadcast(issuer_region, regions, status="draft") -> Broadcast:
    return Broadcast(issuer_region=issuer_region, target={"regions": regions}, status=status)


@pytest.mark.parametrize("actor, issuer, expected", [
    (NATIONAL, None, True), (NATIONAL, "14.71", True), (RIAU, None, False), (RIAU, "14", True),
    (RIAU, "14.71", True), (RIAU, "13", False), (PEKANBARU, "14", False), (PEKANBARU, "14.71", True),
    (DUMAI, "14.71", False),
])
def test_a_draft_belongs_to_its_office_and_those_above(actor, issuer, expected):
    assert wrote_or_above(actor, broadcast(issuer, ["14.71"])) is expected
    assert may_read(actor, broadcast(issuer, ["14.71"])) is expected


@pytest.mark.parametrize("actor, regions, expected", [
    (PEKANBARU, ["14"], True), (PEKANBARU, ["14.71.01"], True), (PEKANBARU, ["14.72", "14.71.02.1001"], True),
    (DUMAI, ["14.71"], False), (RIAU, ["14.71"], True), (RIAU, ["13"], False), (NATIONAL, ["13.71"], True),
    (PEKANBARU, ["14.7"], False),
])
def test_once_published_every_office_whose_scope_meets_the_target_reads_it(actor, regions, expected):
    published = broadcast("14" if regions != ["13.71"] else None, regions, "published")
    assert meets(actor, published) is expected
    assert may_read(actor, published) is (expected or wrote_or_above(actor, published))
    assert not may_read(PEKANBARU, broadcast("14", regions, "draft"))  # a draft from above: never


def test_the_migration_lists_the_target_regions_of_earlier_broadcasts(databases):
    from datetime import datetime
    from pathlib import Path

    from sqlalchemy import create_engine, text

    from services.common.migrations import upgrade

    url, migrations = databases("broadcast"), Path(__file__).resolve().parents[1] / "migrations"
    upgrade(url, migrations, "0003")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO broadcasts (id, title, body, category, priority, target, issuer_region, issuer, status, "
            "recipients, created_at) VALUES ('b1', 'Judul', 'Isi', 'program', 'normal', :target, '14', 'admin', "
            "'published', 0, :now)"),
            {"target": '{"regions": ["14.71", "14.72.01"], "tags": []}', "now": datetime.now(UTC)})
    upgrade(url, migrations)
    with engine.connect() as conn:
        rows = set(conn.execute(text("SELECT broadcast_id, region_code FROM broadcast_regions")).all())
    engine.dispose()
    assert rows == {("b1", "14.71"), ("b1", "14.72.01")}
