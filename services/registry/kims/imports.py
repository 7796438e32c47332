"""Importing an office's spreadsheet of groups (issue 13).

The gateway reads the file, checks each row's form with the API's own
schema and hands the rows over in chunks (`start_import`, `add_import_rows`);
the job is named by the office and the file's SHA-256, so the same file
twice is the same job and changes nothing. Once every row is there, the
registry's timer processes the job in batches (`import_step`): each batch's
groups, their events, coverage, the rows' outcomes and the job's `rows_done`
are one transaction, so a worker killed mid-job loses at most the batch it
was in, and the next one continues after the last committed batch. Several
service instances take turns (the job row is locked, SKIP LOCKED).

Every row is checked by the rules of a single registration
(groups.check_registration), with the lookups of a whole batch made at once
(BatchLookups); a row that names the same group as an earlier row of the
file, or as a group in the registry, is reported, not imported.
"""
import hashlib
import re
from collections import defaultdict
from datetime import date

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from services.common.db import dialect_insert, insert_rows, is_postgresql
from services.common.errors import Conflict, DomainError, InvalidInput, NotFound, OutOfScope
from services.common.events import as_utc, record_events, utcnow
from services.common.scope import Actor, require_office
from services.registry import coverage, events
from services.registry.kims.groups import (
    Lookups,
    check_registration,
    contact_consent,
    folded,
    kim_columns,
    kim_id_prefix,
    name_key,
    sk_key,
    today,
    without_consent_version,
)
from services.registry.models import (
    ConsentRecord,
    ImportJob,
    ImportOutcome,
    ImportRow,
    Kim,
    KimTag,
    Region,
    StatusChange,
    Tag,
)

SHA256 = re.compile(r"^[0-9a-f]{64}$")
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_ROWS = 1_000_000
MAX_CHUNK = 20_000
CONSENT_COLUMNS = ("record", "purpose", "notice_version", "basis", "fields", "given_by", "given_at")


# --- the job ------------------------------------------------------------------------------

def job_id_of(office: str, digest: str) -> str:
    return hashlib.sha256(f"{office}:{digest}".encode()).hexdigest()[:32]


def job_view(job: ImportJob) -> dict:
    return {
        "id": job.id, "file_name": job.file_name, "office": job.office, "status": job.status,
        "rows_total": job.rows_total, "rows_done": job.rows_done, "imported": job.imported,
        "rejected": job.rejected, "created_at": as_utc(job.created_at).isoformat(),
        "started_at": _iso(job.started_at), "finished_at": _iso(job.finished_at),
    }


def _iso(moment) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def _bad(field: str, rule: str, detail: str, detail_en: str) -> InvalidInput:
    return InvalidInput(detail, detail_en=detail_en, errors=[{"field": field, "message": rule}])


def start_import(session: Session, actor: Actor, file_sha256: str, file_name: str, rows_total: int) -> dict:
    """The job of this office for this file: a new one waiting for its rows, or
    the one there is already (whatever its state: the same file twice is one job)."""
    require_office(actor)
    if not isinstance(file_sha256, str) or not SHA256.match(file_sha256):
        raise _bad("file_sha256", "64 lowercase hex digits", "Sidik berkas tidak valid.", "Invalid file digest.")
    if not isinstance(rows_total, int) or not 1 <= rows_total <= MAX_ROWS:
        raise _bad("rows_total", f"1..{MAX_ROWS}", "Jumlah baris tidak valid.", "Invalid number of rows.")
    office = actor.scope_region or coverage.COUNTRY
    job_id = job_id_of(office, file_sha256)
    session.execute(dialect_insert(session)(ImportJob).values(
        id=job_id, office=office, file_sha256=file_sha256, file_name=str(file_name or "")[:200],
        actor={"role": actor.role, "scope_region": actor.scope_region, "key_id": actor.key_id},
        status="receiving", rows_total=rows_total, rows_done=0, imported=0, rejected=0, created_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["id"]))
    return job_view(session.get_one(ImportJob, job_id))


