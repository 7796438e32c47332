"""The aspirations service's share of the evaluation's figures: aspirations a
group filed (by submission month) and those answered (by answer month), per
month of the platform's time zone, for the groups of the region asked (where
the group is, not where its aspiration is about)."""
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.aspirations import figures
from services.aspirations.models import Aspiration, DirectoryKim
from services.common.db import make_engine, unit_of_work
from services.common.errors import OutOfScope
from services.common.migrations import upgrade
from services.common.scope import Actor

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
ZONE = "Asia/Jakarta"
GROUP = "KIM-1471011002-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def aspiration(number: int, kim_id: str | None, submitted: str, responded: str | None = None,
               village="14.71.01.1002") -> Aspiration:
    return Aspiration(
        id=f"a{number}", tracking_code=f"CODE{number:06d}", kind="aspirasi", category="layanan", body="isi",
        village_code=village, regency_code=village[:5], province_code=village[:2], kim_id=kim_id,
        filed_by_kim=kim_id is not None, submitter={}, anonim=True, rahasia=False, attachments=[],
        status="responded" if responded else "received", submitted_at=at(submitted),
        responded_at=at(responded) if responded else None, updated_at=at(submitted))


@pytest.fixture
def engine(databases):
    url = databases("aspirations")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    with unit_of_work(engine, "aspirations") as session:
        session.add_all([DirectoryKim(id=GROUP, village_code="14.71.01.1002", status="active", version=1),
                         DirectoryKim(id="KIM-1472011003-01", village_code="14.72.01.1003", status="active",
                                      version=1)])
        session.add_all([
            aspiration(1, GROUP, "2025-01-10T03:00:00", "2025-02-03T03:00:00"),
            aspiration(5, GROUP, "2025-03-10T03:00:00", village="14.72.01.1001"),  # about Dumai: still its work
            aspiration(2, GROUP, "2025-01-31T20:00:00"),  # 1 February in Jakarta
            aspiration(3, None, "2025-01-12T03:00:00", "2025-01-20T03:00:00"),  # a citizen on their own
            aspiration(4, "KIM-1472011003-01", "2025-01-12T03:00:00", village="14.72.01.1003"),
        ])
    yield engine
    engine.dispose()


def test_filed_and_answered_per_group_and_month(engine):
    with unit_of_work(engine, "aspirations") as session:
        found = figures.group_figures(session, Actor("operator", "14.71"), "14.71", "2025-01", "2025-12", ZONE)
    assert found == {"counted": ["aspirations_answered", "aspirations_filed", "hoax_reports"], "figures": {GROUP: {
        "2025-01": {"aspirations_filed": 1}, "2025-02": {"aspirations_filed": 1, "aspirations_answered": 1},
        "2025-03": {"aspirations_filed": 1}}}}
    with pytest.raises(OutOfScope), unit_of_work(engine, "aspirations") as session:
        figures.group_figures(session, Actor("operator", "14.72"), "14.71", "2025-01", "2025-12", ZONE)
