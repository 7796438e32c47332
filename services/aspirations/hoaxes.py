"""The hoax clarification loop (issue 15): groups and citizens report a claim
circulating where they live; reports of the same claim merge into one case;
the office labels the case with an explanation and sources and sends a
clarification (a `klarifikasi` broadcast, linked here); the groups that
reported it get the outcome in their inbox (`hoax_case_labelled`); labelled
cases are public.

Merging: a new report joins the case of the most similar earlier report of
the same province (rapidfuzz on normalised words, `similarity`, or the same
link), when the similarity reaches `KIM_HOAX_MATCH_THRESHOLD`. Province,
not nation: a rumour is local, a province's offices handle it, and a case
stays within one provincial admin's scope. The office moves a report to
another case of the province, or splits it off into a case of its own.

Privacy: a report carries no person: a citizen reports without name or
contact, a group by its id. The public sees a labelled case by the office's
headline, explanation and sources, never the reports' words.
"""
import uuid
from datetime import date, timedelta

from rapidfuzz import fuzz, process, utils
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aspirations import events, metrics
from services.aspirations.models import DirectoryKim, HoaxCase, HoaxReport
from services.common.errors import InvalidInput, InvalidTransition, NotFound, OutOfScope, invalid
from services.common.events import as_utc, record_event, utcnow
from services.common.regions import VILLAGE_CODE_PATTERN
from services.common.scope import Actor, require_office
from services.common.text import strip_blank
from services.common.vocabulary import HOAX_CASE_STATUSES, HOAX_LABELS, HOAX_SOURCES

REPORTED, LABELLED, CLARIFIED = HOAX_CASE_STATUSES
CANDIDATES = 5000  # the province's latest reports a new one is compared with
SHORT = 4  # words: a shorter text matches only as a whole (a subset of 2 words says little)


def _iso(moment):
    return as_utc(moment).isoformat() if moment is not None else None


def _link(value, field: str) -> str | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 500 or not value.startswith(("http://", "https://")):
        raise invalid(field, "an http(s) link of at most 500 characters", "Tautan tidak valid.", "Invalid link.")
    return value


def _words(value, field: str, low: int, high: int) -> str:
    if not isinstance(value, str) or not low <= len(strip_blank(value)) <= high:
        raise invalid(field, f"{low}..{high} characters", "Isian terlalu pendek atau terlalu panjang.",
                      "Too short or too long.")
    return strip_blank(value)


# --- similarity -------------------------------------------------------------------------

def similarity(a: str, b: str, **_) -> float:
    """0..100: how alike two reports' words are, whatever their order, case and
    punctuation. The mean of token_set_ratio (a forwarded message's additions,
    "Sebarkan!", barely count) and token_sort_ratio (so that a few words shared
    with a longer rumour, where token_set_ratio alone says 100, are not that
    rumour): a retold rumour scores 85 to 97, a part of one or another rumour
    about the same place 74 to 77 (services/aspirations/tests/test_hoaxes.py)."""
    left, right = utils.default_process(a), utils.default_process(b)
    if min(len(left.split()), len(right.split())) < SHORT:
        return fuzz.ratio(left, right)
    return (fuzz.token_set_ratio(left, right) + fuzz.token_sort_ratio(left, right)) / 2


def best_match(session: Session, province: str, text: str, link: str | None) -> tuple[str | None, int]:
    """The case of the most similar report of the province, and the score."""
    if link:
        same = session.scalar(select(HoaxReport.case_id).where(HoaxReport.province_code == province,
                                                                HoaxReport.link == link).limit(1))
        if same:
            return same, 100
    rows = session.execute(select(HoaxReport.id, HoaxReport.case_id, HoaxReport.text)
                           .where(HoaxReport.province_code == province)
                           .order_by(HoaxReport.created_at.desc()).limit(CANDIDATES)).all()
    if not rows:
        return None, 0
    found = process.extractOne(text, {row.id: row.text for row in rows}, scorer=similarity, processor=None)
    if found is None:
        return None, 0
    _, score, report_id = found
    return next(row.case_id for row in rows if row.id == report_id), int(round(score))


# --- reporting ---------------------------------------------------------------------------

