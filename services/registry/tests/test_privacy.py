"""The registry's personal data under UU 27/2022 (issue 16), on the domain functions:
the consent records written beside members and group contacts, members removed
softly and erased once the retention period has passed, an office's search for a
person (by phone in any spelling, by e-mail in any case, inside its scope), and
erasure requests with the other services' answers."""
import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from services.common.db import outbox
from services.common.errors import InvalidInput, NotFound, OutOfScope
from services.common.events import make_envelope, utcnow
from services.common.privacy import consent_view, current_notice
from services.common.scope import Actor
from services.registry import kims, privacy
from services.registry.models import ConsentRecord, Kim, Member
from services.registry.service import RegistryService
from services.registry.tests.test_imports import run, start
from services.registry.tests.test_kims_rules import (
    ADMIN,
    DUMAI_VILLAGE,
    INSIDE,
    OUTSIDE,
    PEKANBARU_OTHER_VILLAGE,
    PEKANBARU_VILLAGE,
    ZONE,
    call,
    group_data,
    refused,
)

VERSION = current_notice("member_contact").version
KETUA_A = {"name": "Siti Rahasia Alfa", "role": "ketua", "phone": "+62 811-7777 0001"}
KETUA_B = {"name": "Budi Rahasia Beta", "role": "ketua", "phone": "0813 7777 0002"}
CONTACT_A = {"person": "Pak Kontak Alfa", "phone": "0812 7777 0003", "email": "Alfa.Kontak@Example.org"}
CONTACT_B = {"person": "Bu Kontak Beta", "phone": "+62 812 7777 0004", "email": "beta.kontak@example.org"}
REASON = "Permintaan langsung dari pemilik data di kantor"


@pytest.fixture
def session(rolled_back_session):
    """These tests share a database per backend, each in a transaction of its own rolled back at its end."""
    return rolled_back_session


@pytest.fixture
def world(session):
    """KIM A (Kota Pekanbaru) and KIM B (Kota Dumai), each with a contact and a ketua with a phone."""
    a = call(session, kims.register_kim, ADMIN, group_data("KIM Privasi Alfa", PEKANBARU_VILLAGE,
                                                           "PRIV/ALFA/00000001", contact=CONTACT_A), timezone=ZONE)
    b = call(session, kims.register_kim, OUTSIDE, group_data("KIM Privasi Beta", DUMAI_VILLAGE, "PRIV/BETA/00000002", contact=CONTACT_B), timezone=ZONE)
    a_ketua = call(session, kims.add_member, INSIDE, a["id"], KETUA_A)
    b_ketua = call(session, kims.add_member, OUTSIDE, b["id"], KETUA_B)
    return SimpleNamespace(a=a, b=b, a_ketua=a_ketua, b_ketua=b_ketua)


def consents(session, record: str) -> list[SimpleNamespace]:
    """The record's consent rows, as plain values (readable once their transaction is over)."""
    with session.begin():
        return [SimpleNamespace(**consent_view(row)) for row in session.scalars(
            select(ConsentRecord).where(ConsentRecord.record == record).order_by(ConsentRecord.id))]


def member_ids(session, actor, kim_id) -> set[str]:
    return {m["id"] for m in call(session, kims.list_members, actor, kim_id)["items"]}


def found(session, actor, **identifier) -> set[tuple[str, str]]:
    return {(item["kind"], item["id"]) for item in call(session, privacy.search, actor, identifier)["items"]}


def erasure_events(session) -> list[dict]:
    with session.begin():
        return [json.loads(e) for e in session.scalars(
            select(outbox.c.envelope).where(outbox.c.event_type == "personal_data_erasure_requested"))]


# --- consent records ------------------------------------------------------------------

def test_a_member_is_recorded_with_the_notice_it_was_added_under(session, world):
    [row] = consents(session, f"member:{world.a_ketua['id']}")
    assert (row.purpose, row.notice_version, row.basis) == ("member_contact", VERSION, "tugas_publik")
    assert (row.fields, row.given_by) == (["name", "phone"], INSIDE.label)
    own = Actor("kim", kim_id=world.a["id"], key_id="kim-alfa")
    plain = call(session, kims.add_member, own, world.a["id"],
                 {"name": "Anggota Tanpa Telepon", "role": "anggota", "consent_version": VERSION})
    [row] = consents(session, f"member:{plain['id']}")
    assert (row.fields, row.given_by, row.notice_version) == (["name"], own.label, VERSION)
    # a version no form ever showed is refused, and nothing is added
    error = refused(session, InvalidInput, kims.add_member, INSIDE, world.a["id"],
                    {"name": "Anggota Versi Asing", "role": "anggota", "consent_version": "1999-01"})
    assert error.extra["errors"][0]["field"] == "consent_version"
    assert "Anggota Versi Asing" not in {m["name"] for m in call(session, kims.list_members, INSIDE,
                                                                 world.a["id"])["items"]}