def find_import(session: Session, actor: Actor, file_sha256: str) -> dict | None:
    """This office's job for this file, if there is one (the gateway asks before reading the file again)."""
    require_office(actor)
    if not isinstance(file_sha256, str) or not SHA256.match(file_sha256):
        raise _bad("file_sha256", "64 lowercase hex digits", "Sidik berkas tidak valid.", "Invalid file digest.")
    job = session.get(ImportJob, job_id_of(actor.scope_region or coverage.COUNTRY, file_sha256))
    return job_view(job) if job is not None else None


def load_job(session: Session, actor: Actor, job_id, for_update: bool = False) -> ImportJob:
    job = None
    if isinstance(job_id, str) and JOB_ID.match(job_id):
        query = select(ImportJob).where(ImportJob.id == job_id)
        job = session.scalar(query.with_for_update() if for_update else query)
    if job is None:
        raise NotFound(f"Impor {job_id} tidak ditemukan.", detail_en=f"No import {job_id}.")
    if not actor.is_office or not actor.covers(job.office):
        raise OutOfScope(f"Impor {job_id} di luar cakupan Anda.", detail_en=f"Import {job_id} is outside your scope.")
    return job


def add_import_rows(session: Session, actor: Actor, job_id: str, rows: list[dict]) -> dict:
    """Store a chunk of the file's rows ({position, line, data | errors}); a
    chunk sent again is ignored. Once all rows are there the job is queued."""
    job = load_job(session, actor, job_id, for_update=True)
    if job.status != "receiving":
        return job_view(job)
    if not isinstance(rows, list) or len(rows) > MAX_CHUNK:
        raise _bad("rows", f"a list of at most {MAX_CHUNK}", "Potongan baris tidak valid.", "Invalid chunk of rows.")
    stored = []
    for row in rows:
        position, line = row.get("position"), row.get("line")
        data, errors = row.get("data"), row.get("errors")
        if (not isinstance(position, int) or not 1 <= position <= job.rows_total or not isinstance(line, int)
                or (data is None) == (errors is None) or not isinstance(data or errors, dict | list)):
            raise _bad("rows", "{position 1..rows_total, line, data or errors}", "Baris tidak valid.",
                       "Invalid row.")
        stored.append({"job_id": job.id, "position": position, "line": line, "data": data, "errors": errors})
    if stored:
        insert_rows(session, ImportRow.__table__, stored, skip_existing=True)
    held = session.scalar(select(func.count()).select_from(ImportRow).where(ImportRow.job_id == job.id))
    if held == job.rows_total:
        job.status = "queued"
    session.flush()
    return job_view(job)


def get_import(session: Session, actor: Actor, job_id: str) -> dict:
    return job_view(load_job(session, actor, job_id))


def import_report(session: Session, actor: Actor, job_id: str, limit: int = 1000, offset: int = 0) -> dict:
    """Each row's outcome in the file's order: imported (as which group),
    rejected (why, in Indonesian and English) or not yet processed (None)."""
    job = load_job(session, actor, job_id)
    if not isinstance(limit, int) or not isinstance(offset, int) or not 1 <= limit <= 10_000 or offset < 0:
        raise _bad("limit", "1..10000, offset >= 0", "Batas halaman tidak valid.", "Invalid page bounds.")
    rows = session.execute(
        select(ImportRow.position, ImportRow.line, ImportRow.data, ImportOutcome.outcome, ImportOutcome.kim_id,
               ImportOutcome.reasons)
        .outerjoin(ImportOutcome, (ImportOutcome.job_id == ImportRow.job_id)
                   & (ImportOutcome.position == ImportRow.position))
        .where(ImportRow.job_id == job.id).order_by(ImportRow.position).limit(limit).offset(offset)).all()
    items = [{"row": r.line, "position": r.position, "outcome": r.outcome, "kim_id": r.kim_id,
              "name": (r.data or {}).get("name"),
              "village_code": (r.data or {}).get("village_code") or (r.data or {}).get("village"),
              "reasons": r.reasons or []} for r in rows]
    return {"job": job_view(job), "items": items, "total": job.rows_total}


# --- processing ------------------------------------------------------------------------

