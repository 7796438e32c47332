"""The submitters' contacts under UU 27/2022 (issue 16), on both databases:
the consent taken in with each contact, the retention period that erases the
contacts of long-closed aspirations (and leaves the figures as they were),
what an office finds for a person, and the erasure a person asked for."""
import json
import logging
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.aspirations import aspirations, figures, privacy
from services.aspirations.models import Aspiration, ConsentRecord
from services.aspirations.service import AspirationsService
from services.aspirations.tests.samples import migrated_database
from services.common.contracts import HeldRecord, PersonalDataErasureRequested
from services.common.db import outbox, unit_of_work
from services.common.errors import InvalidInput, OutOfScope
from services.common.events import make_envelope
from services.common.privacy import current_notice
from services.common.scope import Actor

VILLAGE = "14.71.01.1002"
OTHER_REGENCY_VILLAGE = "14.72.01.1003"
NAME, PHONE, EMAIL = "Kanari Privasi", "+62 812-3456-7890", "Kanari.Privasi@Contoh.ID"
CANARIES = (NAME, PHONE, EMAIL, "81234567890", EMAIL.lower())
ADMIN = Actor("admin", key_id="a1")


def submission(number: int, submitter: dict | None, submitted_by: str = "public", village: str = VILLAGE,
               **extra) -> dict:
    return {"type": "aspiration_submission", "id": f"00000000-0000-0000-0000-{number:012d}",
            "tracking_code": f"PRIV{number:06d}", "submitted_at": "2026-11-30T09:00:00+07:00",
            "submitted_by": submitted_by, "filed_by_kim": False,
            "data": {"kind": "pengaduan", "category": "jalan_rusak", "body": "Jalan berlubang di RT 03.",
                     "village_code": village, "submitter": submitter, **extra}}


def aspiration_id(number: int) -> str:
    return f"00000000-0000-0000-0000-{number:012d}"


@pytest.fixture
def world(databases):
    engine, settings, calendar = migrated_database(databases)
    yield SimpleNamespace(engine=engine, settings=settings, calendar=calendar)
    engine.dispose()


def take_in(world, *submissions):
    with unit_of_work(world.engine, "aspirations") as session:
        return aspirations.intake_many(session, list(submissions), world.calendar, world.settings)


def consents(session) -> dict[str, ConsentRecord]:
    return {row.record: row for row in session.scalars(select(ConsentRecord))}


def events(session, event_type: str) -> list[str]:
    return [row.envelope for row in session.execute(select(outbox).where(outbox.c.event_type == event_type))]


# --- consent ------------------------------------------------------------------------------

def test_a_contact_is_taken_in_with_its_consent_and_no_contact_needs_none(world):
    take_in(world,
            submission(1, {"name": NAME, "phone": PHONE, "email": None}, consent_version="2026-11"),
            submission(2, {"email": EMAIL}, submitted_by="operator:k9"),  # an office filed it for a citizen
            submission(3, None, submitted_by="kim:g1"),
            submission(4, {"name": "", "phone": None}),  # blanks are not given
            submission(5, {"phone": PHONE}, consent_version="1999-01"))  # unknown here: the current notice
    with unit_of_work(world.engine, "aspirations") as session:
        rows = consents(session)
        assert set(rows) == {f"aspiration:{aspiration_id(n)}" for n in (1, 2, 5)}
        public = rows[f"aspiration:{aspiration_id(1)}"]
        assert (public.purpose, public.notice_version, public.basis, public.fields, public.given_by) == (
            "aspiration_contact", "2026-11", "persetujuan", ["name", "phone"], "warga")
        assert public.given_at is not None
        filed = rows[f"aspiration:{aspiration_id(2)}"]
        assert (filed.fields, filed.given_by) == (["email"], "operator:k9")
        assert rows[f"aspiration:{aspiration_id(5)}"].notice_version == current_notice("aspiration_contact").version
        stored = session.get(Aspiration, aspiration_id(1))
        assert stored.submitter == {"name": NAME, "phone": PHONE, "email": None}
        assert stored.contact_erased_at is None
    # a repeat of the same submission adds no second consent
    take_in(world, submission(1, {"name": NAME, "phone": PHONE}, consent_version="2026-11"))
    with unit_of_work(world.engine, "aspirations") as session:
        assert len(consents(session)) == 3


# --- retention ------------------------------------------------------------------------------

