"""The submitters' contacts under UU 27/2022 (PDP): what an office finds for a
person (search, for the export and the erasure request), erasing the contacts
an erasure request names, and erasing those of aspirations closed longer than
the retention period.

Erasing keeps the aspiration and its non-personal facts (status, category,
region, dates), so the statistics do not change: `submitter` becomes {} and
`contact_erased_at` says when. The consent records stay (they hold no
personal data). Logs and events carry counts and ids only.
"""
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aspirations.models import Aspiration, ConsentRecord
from services.common.contracts import HeldRecord, PersonalDataErased
from services.common.events import as_utc, record_event, utcnow
from services.common.privacy import compact, consents_of, held_record, identifier_key, phone_variants
from services.common.scope import Actor, require_office

log = logging.getLogger(__name__)

SERVICE = "aspirations"
KIND = "aspiration"
CLOSED = ("closed", "rejected")  # both set `closed_at` (services/aspirations/aspirations.py `step`)


def _iso(moment):
    return as_utc(moment).isoformat() if moment is not None else None


def _record(aspiration_id: str) -> str:
    return f"aspiration:{aspiration_id}"


# --- search ----------------------------------------------------------------------------

def search(session: Session, actor: Actor, identifier: dict) -> dict:
    """The aspirations whose submitter gave this phone number or e-mail address, in the office's scope;
    those whose contact was erased hold nothing of the person any more and are left out."""
    require_office(actor)
    kind, key = identifier_key(identifier)
    query = select(Aspiration).where(Aspiration.contact_erased_at.is_(None))
    if kind == "phone":
        query = query.where(compact(Aspiration.submitter["phone"].as_string()).in_(phone_variants(key)))
    else:
        query = query.where(func.lower(Aspiration.submitter["email"].as_string()) == key)
    root = actor.scope_region
    if root is not None:
        query = query.where((Aspiration.village_code == root) | Aspiration.village_code.like(root + ".%"))
    found = [a for a in session.scalars(query.order_by(Aspiration.submitted_at, Aspiration.id))
             if actor.covers(a.village_code)]
    consents = consents_of(session, ConsentRecord, [_record(a.id) for a in found])
    return {"items": [held_record(SERVICE, KIND, a.id, dict(a.submitter or {}), _facts(a),
                                  consents.get(_record(a.id))) for a in found]}


def _facts(a: Aspiration) -> dict:
    return {"tracking_code": a.tracking_code, "status": a.status, "kind": a.kind, "category": a.category,
            "village_code": a.village_code, "regency_code": a.regency_code,
            "submitted_at": _iso(a.submitted_at), "closed_at": _iso(a.closed_at)}


# --- erasure ---------------------------------------------------------------------------

def _erase_contact(a: Aspiration, now: datetime):
    a.submitter, a.contact_erased_at = {}, now


def erase(session: Session, erasure_id: str, records: list[HeldRecord]) -> int:
    """Erase the contacts of the aspirations an erasure request names (its other services' records are
    theirs) and answer with `personal_data_erased`, also when none was left to erase, so the registry
    can mark this service's share done. The caller claimed the event: a repeat never comes here."""
    if not any(r.service == SERVICE for r in records):
        return 0  # the request names nothing of this service: the registry waits for no answer from it
    ids = sorted({r.id for r in records if r.service == SERVICE and r.kind == KIND})
    now = utcnow()
    erased = 0
    if ids:
        for a in session.scalars(select(Aspiration).where(Aspiration.id.in_(ids),
                                                          Aspiration.contact_erased_at.is_(None)).with_for_update()):
            _erase_contact(a, now)
            erased += 1
    record_event(session, "personal_data_erased",
                 PersonalDataErased(erasure_id=erasure_id, service=SERVICE, records=erased))
    log.info("erasure %s: %d aspiration contacts erased of %d named", erasure_id, erased, len(ids))
    return erased


def erase_closed_contacts(session: Session, now: datetime, days: int, limit: int = 1000) -> int:
    """The retention period: erase the contact of every aspiration closed (or rejected) more than `days`
    days before `now`. Idempotent (an erased one is not picked again) and safe with several instances
    (rows another one holds are skipped, it erases them). Returns how many were erased (at most `limit`,
    the rest at the next run)."""
    cutoff = now.astimezone(UTC) - timedelta(days=days)
    due = session.scalars(select(Aspiration).where(
        Aspiration.status.in_(CLOSED), Aspiration.closed_at < cutoff, Aspiration.contact_erased_at.is_(None))
        .order_by(Aspiration.closed_at).limit(limit).with_for_update(skip_locked=True)).all()
    for a in due:
        _erase_contact(a, now)
    if due:
        log.info("retention: %d aspiration contacts erased (closed more than %d days ago)", len(due), days)
    return len(due)