def import_step(session: Session, batch_size: int, timezone: str) -> tuple[str | None, dict[str, int]]:
    """Process the next batch of one job being imported, in the caller's
    transaction. Returns (job id, rows processed per outcome), (None, {}) when idle."""
    job = session.scalar(select(ImportJob).where(ImportJob.status.in_(("queued", "running")))
                         .order_by(ImportJob.created_at, ImportJob.id).limit(1).with_for_update(skip_locked=True))
    if job is None:
        return None, {}
    now = utcnow()
    if job.status == "queued":
        job.status, job.started_at = "running", now
    rows = session.execute(select(ImportRow.position, ImportRow.line, ImportRow.data, ImportRow.errors)
                           .where(ImportRow.job_id == job.id, ImportRow.position > job.rows_done)
                           .order_by(ImportRow.position).limit(batch_size)).all()
    counts = {"imported": 0, "rejected": 0}
    if rows:
        outcomes = process_rows(session, job, rows, timezone)
        insert_rows(session, ImportOutcome.__table__, outcomes)
        for outcome in outcomes:
            counts[outcome["outcome"]] += 1
        job.rows_done = rows[-1].position
        job.imported += counts["imported"]
        job.rejected += counts["rejected"]
    if not rows or job.rows_done >= job.rows_total:
        job.status, job.finished_at = "done", utcnow()
    session.flush()
    return job.id, counts


def reasons_of(error: DomainError) -> list[dict]:
    """A broken rule as a row's reason: its field, Indonesian and English texts."""
    field = next((e.get("field") for e in error.extra.get("errors") or [] if isinstance(e, dict)), None)
    return [{"field": field, "message": error.detail, "message_en": error.extra.get("detail_en") or error.detail}]


class BatchLookups(Lookups):
    """The lookups of the rules for a whole batch, made in a few queries before
    its rows are checked; the groups the batch accepts are added as it goes,
    so a later row of the file that repeats one is a duplicate too."""

    def __init__(self, session: Session, rows: list[dict]):
        super().__init__(session)
        codes = {d["village_code"] for d in rows if isinstance(d.get("village_code"), str)}
        self.levels: dict[str, str] = dict(session.execute(
            select(Region.code, Region.level).where(Region.code.in_(codes))).all()) if codes else {}
        self.tags = set(session.scalars(select(Tag.code)))
        name_keys = {name_key(d["name"]) for d in rows}
        self.names: dict[tuple[str, str], str] = {}
        if codes:
            for kim_id, village, key in session.execute(
                    select(Kim.id, Kim.village_code, Kim.name_key).where(
                        Kim.village_code.in_(codes), Kim.name_key.in_(name_keys), Kim.status != "dissolved")):
                self.names[(village, key)] = kim_id
        sk_keys = {sk_key(d["sk"]["number"]) for d in rows}
        self.numbers: dict[str, str] = dict(session.execute(
            select(Kim.sk_number_key, Kim.id).where(Kim.sk_number_key.in_(sk_keys))).all()) if sk_keys else {}
        self._last_number: dict[str, int] = {}
        self._villages_numbered: set[str] = set()

    def village_level(self, code) -> str | None:
        return self.levels.get(code) if isinstance(code, str) else None

    def known_tags(self, tags: list[str]) -> set[str]:
        return self.tags & set(tags)

    def duplicates(self, village_code: str, key: str, number_key: str | None,
                   except_id: str | None = None) -> tuple[str | None, str | None]:
        return self.names.get((village_code, key)), self.numbers.get(number_key) if number_key else None

    def accept(self, kim: dict):
        self.names[(kim["village_code"], kim["name_key"])] = kim["id"]
        self.numbers[kim["sk_number_key"]] = kim["id"]

    def number_ids(self, village_codes: set[str]):
        """Take the villages' turns for new numbers (PostgreSQL: the same
        advisory locks as a single registration, in one order) and learn the
        highest number each village has given."""
        prefixes = sorted({kim_id_prefix(v) for v in village_codes})
        if not prefixes:
            return
        if is_postgresql(self.session.get_bind()):
            self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(p)) "
                                      "FROM unnest(CAST(:prefixes AS text[])) p"), {"prefixes": prefixes})
        length = len(prefixes[0])
        same_length = all(len(p) == length for p in prefixes)
        taken = self.session.scalars(
            select(Kim.id).where(func.substr(Kim.id, 1, length).in_(prefixes)) if same_length
            else select(Kim.id).where(Kim.id.like("KIM-%"))).all()
        for prefix in prefixes:
            self._last_number[prefix] = 0
        for kim_id in taken:
            prefix, _, number = kim_id.rpartition("-")
            prefix += "-"
            if prefix in self._last_number and number.isdigit():
                self._last_number[prefix] = max(self._last_number[prefix], int(number))

    def next_id(self, village_code: str) -> str:
        prefix = kim_id_prefix(village_code)
        self._last_number[prefix] += 1
        return f"{prefix}{self._last_number[prefix]:02d}"