def close(session, world, number: int, to: str, at: datetime):
    a = session.get(Aspiration, aspiration_id(number))
    path = ["rejected"] if to == "rejected" else ["verified", "forwarded", "responded", "closed"]
    for status in path:
        aspirations.step(session, a, status, "alasan" if status == "rejected" else None, "operator:k1", at,
                         world.calendar, world.settings, response="Sudah diperbaiki." if status == "responded" else None)


def test_retention_erases_the_contacts_of_long_closed_aspirations_only_once_and_keeps_the_figures(world, caplog):
    contact = {"name": NAME, "phone": PHONE, "email": EMAIL}
    take_in(world, *(submission(n, contact) for n in (1, 2, 3, 4)))
    now = datetime(2028, 6, 1, 3, 0, tzinfo=UTC)
    with unit_of_work(world.engine, "aspirations") as session:
        close(session, world, 1, "closed", now - timedelta(days=400))
        close(session, world, 2, "rejected", now - timedelta(days=366))  # a rejection sets closed_at too
        close(session, world, 3, "closed", now - timedelta(days=100))  # not long enough
        # 4 is still open
    with unit_of_work(world.engine, "aspirations") as session:
        before = (aspirations.stats(session, ADMIN, {}),
                  figures.group_figures(session, ADMIN, "14.71", "2026-01", "2028-12", "Asia/Jakarta"))
    caplog.set_level(logging.DEBUG)
    with unit_of_work(world.engine, "aspirations") as session:
        assert privacy.erase_closed_contacts(session, now, world.settings.retention_contact_days) == 2
    with unit_of_work(world.engine, "aspirations") as session:
        assert privacy.erase_closed_contacts(session, now, world.settings.retention_contact_days) == 0
        found = {n: session.get(Aspiration, aspiration_id(n)) for n in (1, 2, 3, 4)}
        assert [found[n].submitter for n in (1, 2)] == [{}, {}]
        assert all(found[n].contact_erased_at is not None for n in (1, 2))
        assert [found[n].submitter for n in (3, 4)] == [contact, contact]
        assert all(found[n].contact_erased_at is None for n in (3, 4))
        assert len(consents(session)) == 4  # the proof of consent stays
        after = (aspirations.stats(session, ADMIN, {}),
                 figures.group_figures(session, ADMIN, "14.71", "2026-01", "2028-12", "Asia/Jakarta"))
        assert after == before
        view = aspirations.get(session, ADMIN, aspiration_id(1))
        assert view["submitter"] == {} and view["contact_erased_at"] and view["status"] == "closed"
        assert aspirations.get(session, ADMIN, aspiration_id(3))["contact_erased_at"] is None
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "2 aspiration contacts erased" in logged
    assert not any(canary in logged for canary in CANARIES)


def test_the_retention_timer_reads_its_settings(world):
    assert (world.settings.retention_contact_days, world.settings.retention_check_seconds) == (365, 3600)


# --- search ---------------------------------------------------------------------------------

@pytest.fixture
def people(world):
    take_in(world,
            submission(1, {"name": NAME, "phone": "+62 812-3456-7890", "email": EMAIL}),
            submission(2, {"phone": "081234567890"}, consent_version="2026-11"),
            submission(3, {"phone": "6281234567890"}),
            submission(4, {"phone": "081234567890"}, village=OTHER_REGENCY_VILLAGE),
            submission(5, {"phone": "0812 9999 0000", "email": "lain@contoh.id"}),
            submission(6, None))
    return world


def found(session, actor, identifier) -> list[str]:
    return sorted(item["id"] for item in privacy.search(session, actor, identifier)["items"])


def test_an_office_finds_a_phone_in_any_spelling_and_an_email_in_any_case(people):
    everyone = sorted(aspiration_id(n) for n in (1, 2, 3, 4))
    with unit_of_work(people.engine, "aspirations") as session:
        for spelling in ("+62 812-3456-7890", "081234567890", "6281234567890", "0812 3456 7890"):
            assert found(session, ADMIN, {"phone": spelling}) == everyone, spelling
        for spelling in (EMAIL, EMAIL.lower(), EMAIL.upper()):
            assert found(session, ADMIN, {"email": spelling}) == [aspiration_id(1)]
        assert found(session, ADMIN, {"phone": "0812 0000 0001"}) == []
        item = next(i for i in privacy.search(session, ADMIN, {"phone": "081234567890"})["items"]
                    if i["id"] == aspiration_id(1))
        assert (item["service"], item["kind"]) == ("aspirations", "aspiration")
        assert item["personal"] == {"name": NAME, "phone": "+62 812-3456-7890", "email": EMAIL}
        assert item["facts"] == {"tracking_code": "PRIV000001", "status": "received", "kind": "pengaduan",
                                 "category": "jalan_rusak", "village_code": VILLAGE, "regency_code": "14.71",
                                 "submitted_at": "2026-11-30T02:00:00+00:00", "closed_at": None}
        assert [(c["purpose"], c["fields"], c["given_by"]) for c in item["consents"]] == [
            ("aspiration_contact", ["email", "name", "phone"], "warga")]


