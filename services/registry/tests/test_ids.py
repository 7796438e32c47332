"""Group ids number the groups of a village: KIM-<village digits>-<n>."""
from sqlalchemy import insert

from services.common.db import make_engine, unit_of_work
from services.common.scope import Actor
from services.registry import kims
from services.registry.models import Kim

ZONE = "Asia/Jakarta"  # KIM_TIMEZONE's default


def registration(n: int) -> dict:
    return {"name": f"KIM Nomor {n}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "sk": {"number": f"NOMOR/{n}", "date": "2024-01-01", "issuer": "Lurah"}}


def test_ids_count_up_numerically_past_99(registry_url):
    engine = make_engine(registry_url)
    admin = Actor("admin")
    with unit_of_work(engine, "registry") as session:
        first = kims.register_kim(session, admin, registration(1), timezone=ZONE)
        assert first["id"] == "KIM-1471011002-01"
        # the village already has a 99th group (inserted as it is, no questions asked)
        row = session.get(Kim, first["id"])
        session.execute(insert(Kim).values(
            {c.key: getattr(row, c.key) for c in Kim.__table__.columns} |
            {"id": "KIM-1471011002-99", "name_key": "ke-99", "sk_number_key": "NOMOR/99"}))
        assert kims.register_kim(session, admin, registration(2), timezone=ZONE)["id"] == "KIM-1471011002-100"
        assert kims.register_kim(session, admin, registration(3), timezone=ZONE)["id"] == "KIM-1471011002-101"
    engine.dispose()