def report(session: Session, actor: Actor, data: dict, threshold: int) -> dict:
    """A report from a group (its key or account), an office or a citizen (public)."""
    text = _words(data.get("text"), "text", 5, 5000)
    link = _link(data.get("link"), "link")
    if data.get("seen_on") not in HOAX_SOURCES:
        raise invalid("seen_on", f"one of {', '.join(HOAX_SOURCES)}", "Sumber tidak dikenal.", "Unknown source.")
    seen_at = None
    if data.get("seen_at"):
        try:
            seen_at = date.fromisoformat(str(data["seen_at"]))
        except ValueError:
            raise invalid("seen_at", "YYYY-MM-DD", "Tanggal tidak valid.", "Invalid date.") from None
        if seen_at > (utcnow() + timedelta(days=1)).date():
            raise invalid("seen_at", "not after today", "Tanggal belum terjadi.", "The date is in the future.")
    village = data.get("village_code")
    if not isinstance(village, str) or not VILLAGE_CODE_PATTERN.match(village):
        raise invalid("village_code", "a village code", "Kode desa tidak valid.", "Invalid village code.")
    kim_id = None
    if actor.role == "kim":
        kim = session.get(DirectoryKim, actor.kim_id or "")
        if kim is None or kim.status == "dissolved":
            raise InvalidInput(f"KIM {actor.kim_id} tidak ada atau sudah bubar.",
                               detail_en=f"No active KIM {actor.kim_id}.")
        kim_id = kim.id
        if village[:2] != kim.village_code[:2]:
            # a group reports what circulates in its own province: its reports join that province's cases
            raise OutOfScope("KIM melaporkan kabar yang beredar di provinsinya sendiri.",
                             detail_en="A group reports claims circulating in its own province.")
    elif actor.is_office and not actor.covers(village):
        raise OutOfScope(f"Wilayah {village} di luar cakupan Anda.",
                         detail_en=f"Region {village} is outside your scope.")
    province, now = village[:2], utcnow()
    if session.get_bind().dialect.name == "postgresql":
        # reports of one province take turns: two first reports of a rumour at once make one case, not two
        session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"hoax-{province}"))))
    case_id, score = best_match(session, province, text, link)
    case = session.get(HoaxCase, case_id, with_for_update=True) if case_id and score >= threshold else None
    if case is None:
        case = HoaxCase(id=str(uuid.uuid4()), province_code=province, claim=text, status=REPORTED, sources=[],
                        created_at=now, updated_at=now)
        session.add(case)
        session.flush()
        score_kept = None
    else:
        case.updated_at, score_kept = now, score
    entry = HoaxReport(id=str(uuid.uuid4()), case_id=case.id, text=text, link=link, seen_on=data["seen_on"],
                       seen_at=seen_at, village_code=village, province_code=province, kim_id=kim_id,
                       reporter=actor.label, score=score_kept, created_at=now)
    session.add(entry)
    metrics.HOAX_REPORTS.labels(village[:5]).inc()
    if case.label and kim_id:
        # reported after the office labelled it: this group gets the outcome at once
        record_event(session, "hoax_case_labelled", events.hoax_case_labelled(case, [kim_id]))
    return {"id": entry.id, "case_id": case.id, "merged": score_kept is not None, "score": score_kept}


# --- who sees a case -----------------------------------------------------------------------

def _in_scope(scope: str):
    return (HoaxReport.village_code == scope) | HoaxReport.village_code.like(scope + ".%")


def _visible(actor: Actor):
    """The cases an office may handle: its province's for a province admin (all for a national one),
    those reported in its region for an office below."""
    require_office(actor)
    scope = actor.scope_region
    if scope is None:
        return select(HoaxCase)
    query = select(HoaxCase).where(HoaxCase.province_code == scope[:2])
    if "." in scope:
        query = query.where(select(HoaxReport.id).where(HoaxReport.case_id == HoaxCase.id, _in_scope(scope))
                            .exists())
    return query


def load(session: Session, actor: Actor, case_id, for_update=False) -> HoaxCase:
    query = _visible(actor).where(HoaxCase.id == str(case_id))
    case = session.scalar(query.with_for_update() if for_update else query)
    if case is None:
        # another region's cases do not exist for this caller
        raise NotFound("Kasus tidak ditemukan.", detail_en="No such case.")
    return case


def _reports(session: Session, case: HoaxCase) -> list[HoaxReport]:
    return list(session.scalars(select(HoaxReport).where(HoaxReport.case_id == case.id)
                                .order_by(HoaxReport.created_at, HoaxReport.id)))


def where_reported(reports: list[HoaxReport]) -> list[dict]:
    """Per village: reports and distinct groups (the map's points)."""
    places: dict[str, dict] = {}
    for r in reports:
        place = places.setdefault(r.village_code, {"village_code": r.village_code, "reports": 0, "groups": set()})
        place["reports"] += 1
        if r.kim_id:
            place["groups"].add(r.kim_id)
    return [{**p, "groups": len(p["groups"])} for _, p in sorted(places.items())]