def resolve_villages(session: Session, actor: Actor, names: set[str]) -> dict[str, list[str]]:
    """Villages named (folded) inside the office's scope: folded name -> codes."""
    if not names:
        return {}
    query = select(Region.code, Region.name).where(Region.level == "village",
                                                   func.lower(Region.name).in_({n.lower() for n in names}))
    if actor.scope_region:
        query = query.where(Region.code.like(actor.scope_region + ".%"))
    found: dict[str, list[str]] = defaultdict(list)
    for code, name in session.execute(query):
        if folded(name) in names:
            found[folded(name)].append(code)
    return found


def _village_of(data: dict, resolved: dict[str, list[str]]) -> str:
    """The row's village code, from its code or its name (unique in the office's scope)."""
    if data.get("village_code"):
        return data["village_code"]
    name = data.get("village") or ""
    codes = resolved.get(folded(name), [])
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise InvalidInput(f"Desa/kelurahan {name} tidak ada di wilayah Anda; isi kode desanya.",
                           detail_en=f"No village {name} in your region; give its code.",
                           errors=[{"field": "village", "message": "a village of your region"}])
    raise InvalidInput(f"Ada {len(codes)} desa/kelurahan bernama {name} di wilayah Anda "
                       f"({', '.join(sorted(codes)[:5])}); isi kode desanya.",
                       detail_en=f"{len(codes)} villages are named {name} in your region "
                                 f"({', '.join(sorted(codes)[:5])}); give its code.",
                       errors=[{"field": "village", "message": "one village: give its code"}])


def process_rows(session: Session, job: ImportJob, rows, timezone: str) -> list[dict]:
    """Check a batch of rows by the rules of a registration and register those
    that keep them, all in bulk; returns each row's outcome."""
    actor = Actor.from_wire(job.actor)
    named = {folded(r.data["village"]) for r in rows
             if r.data and not r.data.get("village_code") and isinstance(r.data.get("village"), str)}
    resolved = resolve_villages(session, actor, named)
    outcomes: dict[int, dict] = {}
    candidates = []
    for row in rows:
        if row.errors is not None:
            outcomes[row.position] = _rejected(job, row.position, row.errors)
            continue
        data, consent_version = without_consent_version(row.data)
        if not _well_formed(data):
            # the gateway checks every row's form; a row that is not one the rules can read is refused
            outcomes[row.position] = _rejected(job, row.position, [{
                "field": None, "message": "Baris tidak terbaca.", "message_en": "The row cannot be read."}])
            continue
        try:
            data["village_code"] = _village_of(data, resolved)
        except DomainError as error:
            outcomes[row.position] = _rejected(job, row.position, reasons_of(error))
            continue
        data.pop("village", None)
        candidates.append((row, data, consent_version))
    lookups = BatchLookups(session, [data for _, data, _ in candidates])
    lookups.number_ids({data["village_code"] for _, data, _ in candidates
                        if lookups.village_level(data["village_code"]) == "village"})
    now, on = utcnow(), today(timezone)
    accepted: list[tuple[dict, list[str], int]] = []
    consents: list[ConsentRecord] = []
    conflicts: dict[int, str] = {}
    for row, data, consent_version in candidates:
        try:
            tags = check_registration(lookups, actor, data, timezone=timezone)
            # the row's contact is recorded under the notice it names (an unknown one refuses the row)
            consent = contact_consent("", data.get("contact"), consent_version, actor.label, now)
        except DomainError as error:
            outcomes[row.position] = _rejected(job, row.position, reasons_of(error))
            if isinstance(error, Conflict):
                conflicts[row.position] = error.extra["existing_id"]
                outcomes[row.position]["reasons"][0]["field"] = (
                    "name" if lookups.duplicates(data["village_code"], name_key(data["name"]), None)[0]
                    else "sk.number")
            continue
        kim = kim_columns(data, lookups.next_id(data["village_code"]), now, on)
        lookups.accept(kim)
        accepted.append((kim, tags, row.position))
        if consent is not None:
            consent.record = f"kim_contact:{kim['id']}"
            consents.append(consent)
        outcomes[row.position] = {"job_id": job.id, "position": row.position, "outcome": "imported",
                                  "kim_id": kim["id"], "reasons": None}
    _same_as_rows(session, job, conflicts, {kim["id"]: position for kim, _, position in accepted},
                  {row.position: row.line for row in rows}, outcomes)
    if accepted:
        _register(session, actor, [(kim, tags) for kim, tags, _ in accepted], consents, now)
    return [outcomes[row.position] for row in rows]


