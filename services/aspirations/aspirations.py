"""Aspirations: intake (idempotent by tracking code), routing to the regency
that contains the village, the workflow with deadlines, overdue detection
and auto-close, and the views each caller may see.

Privacy: the submitter's contact is seen by the handling office only (and by
the group that filed it itself, unless `anonim`); a group merely named by a
citizen sees neither the contact nor a `rahasia` body; a `rahasia` aspiration
shows nothing but its status to the holder of its tracking code; only a
`publik` one, which its submitter chose to publish, is listed for everyone
(Open311), never with the contact.
"""
import re
import statistics
from datetime import UTC, datetime

from sqlalchemy import and_, case, func, insert, select
from sqlalchemy.orm import Session

from services.aspirations import events
from services.aspirations.models import Aspiration, ConsentRecord, DirectoryKim, HistoryEntry
from services.aspirations.workflow import OPEN, TRANSITIONS, Calendar, deadline
from services.common.db import dialect_insert
from services.common.errors import InvalidInput, InvalidTransition, NotFound, Unprocessable
from services.common.events import as_utc, record_event, record_events, utcnow
from services.common.privacy import consent_row, notice
from services.common.regions import VILLAGE_CODE_PATTERN
from services.common.scope import Actor, require_office, require_region
from services.common.vocabulary import ASPIRATION_KINDS, ASPIRATION_STATUSES

KINDS = ASPIRATION_KINDS
CONTACT_PURPOSE = "aspiration_contact"
CONTACT_FIELDS = ("name", "phone", "email")  # the submitter's personal fields


def _iso(moment):
    return as_utc(moment).isoformat() if moment is not None else None


# --- intake ------------------------------------------------------------------------

# The gateway's rules, checked again as a submission is taken in: a message on the
# intake queue may come from anywhere that can publish there, and one that breaks
# a column (a category lower-cased to 100 characters) must not stall the queue.
CATEGORY = re.compile(r"^\w{2,50}$")
KIM_ID = re.compile(r"^[A-Za-z0-9._:-]{1,32}$")
# never stricter than the gateway (what it answered 202 for is taken in): the same shapes, blanks aside
PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,19}$")
EMAIL = re.compile(r"^[^@]+@[^@]+\.[^@]+$")
ATTACHMENT = re.compile(r"^https?://")


def category_key(value: str) -> str:
    """A category as it is kept: lower-case, `_` for spaces and hyphens."""
    return "_".join(str(value).lower().replace("-", " ").split())


def _text(value, low: int, high: int, pattern: re.Pattern | None = None) -> bool:
    return isinstance(value, str) and low <= len(value) <= high and (pattern is None or bool(pattern.match(value)))


def check_submission(submission: dict) -> dict:
    """The submission's data as it will be stored, or Unprocessable naming the
    first field that breaks its rule (never the field's value)."""
    def refuse(field: str, rule: str):
        raise Unprocessable(f"{field}: {rule}")

    if not _text(submission.get("id"), 1, 36) or not _text(submission.get("tracking_code"), 6, 16):
        refuse("tracking_code", "an id of at most 36 and a code of 6..16 characters")
    try:
        datetime.fromisoformat(str(submission.get("submitted_at")))
    except ValueError:
        refuse("submitted_at", "an ISO 8601 moment")
    data = submission.get("data")
    if not isinstance(data, dict):
        refuse("data", "an object")
    data = {**data, "category": category_key(data.get("category", ""))}
    if data.get("kind") not in KINDS:
        refuse("kind", f"one of {', '.join(KINDS)}")
    if not CATEGORY.match(data["category"]):
        refuse("category", "2..50 letters, digits or _ once normalised")
    if not _text(data.get("body"), 5, 10_000):
        refuse("body", "5..10000 characters")
    if not _text(data.get("village_code"), 13, 13, VILLAGE_CODE_PATTERN):
        refuse("village_code", "a village code such as 14.71.01.1002")
    if data.get("kim_id") is not None and not _text(data["kim_id"], 1, 32, KIM_ID):
        refuse("kim_id", "a KIM id")
    if data.get("broadcast_id") is not None and not _text(data["broadcast_id"], 36, 36):
        refuse("broadcast_id", "a broadcast id")
    submitter = data.get("submitter") or {}
    if not isinstance(submitter, dict) or set(submitter) - {"name", "phone", "email"}:
        refuse("submitter", "name, phone and email only")
    for field, valid in (("name", lambda v: _text(v, 0, 200)), ("phone", lambda v: _text(v, 6, 21, PHONE)),
                         ("email", lambda v: _text(v, 3, 200, EMAIL))):
        if submitter.get(field) is not None and not valid(submitter[field]):
            refuse(f"submitter.{field}", "as the API describes it")
    for flag in ("anonim", "rahasia", "publik"):
        if not isinstance(data.get(flag, False), bool):
            refuse(flag, "true or false")
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list) or len(attachments) > 10 or not all(
            _text(a, 8, 500, ATTACHMENT) for a in attachments):
        refuse("attachments", "at most 10 http(s) links of at most 500 characters")
    return data