def test_an_operator_finds_only_its_region_and_a_group_nothing(people):
    with unit_of_work(people.engine, "aspirations") as session:
        assert found(session, Actor("operator", "14.71", key_id="o1"), {"phone": "081234567890"}) == sorted(
            aspiration_id(n) for n in (1, 2, 3))
        assert found(session, Actor("operator", "14.72", key_id="o2"), {"phone": "081234567890"}) == [
            aspiration_id(4)]
        with pytest.raises(OutOfScope):
            privacy.search(session, Actor("kim", kim_id="KIM-1", key_id="g1"), {"phone": "081234567890"})
        with pytest.raises(InvalidInput):
            privacy.search(session, ADMIN, {"phone": "12"})
        with pytest.raises(InvalidInput):
            privacy.search(session, ADMIN, {"phone": "081234567890", "email": EMAIL})


# --- erasure --------------------------------------------------------------------------------

def erasure_requested(erasure_id: str, *records: tuple[str, str, str]) -> dict:
    payload = PersonalDataErasureRequested(erasure_id=erasure_id, records=[
        HeldRecord(service=service, kind=kind, id=record_id) for service, kind, record_id in records])
    return json.loads(json.dumps(make_envelope("registry", payload.TYPE, payload.wire(), payload.VERSION)))


def handle(world, envelope: dict):
    """The service's handler, on a transaction of its own (as a worker has)."""
    with unit_of_work(world.engine, "aspirations") as session:
        AspirationsService.on_personal_data_erasure_requested(SimpleNamespace(db=session), envelope)


def test_an_erasure_request_erases_the_contacts_named_once_and_says_so_with_counts_only(people, caplog):
    caplog.set_level(logging.DEBUG)
    request = erasure_requested("e" * 32, ("aspirations", "aspiration", aspiration_id(1)),
                                ("aspirations", "aspiration", aspiration_id(2)),
                                ("channels", "channel", "c" * 32), ("registry", "member", "7"))
    handle(people, request)
    handle(people, request)  # delivered again: claimed already, nothing more
    with unit_of_work(people.engine, "aspirations") as session:
        erased = [session.get(Aspiration, aspiration_id(n)) for n in (1, 2)]
        assert [a.submitter for a in erased] == [{}, {}]
        assert all(a.contact_erased_at is not None for a in erased)
        assert session.get(Aspiration, aspiration_id(3)).submitter == {"phone": "6281234567890"}
        assert len(consents(session)) == 5  # kept, as proof
        answers = events(session, "personal_data_erased")
        assert len(answers) == 1
        assert json.loads(answers[0])["data"] == {"erasure_id": "e" * 32, "service": "aspirations", "records": 2}
        assert not any(canary in answers[0] for canary in CANARIES)
        # an erased contact is found no more
        assert found(session, ADMIN, {"phone": "081234567890"}) == sorted(aspiration_id(n) for n in (3, 4))
        assert found(session, ADMIN, {"email": EMAIL}) == []
        assert aspirations.get(session, ADMIN, aspiration_id(1))["contact_erased_at"] is not None
    # another request for what is erased already: answered, with 0; one naming nothing of ours: no answer
    handle(people, erasure_requested("f" * 32, ("aspirations", "aspiration", aspiration_id(1))))
    handle(people, erasure_requested("0" * 32, ("registry", "member", "8")))
    with unit_of_work(people.engine, "aspirations") as session:
        answers = [json.loads(envelope)["data"] for envelope in events(session, "personal_data_erased")]
        assert sorted(answers, key=lambda a: a["erasure_id"]) == [
            {"erasure_id": "e" * 32, "service": "aspirations", "records": 2},
            {"erasure_id": "f" * 32, "service": "aspirations", "records": 0}]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert not any(canary in logged for canary in CANARIES)
