"""The registry's personal data under UU 27/2022 (issue 16): what it holds
about a person (members' names and phones, the groups' contacts), the
erasure requests of the offices, and the retention of removed members.

- `search`: an office finds what the registry holds about a person by
  phone or e-mail, inside its scope, with the consent records;
- `request_erasure`: an office erases it, on the person's request: the
  registry's own records at once, the other services' on the event
  `personal_data_erasure_requested`; `erasure_done` takes their answers;
- `erase_removed_members`: the retention timer's work.

Erasing keeps every record and its non-personal facts (statistics do not
change) and the consent records (they hold no personal data). Nothing here
logs, raises or records a name, a phone or an e-mail.
"""
import uuid
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from services.common.contracts import HeldRecord, PersonalDataErasureRequested
from services.common.errors import NotFound, OutOfScope, invalid
from services.common.events import as_utc, record_event, utcnow
from services.common.privacy import compact, consents_of, held_record, identifier_key, phone_variants
from services.common.scope import Actor, require_office
from services.common.text import strip_blank
from services.registry.kims.groups import load_kim
from services.registry.models import ConsentRecord, Erasure, Kim, Member

SERVICE = "registry"
# the services that hold personal data and answer an erasure request
SERVICES = ("registry", "aspirations", "channels")
REGISTRY_KINDS = ("member", "kim_contact")
REASON_LENGTH = (5, 500)
MOST_RECORDS = 1000


# --- what the registry holds about a person -----------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def search(session: Session, actor: Actor, identifier: dict) -> dict:
    """The members (by phone) and group contacts (by phone or e-mail) that hold this
    person's data, in the office's scope; erased ones are not returned."""
    require_office(actor)
    kind, key = identifier_key(identifier)
    members: list[tuple[Member, Kim]] = []
    if kind == "phone":
        members = [(member, kim) for member, kim in session.execute(
            select(Member, Kim).join(Kim, Kim.id == Member.kim_id)
            .where(compact(Member.phone).in_(phone_variants(key)), Member.erased_at.is_(None))
            .order_by(Member.kim_id, Member.id)).tuples()]
        contact_rule = compact(Kim.contact["phone"].as_string()).in_(phone_variants(key))
    else:
        contact_rule = func.lower(Kim.contact["email"].as_string()) == key
    kims = session.scalars(select(Kim).where(contact_rule).order_by(Kim.id)).all()
    members = [(member, kim) for member, kim in members if actor.covers(kim.village_code)]
    kims = [kim for kim in kims if actor.covers(kim.village_code)]
    consents = consents_of(session, ConsentRecord,
                           [f"member:{m.id}" for m, _ in members] + [f"kim_contact:{k.id}" for k in kims])
    items = [held_record(SERVICE, "member", member.id, {"name": member.name, "phone": member.phone},
                         {"kim_id": kim.id, "village_code": kim.village_code, "role": member.role,
                          "created_at": _iso(member.created_at), "removed_at": _iso(member.removed_at)},
                         consents.get(f"member:{member.id}")) for member, kim in members]
    items += [held_record(SERVICE, "kim_contact", kim.id, dict(kim.contact or {}),
                          {"kim_id": kim.id, "village_code": kim.village_code, "status": kim.status},
                          consents.get(f"kim_contact:{kim.id}")) for kim in kims]
    return {"items": items}


# --- erasure on request ----------------------------------------------------------------------

def erasure_view(erasure: Erasure) -> dict:
    return {"id": erasure.id, "status": erasure.status, "requested_at": _iso(erasure.requested_at),
            "requested_by": erasure.requested_by, "reason": erasure.reason, "records": erasure.records,
            "services": dict(erasure.services), "finished_at": _iso(erasure.finished_at)}


def _request(data) -> tuple[str, list[HeldRecord]]:
    """The request's reason and its records (each once), or the first broken rule."""
    if not isinstance(data, dict):
        raise invalid("data", "{reason, records}", "Permintaan penghapusan tidak valid.", "Invalid erasure request.")
    reason = data.get("reason")
    low, high = REASON_LENGTH
    if not isinstance(reason, str) or not low <= len(strip_blank(reason)) <= high:
        raise invalid("reason", f"{low}..{high} characters", f"Alasan harus {low} sampai {high} karakter.",
                      f"The reason must be {low} to {high} characters.")
    records = data.get("records")
    if not isinstance(records, list) or not 1 <= len(records) <= MOST_RECORDS:
        raise invalid("records", f"a list of 1..{MOST_RECORDS}", "Sebutkan data yang dihapus.",
                      "Name the records to erase.")
    held: dict[tuple[str, str, str], HeldRecord] = {}
    for record in records:
        if not isinstance(record, dict) or not all(isinstance(record.get(k), str) and record.get(k)
                                                   for k in ("service", "kind", "id")):
            raise invalid("records", "{service, kind, id}", "Data yang dihapus tidak valid.", "Invalid record.")
        if record["service"] not in SERVICES:
            raise invalid("records.service", f"one of {', '.join(SERVICES)}", "Layanan tidak dikenal.",
                          "Unknown service.")
        if record["service"] == SERVICE and record["kind"] not in REGISTRY_KINDS:
            raise invalid("records.kind", f"one of {', '.join(REGISTRY_KINDS)}", "Jenis data tidak dikenal.",
                          "Unknown kind of record.")
        reference = HeldRecord(service=record["service"], kind=record["kind"], id=record["id"])
        held.setdefault((reference.service, reference.kind, reference.id), reference)
    return strip_blank(reason), list(held.values())