def test_a_groups_contact_is_recorded_at_registration_and_at_each_update_of_it(session, world):
    [row] = consents(session, f"kim_contact:{world.a['id']}")
    assert (row.purpose, row.notice_version, row.basis) == ("kim_contact", VERSION, "tugas_publik")
    assert (row.fields, row.given_by) == (["email", "person", "phone"], ADMIN.label)
    # the group itself may edit its contact: the version its form showed is no field it may not change
    own = Actor("kim", kim_id=world.a["id"], key_id="kim-alfa")
    call(session, kims.update_kim, own, world.a["id"], {"contact": {"phone": "0812 1"}, "consent_version": VERSION},
         None, timezone=ZONE)
    call(session, kims.update_kim, own, world.a["id"], {"address": "Jl. Baru 2", "consent_version": VERSION}, None,
         timezone=ZONE)
    rows = consents(session, f"kim_contact:{world.a['id']}")
    assert [(r.fields, r.given_by) for r in rows] == [(["email", "person", "phone"], ADMIN.label),
                                                      (["phone"], own.label)]
    refused(session, InvalidInput, kims.update_kim, own, world.a["id"],
            {"contact": {"phone": "0812 2"}, "consent_version": "1999-01"}, None, timezone=ZONE)
    # a group registered without a contact has given nothing
    bare = call(session, kims.register_kim, ADMIN, group_data("KIM Tanpa Kontak", PEKANBARU_OTHER_VILLAGE,
                                                              "PRIV/BARE/00000003", contact={}), timezone=ZONE)
    assert consents(session, f"kim_contact:{bare['id']}") == []


def test_an_imported_groups_contact_is_recorded_under_the_importing_office(session):
    operator = Actor("operator", "14.71", key_id="op-impor")
    rows = [{"name": "KIM Impor Kontak", "classification": "tumbuh", "village_code": PEKANBARU_VILLAGE,
             "sk": {"number": "PRIV/IMPOR/1", "date": "2024-05-01", "issuer": "Lurah"},
             "contact": {"person": "Pengurus Impor", "email": "impor@example.org"}},
            {"name": "KIM Impor Tanpa", "classification": "tumbuh", "village_code": PEKANBARU_VILLAGE,
             "sk": {"number": "PRIV/IMPOR/2", "date": "2024-05-01", "issuer": "Lurah"}}]
    start(session, operator, rows)
    run(session)
    with session.begin():
        ids = dict(session.execute(select(Kim.name, Kim.id).where(Kim.name.like("KIM Impor %"))).tuples().all())
    [row] = consents(session, f"kim_contact:{ids['KIM Impor Kontak']}")
    assert (row.purpose, row.fields, row.given_by) == ("kim_contact", ["email", "person"], operator.label)
    assert consents(session, f"kim_contact:{ids['KIM Impor Tanpa']}") == []


# --- removal and retention -------------------------------------------------------------------

def test_a_removed_member_is_listed_nowhere_and_its_office_is_free_again(session, world):
    a = world.a["id"]
    call(session, kims.remove_member, INSIDE, a, world.a_ketua["id"])
    assert world.a_ketua["id"] not in member_ids(session, INSIDE, a)
    successor = call(session, kims.add_member, INSIDE, a, {"name": "Ketua Pengganti", "role": "ketua"})
    assert member_ids(session, INSIDE, a) == {successor["id"]}
    with session.begin():
        kept = session.get_one(Member, world.a_ketua["id"])
        # kept until the retention period has passed, who removed it recorded
        assert (kept.name, kept.phone, kept.removed_by) == (KETUA_A["name"], KETUA_A["phone"], INSIDE.label)
        assert kept.removed_at is not None and kept.erased_at is None


def test_retention_erases_only_members_removed_long_enough_once_and_logs_counts_only(session, world, caplog):
    a, b = world.a["id"], world.b["id"]
    call(session, kims.remove_member, INSIDE, a, world.a_ketua["id"])
    call(session, kims.remove_member, OUTSIDE, b, world.b_ketua["id"])
    with session.begin():
        session.execute(update(Member).where(Member.id == world.a_ketua["id"])
                        .values(removed_at=utcnow() - timedelta(days=91)))
        session.execute(update(Member).where(Member.id == world.b_ketua["id"])
                        .values(removed_at=utcnow() - timedelta(days=89)))
    service = RegistryService()
    service.db, service.settings = session, SimpleNamespace(retention_member_days=90)
    with caplog.at_level(logging.DEBUG), session.begin():
        service.erase_removed_members()
    with session.begin():
        assert privacy.erase_removed_members(session, utcnow(), 90) == 0  # twice: nothing more
        erased, waiting = session.get_one(Member, world.a_ketua["id"]), session.get_one(Member, world.b_ketua["id"])
        assert (erased.name, erased.phone) == ("", None) and erased.erased_at is not None
        # the facts stay: the group, the role, when it joined and left
        assert (erased.kim_id, erased.role) == (a, "ketua") and erased.created_at and erased.removed_at
        assert (waiting.name, waiting.phone, waiting.erased_at) == (KETUA_B["name"], KETUA_B["phone"], None)
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "erased the name and phone of 1 members" in logged
    for personal in (KETUA_A["name"], KETUA_A["phone"], "7777"):
        assert personal not in logged