def intake(session: Session, submission: dict, calendar: Calendar, settings) -> bool:
    """Store a submission the gateway accepted. A repeat (same tracking code)
    changes nothing. Returns whether it was new. A submission that breaks the
    rules is Unprocessable (the intake queue dead-letters it at once)."""
    return bool(intake_many(session, [submission], calendar, settings))


def intake_many(session: Session, submissions: list[dict], calendar: Calendar, settings) -> list[str]:
    """`intake` for many submissions in a few statements (the intake queue's
    batches): returns the tracking codes stored now; a repeat, in the batch or
    from before, is stored once. One breaking the rules makes the whole call
    Unprocessable, before anything is written."""
    checked = {}
    for submission in submissions:
        data = check_submission(submission)  # a copy: popping the notice version leaves the message as it came
        shown = data.pop("consent_version", None)  # the gateway puts it in the data; a producer might beside it
        data["consent_version"] = _shown_version(shown if shown is not None else submission.get("consent_version"))
        checked.setdefault(submission["tracking_code"], (submission, data))
    named = {data["kim_id"] for _, data in checked.values() if data.get("kim_id")}
    living = set(session.scalars(select(DirectoryKim.id).where(
        DirectoryKim.id.in_(named), DirectoryKim.status != "dissolved"))) if named else set()
    rows, notes, now = [], {}, utcnow()
    for tracking_code, (submission, data) in checked.items():
        kim_id = data.get("kim_id")
        if kim_id and kim_id not in living:
            # the gateway checked it; if it changed since, keep the citizen's words without the group
            notes[tracking_code] = f"KIM {kim_id} tidak aktif; aspirasi dicatat tanpa KIM"
            kim_id = None
        # the gateway sets this only when the group itself (its key or account) sent the submission
        filed_by_kim = bool(kim_id and submission.get("filed_by_kim"))
        submitted_at = datetime.fromisoformat(submission["submitted_at"]).astimezone(UTC)
        village = data["village_code"]
        rows.append(dict(
            id=submission["id"], tracking_code=tracking_code, kind=data["kind"], category=data["category"],
            body=data["body"], village_code=village, regency_code=village[:5], province_code=village[:2],
            kim_id=kim_id, filed_by_kim=filed_by_kim,
            broadcast_id=data.get("broadcast_id"), submitter=data.get("submitter") or {},
            anonim=bool(data.get("anonim")), rahasia=bool(data.get("rahasia")),
            publik=bool(data.get("publik")) and not data.get("rahasia"),
            attachments=data.get("attachments") or [], status="received",
            due_at=deadline(calendar, settings, "received", submitted_at), overdue=False, escalated=False,
            submitted_at=submitted_at, updated_at=now))
    table = Aspiration.__table__
    stored = set(session.execute(dialect_insert(session)(table).on_conflict_do_nothing(
        index_elements=["tracking_code"]).returning(table.c.tracking_code), rows).scalars())
    new = [row for row in rows if row["tracking_code"] in stored]
    if not new:
        return []
    session.execute(insert(HistoryEntry.__table__), [
        {"aspiration_id": row["id"], "old": None, "new": "received", "note": notes.get(row["tracking_code"]),
         "actor": checked[row["tracking_code"]][0].get("submitted_by", "public"), "at": row["submitted_at"]}
        for row in new])
    session.add_all([consent for row in new if (consent := _consent(row, *checked[row["tracking_code"]]))])
    record_events(session, "aspiration_submitted", [events.aspiration_submitted(
        row["id"], row["tracking_code"], row["village_code"], row["kim_id"], row["category"], row["kind"])
        for row in new])
    return [row["tracking_code"] for row in new]


def _shown_version(version) -> str | None:
    """The privacy notice version the form showed; one this service does not know (the gateway refused
    those already) counts as the current notice rather than stalling the intake queue."""
    try:
        return notice(CONTACT_PURPOSE, version).version
    except InvalidInput:
        return None