def _member_in_scope(session: Session, actor: Actor, member_id: str) -> Member:
    member = session.scalar(select(Member).where(Member.id == member_id).with_for_update())
    if member is None:
        raise NotFound("Anggota tidak ditemukan.", detail_en="No such member.")
    kim = session.get_one(Kim, member.kim_id)
    if not actor.covers(kim.village_code):
        raise OutOfScope(f"KIM {kim.id} di luar cakupan Anda.", detail_en=f"KIM {kim.id} is outside your scope.")
    return member


def _kim_in_scope(session: Session, actor: Actor, kim_id: str) -> Kim:
    kim = load_kim(session, kim_id, for_update=True)
    if not actor.covers(kim.village_code):
        raise OutOfScope(f"KIM {kim.id} di luar cakupan Anda.", detail_en=f"KIM {kim.id} is outside your scope.")
    return kim


def erase_member(member: Member, now: datetime, by: str):
    """A member's name and phone are gone; the member leaves its group's lists if it was still in."""
    member.name, member.phone, member.erased_at = "", None, now
    if member.removed_at is None:
        member.removed_at, member.removed_by = now, by


def request_erasure(session: Session, actor: Actor, data: dict) -> dict:
    """Erase what the platform holds about a person, on the person's request: the
    registry's own records now, the others' on the event; one transaction."""
    require_office(actor)
    reason, records = _request(data)
    now = utcnow()
    # every record of the registry is checked before any is erased
    members = [_member_in_scope(session, actor, r.id) for r in records if r.service == SERVICE and r.kind == "member"]
    kims = [_kim_in_scope(session, actor, r.id) for r in records if r.service == SERVICE and r.kind == "kim_contact"]
    for member in members:
        erase_member(member, now, actor.label)
    for kim in kims:
        kim.contact = {}
    services = {service: "done" if service == SERVICE else "pending"
                for service in sorted({r.service for r in records})}
    pending = "pending" in services.values()
    erasure = Erasure(id=uuid.uuid4().hex, requested_by=actor.label, reason=reason, requested_at=now,
                      records=len(records), services=services, status="pending" if pending else "done",
                      finished_at=None if pending else now)
    session.add(erasure)
    session.flush()
    record_event(session, "personal_data_erasure_requested",
                 PersonalDataErasureRequested(erasure_id=erasure.id, records=records))
    return erasure_view(erasure)


def erasure_done(session: Session, erasure_id: str | None, service: str) -> bool:
    """A service erased its share of a request: mark it done, and the request when no
    service is pending any more. False when there is nothing to mark (an erasure of a
    retention timer, an unknown request, a service it did not name, a repeat)."""
    if erasure_id is None:
        return False
    erasure = session.scalar(select(Erasure).where(Erasure.id == erasure_id).with_for_update())
    if erasure is None or erasure.services.get(service) != "pending":
        return False
    erasure.services = {**erasure.services, service: "done"}  # a new dict: the JSON column sees the change
    if "pending" not in erasure.services.values():
        erasure.status, erasure.finished_at = "done", utcnow()
    session.flush()
    return True


def _may_see(actor: Actor, erasure: Erasure) -> bool:
    """The national admin sees every request; another office those it made."""
    return _national(actor) or erasure.requested_by == actor.label


def _national(actor: Actor) -> bool:
    return actor.role == "admin" and actor.scope_region is None


def get_erasure(session: Session, actor: Actor, erasure_id) -> dict:
    require_office(actor)
    erasure = session.get(Erasure, erasure_id) if isinstance(erasure_id, str) else None
    if erasure is None:
        raise NotFound(f"Permintaan penghapusan {erasure_id} tidak ditemukan.",
                       detail_en=f"No erasure request {erasure_id}.")
    if not _may_see(actor, erasure):
        raise OutOfScope("Permintaan penghapusan ini dibuat kantor lain.",
                         detail_en="Another office made this erasure request.")
    return erasure_view(erasure)


def list_erasures(session: Session, actor: Actor, limit: int = 50, offset: int = 0) -> dict:
    require_office(actor)
    if not isinstance(limit, int) or not isinstance(offset, int) or not 1 <= limit <= 1000 or offset < 0:
        raise invalid("limit", "1..1000, offset >= 0", "Batas halaman tidak valid.", "Invalid page bounds.")
    query = select(Erasure)
    if not _national(actor):
        query = query.where(Erasure.requested_by == actor.label)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    erasures = session.scalars(query.order_by(Erasure.requested_at.desc(), Erasure.id)
                               .limit(limit).offset(offset)).all()
    return {"items": [erasure_view(e) for e in erasures], "total": total}


# --- retention ---------------------------------------------------------------------------------

def erase_removed_members(session: Session, now: datetime, days: int) -> int:
    """Erase the name and phone of the members removed more than `days` ago; returns how
    many. One statement: a second run, or another instance's, finds nothing left."""
    erased = session.execute(
        update(Member).where(Member.removed_at < now - timedelta(days=days), Member.erased_at.is_(None))
        .values(name="", phone=None, erased_at=now).execution_options(synchronize_session=False))
    return cast(CursorResult, erased).rowcount