# --- search --------------------------------------------------------------------------

def test_a_member_and_a_contact_are_found_by_phone_in_any_spelling_and_by_email_in_any_case(session, world):
    member, contact = ("member", world.a_ketua["id"]), ("kim_contact", world.a["id"])
    for spelling in ("+62 811-7777 0001", "0811 7777 0001", "6281177770001", "81177770001"):
        assert found(session, ADMIN, phone=spelling) == {member}
    for spelling in ("+62 812-7777-0003", "081277770003", "62 812 7777 0003"):
        assert found(session, INSIDE, phone=spelling) == {contact}
    assert found(session, INSIDE, email="ALFA.kontak@example.ORG") == {contact}
    [item] = call(session, privacy.search, INSIDE, {"phone": "081177770001"})["items"]
    assert item["service"] == "registry" and item["personal"] == {"name": KETUA_A["name"], "phone": KETUA_A["phone"]}
    assert item["facts"]["kim_id"] == world.a["id"] and item["facts"]["role"] == "ketua"
    assert [(c["purpose"], c["fields"]) for c in item["consents"]] == [("member_contact", ["name", "phone"])]
    [item] = call(session, privacy.search, ADMIN, {"email": "beta.kontak@example.org"})["items"]
    assert item["personal"] == CONTACT_B and item["facts"]["village_code"] == DUMAI_VILLAGE
    refused(session, InvalidInput, privacy.search, ADMIN, {"phone": "12"})
    refused(session, InvalidInput, privacy.search, ADMIN, {"phone": "0811", "email": "a@b"})


def test_search_keeps_to_an_offices_scope(session, world):
    assert found(session, OUTSIDE, phone=KETUA_A["phone"]) == set()
    assert found(session, INSIDE, phone=KETUA_B["phone"]) == set()
    assert found(session, OUTSIDE, phone=KETUA_B["phone"]) == {("member", world.b_ketua["id"])}
    assert found(session, INSIDE, email=CONTACT_B["email"]) == set()
    refused(session, OutOfScope, privacy.search, Actor("kim", kim_id=world.a["id"], key_id="kim-alfa"),
            {"phone": KETUA_A["phone"]})


# --- erasure on request --------------------------------------------------------------------------

def erasure_request(*records, reason=REASON) -> dict:
    return {"reason": reason, "records": [{"service": s, "kind": k, "id": i} for s, k, i in records]}


def test_an_erasure_erases_the_registrys_records_at_once_and_tells_the_others_by_reference(session, world):
    a = world.a["id"]
    request = erasure_request(("registry", "member", world.a_ketua["id"]), ("registry", "kim_contact", a),
                              ("aspirations", "aspiration", "ASP-1"), ("channels", "channel", "17"),
                              ("aspirations", "aspiration", "ASP-1"))  # a repeat counts once
    erasure = call(session, privacy.request_erasure, INSIDE, request)
    assert erasure["status"] == "pending" and erasure["records"] == 4 and erasure["finished_at"] is None
    assert erasure["services"] == {"aspirations": "pending", "channels": "pending", "registry": "done"}
    assert (erasure["requested_by"], erasure["reason"]) == (INSIDE.label, REASON)
    # the registry's part: the member leaves its group and its name and phone are gone; the contact is empty
    assert world.a_ketua["id"] not in member_ids(session, INSIDE, a)
    with session.begin():
        member = session.get_one(Member, world.a_ketua["id"])
        assert (member.name, member.phone, member.role) == ("", None, "ketua") and member.erased_at is not None
    assert call(session, kims.get_kim, ADMIN, a)["contact"] == {}
    # erased records are found no more; their consent records stay
    assert found(session, ADMIN, phone=KETUA_A["phone"]) == found(session, ADMIN, email=CONTACT_A["email"]) == set()
    assert len(consents(session, f"member:{world.a_ketua['id']}")) == 1
    # the event names the records by reference only
    [event] = erasure_events(session)
    assert event["data"]["erasure_id"] == erasure["id"]
    assert {(r["service"], r["kind"], r["id"]) for r in event["data"]["records"]} == {
        ("registry", "member", world.a_ketua["id"]), ("registry", "kim_contact", a),
        ("aspirations", "aspiration", "ASP-1"), ("channels", "channel", "17")}
    text = json.dumps(event)
    for personal in (KETUA_A["name"], "7777", CONTACT_A["person"], "Kontak", REASON):
        assert personal not in text