def _consent(row: dict, submission: dict, data: dict) -> ConsentRecord | None:
    """The consent to the contact fields given, if any: "warga" gave it on the public form, else the
    caller that filed the submission (a group, an office, a channel) did, as `submitted_by` names it."""
    given = [field for field in CONTACT_FIELDS if row["submitter"].get(field)]
    filed_by = submission.get("submitted_by") or "public"
    return consent_row(ConsentRecord, f"aspiration:{row['id']}", CONTACT_PURPOSE, data["consent_version"], given,
                       "warga" if filed_by == "public" else str(filed_by)[:100], row["submitted_at"])


def check_kim(session: Session, kim_id: str) -> dict:
    kim = session.get(DirectoryKim, kim_id)
    if kim is None or kim.status == "dissolved":
        raise InvalidInput(f"KIM {kim_id} tidak ada atau sudah bubar.", detail_en=f"No active KIM {kim_id}.",
                           errors=[{"field": "kim_id", "message": "unknown or dissolved KIM"}])
    return {"kim_id": kim.id, "village_code": kim.village_code, "status": kim.status}


# --- views -------------------------------------------------------------------------

def history_view(entries, public: bool) -> list[dict]:
    return [{"old": e.old, "new": e.new, "at": _iso(e.at), **({} if public else {"note": e.note, "actor": e.actor})}
            for e in entries]


def public_view(a: Aspiration, entries) -> dict:
    """What the holder of a tracking code sees: never the submitter's contact;
    of a `rahasia` aspiration only its status."""
    if a.rahasia:
        return {"tracking_code": a.tracking_code, "status": a.status, "rahasia": True}
    return {"tracking_code": a.tracking_code, "kind": a.kind, "category": a.category, "body": a.body,
            "village_code": a.village_code, "status": a.status, "submitted_at": _iso(a.submitted_at),
            "history": history_view(entries, public=True),
            "response": a.response if a.status in ("responded", "closed") else None, "rahasia": False}


def office_view(a: Aspiration, entries=None) -> dict:
    view = {
        "id": a.id, "tracking_code": a.tracking_code, "kind": a.kind, "category": a.category, "body": a.body,
        "village_code": a.village_code, "regency_code": a.regency_code, "kim_id": a.kim_id,
        "filed_by_kim": a.filed_by_kim,
        "broadcast_id": a.broadcast_id, "submitter": a.submitter, "anonim": a.anonim, "rahasia": a.rahasia,
        "publik": a.publik,
        "attachments": a.attachments, "status": a.status, "response": a.response, "due_at": _iso(a.due_at),
        "overdue": a.overdue, "escalated": a.escalated, "submitted_at": _iso(a.submitted_at),
        "responded_at": _iso(a.responded_at), "closed_at": _iso(a.closed_at), "allowed": list(TRANSITIONS[a.status]),
        # set once the contact was erased (retention or a person's request): why `submitter` is empty
        "contact_erased_at": _iso(a.contact_erased_at),
    }
    if entries is not None:
        view["history"] = history_view(entries, public=False)
    return view


def kim_may_see_answer(a: Aspiration) -> bool:
    """The named group gets the answer in its inbox, unless a citizen named it
    on a rahasia aspiration (a public answer is on the tracking page anyway)."""
    return a.kim_id is not None and (a.filed_by_kim or not a.rahasia)


def view_for(actor: Actor, a: Aspiration, entries=None) -> dict:
    view = office_view(a, entries)
    if actor.role != "kim":
        return view
    if a.anonim or not a.filed_by_kim:
        view["submitter"] = {}  # anonim, or a citizen's own: the identity stays with the handling office
    if a.rahasia and not a.filed_by_kim:
        # a citizen named the group: it follows the case, but a secret stays secret
        view.update(body=None, attachments=[], response=None)
        if "history" in view:
            view["history"] = [{k: h[k] for k in ("old", "new", "at")} for h in view["history"]]
    return view


def _history(session: Session, a: Aspiration):
    return session.scalars(select(HistoryEntry).where(HistoryEntry.aspiration_id == a.id)
                           .order_by(HistoryEntry.id)).all()


# --- reading -------------------------------------------------------------------------

def track(session: Session, tracking_code: str) -> dict:
    a = session.scalar(select(Aspiration).where(Aspiration.tracking_code == str(tracking_code).upper()))
    if a is None:
        raise NotFound("Kode pelacakan tidak dikenal.", detail_en="Unknown tracking code.")
    return public_view(a, _history(session, a))


def _may_see(actor: Actor, a: Aspiration) -> bool:
    if actor.role == "kim":
        return a.kim_id is not None and a.kim_id == actor.kim_id
    if actor.role == "operator":
        return actor.covers(a.regency_code)
    if actor.role == "admin":
        return actor.covers(a.village_code)
    return False


