"""Duplicates are found after Unicode NFKC normalisation and case folding:
a name or an SK number written with full-width letters, ligatures, another
case or other spacing is the same name or number; and a key never outgrows
its column, whatever a name expands to."""
from datetime import UTC

import pytest
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.errors import Conflict
from services.common.scope import Actor
from services.registry import kims

ADMIN = Actor("admin", key_id="test-admin")
ZONE = "Asia/Jakarta"  # KIM_TIMEZONE's default


def group(name: str, sk: str, village: str = "14.71.01.1002") -> dict:
    return {"name": name, "village_code": village, "classification": "tumbuh",
            "sk": {"number": sk, "date": "2024-05-01", "issuer": "Lurah Jadirejo"}}


def register(session, data):
    with session.begin():
        return kims.register_kim(session, ADMIN, data, timezone=ZONE)


def test_names_and_sk_numbers_are_compared_after_nfkc_and_case_folding(session):
    first = register(session, group("KIM Maju Bersama", "141/12/SK/2023"))
    for name in ("ＫＩＭ　Ｍａｊｕ　Ｂｅｒｓａｍａ", "kim  MAJU bersama", "KIM Maju Berſama"):  # full-width, case, long s
        with pytest.raises(Conflict) as found, session.begin():
            kims.register_kim(session, ADMIN, group(name, f"OTHER/{len(name)}/{ord(name[-1])}"), timezone=ZONE)
        assert found.value.extra["existing_id"] == first["id"]
    for sk in ("１４１/１２/ＳＫ/２０２３", "141/12/sk/2023", "141 / 12 / SK / 2023"):
        with pytest.raises(Conflict) as found, session.begin():
            kims.register_kim(session, ADMIN, group(f"KIM Lain {sk}", sk), timezone=ZONE)
        assert found.value.extra["existing_id"] == first["id"]
    # a ligature in the name of another group is that name too
    ligature = register(session, group("KIM Ofﬁce Kita", "ﬁ/2024/1"))
    with pytest.raises(Conflict), session.begin():
        kims.register_kim(session, ADMIN, group("KIM Office Kita", "FI/2024/2"), timezone=ZONE)
    with pytest.raises(Conflict), session.begin():
        kims.register_kim(session, ADMIN, group("KIM Lain Lagi", "fi/2024/1"), timezone=ZONE)
    assert ligature["name"] == "KIM Ofﬁce Kita"  # shown as written


def test_a_name_that_expands_when_folded_still_fits_its_key(session):
    expanding = "İ" * 200  # 400 characters once case-folded
    registered = register(session, group(expanding, "ﷺ" * 100))  # 1,800 characters once normalised
    assert registered["name"] == expanding
    with pytest.raises(Conflict), session.begin():
        kims.register_kim(session, ADMIN, group("i̇" * 200, "OTHER/1"), timezone=ZONE)
    with pytest.raises(Conflict), session.begin():
        kims.register_kim(session, ADMIN, group("KIM Baru", "ﷺ" * 100), timezone=ZONE)


def test_the_migration_recomputes_the_keys_of_existing_groups(databases):
    from datetime import date, datetime

    from sqlalchemy import select

    from services.common.migrations import upgrade
    from services.registry.models import Kim
    from services.registry.startup import MIGRATIONS

    url = databases("registry")
    upgrade(url, MIGRATIONS, "0002")
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        for kim_id, name, sk in (("KIM-1", "ＫＩＭ Lama", "ＡＢ/１"), ("KIM-2", "KIM Dua", "ab/1"),
                                 ("KIM-3", "KIM lama", "CD/2")):  # one name once folded, in one village
            # the keys as the first release made them
            session.add(Kim(id=kim_id, name=name, name_key=" ".join(name.casefold().split()), sk_number=sk,
                            sk_number_key=sk.upper(), village_code="14.71.01.1002", district_code="14.71.01",
                            regency_code="14.71", province_code="14", sk_date=date(2024, 1, 1), sk_issuer="Lurah",
                            classification="tumbuh", contact={}, status="active", last_activity_on=date(2024, 1, 1),
                            version=1, created_at=now, updated_at=now))
    upgrade(url, MIGRATIONS)
    with Session(engine) as session:
        keys = {k.id: (k.name_key, k.sk_number_key) for k in session.scalars(select(Kim))}
    engine.dispose()
    assert keys["KIM-1"] == ("kim lama", "ab/1")
    assert keys["KIM-2"][1].startswith("ab/1#")  # the younger of two equal numbers, kept for an office to resolve
    assert keys["KIM-3"][0] == "kim lama#KIM-3"  # the younger of two equal names, likewise