def _outcome(case: HoaxCase) -> dict:
    return {"title": case.title, "label": case.label, "explanation": case.explanation,
            "sources": list(case.sources or []), "labelled_at": _iso(case.labelled_at),
            "broadcast_id": case.broadcast_id, "clarified_at": _iso(case.clarified_at)}


def case_summary(case: HoaxCase, reports: list[HoaxReport]) -> dict:
    return {"id": case.id, "province_code": case.province_code, "claim": case.claim, "status": case.status,
            **_outcome(case), "reports": len(reports), "groups": len({r.kim_id for r in reports if r.kim_id}),
            "regions": sorted({r.village_code for r in reports}),
            "last_reported_at": _iso(max((r.created_at for r in reports), default=None)),
            "created_at": _iso(case.created_at), "updated_at": _iso(case.updated_at)}


def report_view(r: HoaxReport) -> dict:
    return {"id": r.id, "case_id": r.case_id, "text": r.text, "link": r.link, "seen_on": r.seen_on,
            "seen_at": r.seen_at.isoformat() if r.seen_at else None, "village_code": r.village_code,
            "kim_id": r.kim_id, "reporter": r.reporter.split(":")[0], "score": r.score,
            "created_at": _iso(r.created_at)}


def case_view(session: Session, case: HoaxCase) -> dict:
    reports = _reports(session, case)
    return {**case_summary(case, reports), "map": where_reported(reports),
            "items": [report_view(r) for r in reports]}


# --- the office -------------------------------------------------------------------------