def test_an_erasure_is_done_when_every_service_named_has_answered(session, world):
    erasure = call(session, privacy.request_erasure, ADMIN, erasure_request(
        ("registry", "member", world.b_ketua["id"]), ("aspirations", "aspiration", "ASP-2"),
        ("channels", "channel", "18")))
    assert call(session, privacy.erasure_done, erasure["id"], "aspirations") is True
    assert call(session, privacy.erasure_done, erasure["id"], "aspirations") is False  # a repeat changes nothing
    now = call(session, privacy.get_erasure, ADMIN, erasure["id"])
    assert now["status"] == "pending" and now["services"]["aspirations"] == "done"
    # the answer of channels arrives as its event; the same event twice is claimed once
    service = RegistryService()
    service.db = session
    envelope = make_envelope("channels", "personal_data_erased",
                             {"erasure_id": erasure["id"], "service": "channels", "records": 1})
    for _ in range(2):
        with session.begin():
            service.on_channels_erased(envelope)
    done = call(session, privacy.get_erasure, ADMIN, erasure["id"])
    assert done["status"] == "done" and done["finished_at"] is not None
    assert set(done["services"].values()) == {"done"}
    # answers of a retention timer (no request) or of requests unknown here are ignored
    assert call(session, privacy.erasure_done, None, "aspirations") is False
    assert call(session, privacy.erasure_done, "0" * 32, "aspirations") is False


def test_an_erasure_of_the_registrys_records_alone_is_done_at_once(session, world):
    erasure = call(session, privacy.request_erasure, ADMIN,
                   erasure_request(("registry", "kim_contact", world.b["id"])))
    assert (erasure["status"], erasure["services"]) == ("done", {"registry": "done"})
    assert erasure["finished_at"] is not None


def test_an_erasure_refuses_unknown_services_and_records_outside_scope_all_or_nothing(session, world):
    a_member = ("registry", "member", world.a_ketua["id"])
    refused(session, InvalidInput, privacy.request_erasure, ADMIN,
            erasure_request(a_member, ("broadcast", "delivery", "1")))
    refused(session, InvalidInput, privacy.request_erasure, ADMIN, erasure_request(("registry", "activity", "1")))
    refused(session, InvalidInput, privacy.request_erasure, ADMIN, erasure_request(a_member, reason="gak"))
    refused(session, InvalidInput, privacy.request_erasure, ADMIN, {"reason": REASON, "records": []})
    refused(session, NotFound, privacy.request_erasure, ADMIN, erasure_request(a_member, ("registry", "member", "x")))
    refused(session, NotFound, privacy.request_erasure, ADMIN,
            erasure_request(("registry", "kim_contact", "KIM-9999999999-99")))
    refused(session, OutOfScope, privacy.request_erasure, INSIDE,
            erasure_request(a_member, ("registry", "member", world.b_ketua["id"])))
    refused(session, OutOfScope, privacy.request_erasure, Actor("kim", kim_id=world.a["id"], key_id="kim-alfa"),
            erasure_request(a_member))
    # nothing was erased nor recorded by any of them
    assert world.a_ketua["id"] in member_ids(session, ADMIN, world.a["id"])
    assert erasure_events(session) == []
    assert call(session, privacy.list_erasures, ADMIN)["total"] == 0


def test_an_admin_sees_every_erasure_and_an_operator_its_own(session, world):
    mine = call(session, privacy.request_erasure, INSIDE, erasure_request(("registry", "member", world.a_ketua["id"])))
    theirs = call(session, privacy.request_erasure, OUTSIDE, erasure_request(("registry", "member",
                                                                             world.b_ketua["id"])))
    assert {e["id"] for e in call(session, privacy.list_erasures, ADMIN)["items"]} == {mine["id"], theirs["id"]}
    listed = call(session, privacy.list_erasures, INSIDE)
    assert [e["id"] for e in listed["items"]] == [mine["id"]] and listed["total"] == 1
    assert call(session, privacy.get_erasure, INSIDE, mine["id"])["records"] == 1
    refused(session, OutOfScope, privacy.get_erasure, INSIDE, theirs["id"])
    refused(session, NotFound, privacy.get_erasure, ADMIN, "f" * 32)
    assert call(session, privacy.list_erasures, ADMIN, limit=1, offset=1)["total"] == 2
