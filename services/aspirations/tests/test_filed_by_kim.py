"""Who filed an aspiration decides what the named group sees: the view rule,
and migration 0004_authz filling `filed_by_kim` for earlier rows."""
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from services.aspirations.aspirations import kim_may_see_answer, view_for
from services.aspirations.models import Aspiration
from services.common.migrations import upgrade
from services.common.scope import Actor

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
GROUP = Actor("kim", kim_id="KIM-1")


def aspiration(**fields) -> Aspiration:
    values = dict(id="a1", tracking_code="ABCDEFGHJK", kind="pengaduan", category="layanan", body="Isi rahasia",
                  village_code="14.71.01.1002", regency_code="14.71", province_code="14", kim_id="KIM-1",
                  filed_by_kim=False, submitter={"name": "Warga", "email": "w@contoh.id"}, anonim=False,
                  rahasia=True, attachments=["https://contoh.id/foto.jpg"], status="responded",
                  response="Jawaban", submitted_at=datetime.now(UTC), overdue=False, escalated=False)
    return Aspiration(**{**values, **fields})


def test_a_named_group_sees_no_submitter_and_no_secret():
    view = view_for(GROUP, aspiration())
    assert view["submitter"] == {} and view["body"] is None and view["attachments"] == []
    assert view["response"] is None and not kim_may_see_answer(aspiration())
    public = view_for(GROUP, aspiration(rahasia=False))
    assert public["submitter"] == {} and public["body"] == "Isi rahasia" and kim_may_see_answer(aspiration(rahasia=False))


def test_the_filing_group_sees_its_own_unless_anonim():
    own = view_for(GROUP, aspiration(filed_by_kim=True))
    assert own["submitter"]["email"] == "w@contoh.id" and own["body"] == "Isi rahasia"
    assert view_for(GROUP, aspiration(filed_by_kim=True, anonim=True))["submitter"] == {}
    office = view_for(Actor("operator", "14.71"), aspiration())
    assert office["submitter"]["email"] == "w@contoh.id" and office["body"] == "Isi rahasia"


def test_the_migration_marks_earlier_filings_of_a_group(databases):
    url = databases("aspirations")
    upgrade(url, MIGRATIONS, "0002")
    engine = create_engine(url)
    now = datetime.now(UTC)
    rows = {"by-key": ("kim:k1", "KIM-1"), "by-open311": ("open311:k2", "KIM-1"), "named": ("public", "KIM-1"),
            "by-office": ("operator:k3", "KIM-1"), "no-group": ("kim:k1", None)}
    with engine.begin() as conn:
        for n, (aspiration_id, (actor, kim_id)) in enumerate(rows.items()):
            conn.execute(text(
                "INSERT INTO aspirations (id, tracking_code, kind, category, body, village_code, regency_code, "
                "province_code, kim_id, submitter, anonim, rahasia, attachments, status, overdue, escalated, "
                "submitted_at, updated_at) VALUES (:id, :code, 'aspirasi', 'layanan', 'isi', '14.71.01.1002', "
                "'14.71', '14', :kim, '{}', false, true, '[]', 'received', false, false, :now, :now)"),
                {"id": aspiration_id, "code": f"CODE{n}", "kim": kim_id, "now": now})
            conn.execute(text("INSERT INTO aspiration_history (aspiration_id, old, new, actor, at) "
                              "VALUES (:id, NULL, 'received', :actor, :now)"),
                         {"id": aspiration_id, "actor": actor, "now": now})
    upgrade(url, MIGRATIONS)
    with engine.connect() as conn:
        filed = {r.id: bool(r.filed_by_kim) for r in conn.execute(text("SELECT id, filed_by_kim FROM aspirations"))}
    engine.dispose()
    assert filed == {"by-key": True, "by-open311": True, "named": False, "by-office": False, "no-group": False}