def list_cases(session: Session, actor: Actor, filters: dict, limit: int, offset: int) -> dict:
    """Unlabelled first, then the most recently reported."""
    query = _visible(actor)
    if filters.get("status"):
        query = query.where(HoaxCase.status == filters["status"])
    if filters.get("label"):
        query = query.where(HoaxCase.label == filters["label"])
    if filters.get("q"):
        query = query.where(HoaxCase.claim.icontains(filters["q"], autoescape=True)
                            | HoaxCase.title.icontains(filters["q"], autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    cases = list(session.scalars(query.order_by((HoaxCase.status != REPORTED), HoaxCase.updated_at.desc(),
                                                HoaxCase.id).limit(limit).offset(offset)))
    reports: dict[str, list[HoaxReport]] = {case.id: [] for case in cases}
    if cases:
        for r in session.scalars(select(HoaxReport).where(HoaxReport.case_id.in_(reports))):
            reports[r.case_id].append(r)
    return {"items": [case_summary(case, reports[case.id]) for case in cases], "total": total}


def get_case(session: Session, actor: Actor, case_id: str) -> dict:
    return case_view(session, load(session, actor, case_id))


def label_case(session: Session, actor: Actor, case_id: str, data: dict) -> dict:
    """The office's verdict; the groups that reported it get it in their inbox
    (again when the verdict changes)."""
    case = load(session, actor, case_id, for_update=True)
    _require_whole_case(actor, _reports(session, case))
    if data.get("label") not in HOAX_LABELS:
        raise invalid("label", f"one of {', '.join(HOAX_LABELS)}", "Label tidak dikenal.", "Unknown label.")
    title = _words(data.get("title"), "title", 3, 200)
    explanation = _words(data.get("explanation"), "explanation", 10, 10_000)
    sources = data.get("sources") or []
    if not isinstance(sources, list) or len(sources) > 10:
        raise invalid("sources", "at most 10 links", "Paling banyak 10 sumber.", "At most 10 sources.")
    sources = [_link(s, "sources") for s in sources]
    verdict = (data["label"], title, explanation, sources)
    if verdict == (case.label, case.title, case.explanation, list(case.sources or [])):
        return case_view(session, case)  # the same verdict again changes nothing
    now, previous_label = utcnow(), case.label
    case.label, case.title, case.explanation, case.sources = verdict
    case.labelled_by, case.labelled_at, case.updated_at = actor.label, now, now
    if case.status == REPORTED:
        case.status = LABELLED
    if data["label"] != previous_label:
        metrics.HOAX_CASES_LABELLED.labels(data["label"]).inc()
    kim_ids = [r.kim_id for r in _reports(session, case) if r.kim_id]
    if kim_ids and data["label"] != previous_label:  # a corrected explanation is not sent to every chat again
        record_event(session, "hoax_case_labelled", events.hoax_case_labelled(case, kim_ids))
    return case_view(session, case)


def _require_whole_case(actor: Actor, reports: list[HoaxReport]):
    """A case may hold reports of several regencies of its province: its verdict, and where its reports
    go, are decided by an office whose scope holds every one of them (else the province's)."""
    if not all(actor.covers(r.village_code) for r in reports):
        raise OutOfScope("Kasus ini juga dilaporkan di luar wilayah Anda: diputuskan oleh kantor di atasnya.",
                         detail_en="This case was also reported outside your region: the office above decides.")


def link_clarification(session: Session, actor: Actor, case_id: str, broadcast_id: str) -> dict:
    """Record the clarification broadcast the gateway created for the case."""
    case = load(session, actor, case_id, for_update=True)
    if case.label is None:
        raise InvalidTransition("Beri label kasus sebelum mengirim klarifikasi.",
                                detail_en="Label the case before sending a clarification.", allowed=[])
    if case.broadcast_id not in (None, broadcast_id):
        raise InvalidTransition("Klarifikasi kasus ini sudah dikirim.",
                                detail_en="This case's clarification was sent already.", allowed=[],
                                broadcast_id=case.broadcast_id)
    if case.broadcast_id is None:
        now = utcnow()
        case.broadcast_id, case.clarified_at, case.status, case.updated_at = broadcast_id, now, CLARIFIED, now
    return case_view(session, case)


def move_report(session: Session, actor: Actor, report_id: str, case_id: str | None) -> dict:
    """Move a report to another case of its province (`case_id`), or split it
    off into a new case of its own (None). A case left without reports goes."""
    require_office(actor)
    entry = session.get(HoaxReport, str(report_id), with_for_update=True)
    if entry is None:
        raise NotFound("Laporan tidak ditemukan.", detail_en="No such report.")
    source = load(session, actor, entry.case_id, for_update=True)  # NotFound outside the caller's cases
    _require_whole_case(actor, [entry])
    now = utcnow()
    if case_id is None:
        target = HoaxCase(id=str(uuid.uuid4()), province_code=entry.province_code, claim=entry.text,
                          status=REPORTED, sources=[], created_at=now, updated_at=now)
        session.add(target)
        session.flush()
    else:
        target = load(session, actor, case_id, for_update=True)
        if target.province_code != entry.province_code:
            raise invalid("case_id", "a case of the report's province", "Kasus tujuan di provinsi lain.",
                          "The case is in another province.")
    if target.id != source.id:
        entry.case_id, entry.score, target.updated_at, source.updated_at = target.id, None, now, now
        session.flush()
        if target.label and entry.kim_id:
            record_event(session, "hoax_case_labelled", events.hoax_case_labelled(target, [entry.kim_id]))
        if not _reports(session, source) and source.label is None:
            session.delete(source)
    return case_view(session, target)


# --- the public --------------------------------------------------------------------------

def public_view(case: HoaxCase, reports: list[HoaxReport]) -> dict:
    """A labelled case as anyone sees it: the office's words, where (regencies), how many; never a report."""
    return {"id": case.id, **{k: v for k, v in _outcome(case).items() if k != "broadcast_id"},
            "clarified": case.broadcast_id is not None, "province_code": case.province_code,
            "regencies": sorted({r.village_code[:5] for r in reports}), "reports": len(reports),
            "groups": len({r.kim_id for r in reports if r.kim_id})}


def public_cases(session: Session, q: str | None, limit: int, offset: int) -> dict:
    """The labelled cases, the latest verdict first; `q` searches the headline and explanation."""
    query = select(HoaxCase).where(HoaxCase.label.is_not(None))
    if q:
        query = query.where(HoaxCase.title.icontains(q, autoescape=True)
                            | HoaxCase.explanation.icontains(q, autoescape=True))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    cases = list(session.scalars(query.order_by(HoaxCase.labelled_at.desc(), HoaxCase.id).limit(limit)
                                 .offset(offset)))
    reports: dict[str, list[HoaxReport]] = {case.id: [] for case in cases}
    if cases:
        for r in session.scalars(select(HoaxReport).where(HoaxReport.case_id.in_(reports))):
            reports[r.case_id].append(r)
    return {"items": [public_view(case, reports[case.id]) for case in cases], "total": total}


def public_case(session: Session, case_id: str) -> dict:
    case = session.get(HoaxCase, str(case_id))
    if case is None or case.label is None:
        raise NotFound("Klarifikasi tidak ditemukan.", detail_en="No such clarification.")
    return public_view(case, _reports(session, case))