def _well_formed(data: dict) -> bool:
    sk = data.get("sk")
    try:
        date.fromisoformat(sk["date"])  # type: ignore[index]
    except (TypeError, KeyError, ValueError):
        return False
    return (isinstance(data.get("name"), str) and isinstance(data.get("classification"), str)
            and isinstance(sk, dict) and all(isinstance(sk.get(k), str) for k in ("number", "issuer"))
            and isinstance(data.get("tags") or [], list)
            and all(isinstance(data.get(k), int | float | type(None)) for k in ("lat", "lon"))
            and isinstance(data.get("contact") or {}, dict))


def _rejected(job: ImportJob, position: int, reasons: list[dict]) -> dict:
    return {"job_id": job.id, "position": position, "outcome": "rejected", "kim_id": None, "reasons": reasons}


def _same_as_rows(session: Session, job: ImportJob, conflicts: dict[int, str], in_batch: dict[str, int],
                  lines: dict[int, int], outcomes: dict[int, dict]):
    """A duplicate of a group this very file brought in names that row of the
    file instead of the group (the office sees its spreadsheet)."""
    if not conflicts:
        return
    earlier = {kim_id: line for kim_id, line in session.execute(
        select(ImportOutcome.kim_id, ImportRow.line)
        .join(ImportRow, (ImportRow.job_id == ImportOutcome.job_id) & (ImportRow.position == ImportOutcome.position))
        .where(ImportOutcome.job_id == job.id, ImportOutcome.kim_id.in_(set(conflicts.values()))))}
    earlier.update({kim_id: lines[position] for kim_id, position in in_batch.items()})
    for position, kim_id in conflicts.items():
        line = earlier.get(kim_id)
        if line is not None:
            reason = outcomes[position]["reasons"][0]
            reason["message"] = f"Sama dengan baris {line} di berkas ini ({reason['message']})"
            reason["message_en"] = f"The same as row {line} of this file ({reason['message_en']})"


def _register(session: Session, actor: Actor, kims: list[tuple[dict, list[str]]], consents: list[ConsentRecord],
              now):
    """Register accepted groups in bulk: what register_kim writes for one, for all
    (the tables' rows at once: no model objects on the way; the consent records of
    their contacts are built as register_kim builds one, and inserted as rows)."""
    insert_rows(session, Kim.__table__, [kim for kim, _ in kims])
    insert_rows(session, KimTag.__table__, [{"kim_id": kim["id"], "tag": tag} for kim, tags in kims for tag in tags])
    insert_rows(session, StatusChange.__table__, [
        {"kim_id": kim["id"], "old": None, "new": "active", "reason": "registered", "actor": actor.label,
         "changed_at": now} for kim, _ in kims])
    insert_rows(session, ConsentRecord.__table__, [
        {column: getattr(consent, column) for column in CONSENT_COLUMNS} for consent in consents])
    coverage.apply(session, [(kim["village_code"], None, "active") for kim, _ in kims])
    record_events(session, "kim_registered", [events.kim_registered_columns(kim, tags) for kim, tags in kims])
