"""What "today" is for a decree or an activity date is the settings' zone
(KIM_TIMEZONE), not Jakarta's: at 12:00 UTC it is already tomorrow in
Kiritimati (UTC+14) while Jakarta (UTC+7) is still on today, and at 05:00 UTC
it is still yesterday in Pago Pago (UTC-11)."""
from datetime import UTC, datetime

import pytest

from services.common.errors import InvalidInput
from services.common.scope import Actor
from services.registry import kims
from services.registry.kims import groups

ADMIN = Actor("admin", key_id="test-admin")
AHEAD, BEHIND = "Pacific/Kiritimati", "Pacific/Pago_Pago"


def group(number: int, sk_date: str) -> dict:
    return {"name": f"KIM Zona {number}", "village_code": "14.71.01.1002", "classification": "tumbuh",
            "sk": {"number": f"ZONA/{number}", "date": sk_date, "issuer": "Lurah Jadirejo"}}


def activity(held_on: str) -> dict:
    return {"date": held_on, "title": "Rapat pengurus", "kind": "pertemuan", "participants": 5}


@pytest.fixture
def at(monkeypatch):
    """Sets the registry's clock, as `kims.today` reads it, to a fixed UTC instant."""
    def set_clock(iso: str):
        moment = datetime.fromisoformat(iso).replace(tzinfo=UTC)
        monkeypatch.setattr(groups, "utcnow", lambda: moment)
    return set_clock


def test_a_decree_dated_tomorrow_in_jakarta_is_today_in_a_zone_ahead(session, at):
    at("2026-03-10T12:00:00")  # Jakarta 10 March 19:00, Kiritimati 11 March 02:00
    with session.begin():
        kim = kims.register_kim(session, ADMIN, group(1, "2026-03-11"), timezone=AHEAD)
    assert kim["sk"]["date"] == "2026-03-11" and kim["last_activity_on"] == "2026-03-11"
    with session.begin():
        changed = kims.update_kim(session, ADMIN, kim["id"], {"sk": {**kim["sk"], "date": "2026-03-11"}}, None,
                                  timezone=AHEAD)
    assert changed["sk"]["date"] == "2026-03-11"
    with session.begin():
        held = kims.report_activity(session, ADMIN, kim["id"], activity("2026-03-11"), timezone=AHEAD)
    assert held["date"] == "2026-03-11"


def test_a_decree_dated_today_in_jakarta_is_tomorrow_in_a_zone_behind(session, at):
    at("2026-03-10T05:00:00")  # Jakarta 10 March 12:00, Pago Pago 9 March 18:00
    with pytest.raises(InvalidInput) as refused, session.begin():
        kims.register_kim(session, ADMIN, group(2, "2026-03-10"), timezone=BEHIND)
    assert refused.value.extra["errors"][0]["field"] == "sk.date"
    with session.begin():
        kim = kims.register_kim(session, ADMIN, group(3, "2026-03-09"), timezone=BEHIND)
    assert kim["last_activity_on"] == "2026-03-09"
    with pytest.raises(InvalidInput) as refused, session.begin():
        kims.update_kim(session, ADMIN, kim["id"], {"sk": {**kim["sk"], "date": "2026-03-10"}}, None,
                        timezone=BEHIND)
    assert refused.value.extra["errors"][0]["field"] == "sk.date"
    with pytest.raises(InvalidInput) as refused, session.begin():
        kims.report_activity(session, ADMIN, kim["id"], activity("2026-03-10"), timezone=BEHIND)
    assert refused.value.extra["errors"][0]["field"] == "date"