def load(session: Session, actor: Actor, aspiration_id, for_update=False) -> Aspiration:
    query = select(Aspiration).where(Aspiration.id == str(aspiration_id))
    a = session.scalar(query.with_for_update() if for_update else query)
    if a is None or not _may_see(actor, a):
        # another regency's aspirations do not exist for this caller
        raise NotFound("Aspirasi tidak ditemukan.", detail_en="No such aspiration.")
    return a


def get(session: Session, actor: Actor, aspiration_id: str) -> dict:
    a = load(session, actor, aspiration_id)
    return view_for(actor, a, _history(session, a))


def _scoped(actor: Actor, query):
    if actor.role == "kim":
        return query.where(Aspiration.kim_id == actor.kim_id)
    require_office(actor)
    root = actor.scope_region
    if root is None:
        return query
    if root.count(".") == 0:
        return query.where(Aspiration.province_code == root)
    return query.where(Aspiration.regency_code == root[:5])


def _filtered(actor: Actor, filters: dict):
    query = _scoped(actor, select(Aspiration))
    region = filters.get("region")
    if region:
        if actor.is_office and not actor.covers(region) and not (actor.scope_region or "").startswith(region + "."):
            require_region(actor, region)
        if region.count(".") == 0:
            query = query.where(Aspiration.province_code == region)
        elif region.count(".") == 1:
            query = query.where(Aspiration.regency_code == region)
        else:
            query = query.where((Aspiration.village_code == region) | Aspiration.village_code.like(region + ".%"))
    for field in ("status", "kind", "category", "tracking_code"):
        if filters.get(field):
            query = query.where(getattr(Aspiration, field) == filters[field])
    if filters.get("overdue") is not None:
        query = query.where(Aspiration.overdue.is_(bool(filters["overdue"])))
    if filters.get("escalated") is not None:
        query = query.where(Aspiration.escalated.is_(bool(filters["escalated"])))
    return query


def work_queue(session: Session, actor: Actor, filters: dict, limit: int, offset: int) -> dict:
    """Overdue first, then the nearest deadline."""
    query = _filtered(actor, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Aspiration.overdue.desc(), Aspiration.due_at.is_(None),
                                           Aspiration.due_at, Aspiration.id).limit(limit).offset(offset)).all()
    return {"items": [view_for(actor, a) for a in items], "total": total}


def stats(session: Session, actor: Actor, filters: dict) -> dict:
    query = _filtered(actor, filters).subquery()
    by_status = dict(session.execute(select(query.c.status, func.count()).group_by(query.c.status)).all())
    by_kind = dict(session.execute(select(query.c.kind, func.count()).group_by(query.c.kind)).all())
    overdue = session.scalar(select(func.count()).select_from(query).where(query.c.overdue.is_(True)))
    hours = [(as_utc(r) - as_utc(s)).total_seconds() / 3600 for s, r in session.execute(
        select(query.c.submitted_at, query.c.responded_at).where(query.c.responded_at.is_not(None))).all()]
    return {"total": sum(by_status.values()), "by_status": by_status, "by_kind": by_kind, "overdue": overdue,
            "median_hours_to_first_response": round(statistics.median(hours), 2) if hours else None}


# --- the workflow ---------------------------------------------------------------------

def transition(session: Session, actor: Actor, aspiration_id: str, to: str, note: str | None,
               response: str | None, calendar: Calendar, settings, now: datetime | None = None) -> dict:
    a = load(session, actor, aspiration_id, for_update=True)
    require_office(actor)
    if to not in TRANSITIONS[a.status]:
        raise InvalidTransition(
            f"Dari {a.status} tidak bisa ke {to}.", detail_en=f"{a.status} cannot go to {to}.",
            allowed=list(TRANSITIONS[a.status]))
    if to == "rejected" and not note:
        raise InvalidInput("Penolakan perlu alasan.", detail_en="A rejection needs a reason.",
                           errors=[{"field": "note", "message": "the reason"}])
    if to == "responded" and not response:
        raise InvalidInput("Jawaban tidak boleh kosong.", detail_en="The response is missing.",
                           errors=[{"field": "response", "message": "the answer to the citizen"}])
    step(session, a, to, note, actor.label, now or utcnow(), calendar, settings, response)
    return view_for(actor, a, _history(session, a))


def step(session: Session, a: Aspiration, to: str, note, actor_label: str, now: datetime, calendar: Calendar,
         settings, response: str | None = None):
    """The one place a status changes: history, deadline, events."""
    now = now.astimezone(UTC)
    old = a.status
    a.status, a.updated_at = to, now
    if to == "forwarded":
        a.forwarded_at = now
    if to == "responded":
        a.response = response
        a.responded_at = a.responded_at or now
    if to in ("closed", "rejected"):
        a.closed_at = now
    a.due_at = deadline(calendar, settings, to, now)
    if to not in OPEN:
        a.overdue = False
    session.add(HistoryEntry(aspiration_id=a.id, old=old, new=to, note=note, actor=actor_label, at=now))
    record_event(session, "aspiration_status_changed", events.aspiration_status_changed(a, old, to))
    if to == "responded":
        record_event(session, "aspiration_responded", events.aspiration_responded(a, response, kim_may_see_answer(a)))


def check_deadlines(session: Session, now: datetime, calendar: Calendar, settings, limit: int = 1000) -> dict:
    """Flag, announce and escalate overdue aspirations; close undisputed
    responses whose time has come. `now` is injectable for tests."""
    now = now.astimezone(UTC)
    overdue = session.scalars(select(Aspiration).where(
        Aspiration.status.in_(OPEN), Aspiration.overdue.is_(False), Aspiration.due_at < now)
        .limit(limit).with_for_update(skip_locked=True)).all()
    for a in overdue:
        a.overdue, a.escalated, a.updated_at = True, True, now
        session.add(HistoryEntry(aspiration_id=a.id, old=a.status, new=a.status, actor="system:deadline",
                                 note=f"lewat tenggat; dieskalasi ke provinsi {a.province_code}", at=now))
        record_event(session, "aspiration_overdue", events.aspiration_overdue(a))
    closing = session.scalars(select(Aspiration).where(Aspiration.status == "responded", Aspiration.due_at < now)
                              .limit(limit).with_for_update(skip_locked=True)).all()
    for a in closing:
        step(session, a, "closed", "ditutup otomatis: jawaban tidak dibantah", "system:deadline", now, calendar,
             settings)
    return {"overdue": len(overdue), "closed": len(closing)}


# --- the gauges --------------------------------------------------------------------------

def count_by_status(session: Session) -> dict[str, int]:
    """Every status, 0 where none is left (so its gauge does not keep its last count)."""
    counts = dict(session.execute(select(Aspiration.status, func.count()).group_by(Aspiration.status)).all())
    return {status: counts.get(status, 0) for status in ASPIRATION_STATUSES}


def overdue_by_regency(session: Session) -> dict[str, int]:
    """Open overdue aspirations per responsible regency. Every regency that ever
    had one is named, with 0 once cleared (so its gauge does not keep the last
    count): an overdue aspiration stays escalated, so the database knows them,
    and every instance, however long it has run, reports the same."""
    still_overdue = and_(Aspiration.overdue.is_(True), Aspiration.status.in_(OPEN))
    return dict(session.execute(select(Aspiration.regency_code, func.count(case((still_overdue, 1))))
                                .where(Aspiration.escalated.is_(True)).group_by(Aspiration.regency_code)).all())


# --- Open311 GeoReport v2 (the public list) ------------------------------------------

def open311_view(a: Aspiration) -> dict:
    """A request as Open311 shows it: never the submitter; a `rahasia` one
    only its id and status."""
    status = "closed" if a.status in ("closed", "rejected") else "open"
    if a.rahasia:
        return {"service_request_id": a.tracking_code, "status": status}
    view = {"service_request_id": a.tracking_code, "status": status, "service_code": a.category,
            "requested_datetime": _iso(a.submitted_at), "updated_datetime": _iso(a.updated_at)}
    return {**view, "status_notes": a.response if a.status in ("responded", "closed") else a.status,
            "service_name": a.category, "description": a.body, "address_id": a.village_code,
            "agency_responsible": f"Diskominfo {a.regency_code}",
            # an attachment (a photo may show a face or a house) only when its submitter published it;
            # tracking by code never shows one either
            "media_url": (a.attachments or [None])[0] if a.publik else None}


def open311_requests(session: Session, codes: list[str] | None, service_code: str | None, status: str | None,
                     limit: int) -> list[dict]:
    query = select(Aspiration)
    if codes:
        query = query.where(Aspiration.tracking_code.in_([c.upper() for c in codes]))
    else:
        # the list shows what submitters chose to publish; the others are found by their code only
        query = query.where(Aspiration.publik.is_(True), Aspiration.rahasia.is_(False))
    if service_code:
        query = query.where(Aspiration.category == service_code)
    if status == "open":
        query = query.where(Aspiration.status.not_in(("closed", "rejected")))
    elif status == "closed":
        query = query.where(Aspiration.status.in_(("closed", "rejected")))
    items = session.scalars(query.order_by(Aspiration.submitted_at.desc()).limit(limit)).all()
    return [open311_view(a) for a in items]
