"""The KIM directory replica: applied from the registry's events, and the
targeting of a broadcast over it.

Events of different types travel on different queues, so they may arrive
out of order: every record carries the registry's `version`, and an older
version never overwrites a newer one. A `kim_snapshot` rebuilds the replica.
Records are applied many at a time: one upsert whose condition is that
version rule, so that it holds under concurrent batches too.
"""
from collections.abc import Iterable

from sqlalchemy import delete, insert, or_, select
from sqlalchemy.orm import Session

from services.broadcast.models import DirectoryKim, DirectoryTag
from services.common.contracts import KimRecord, KimStatusChanged
from services.common.db import dialect_insert
from services.common.errors import InvalidInput
from services.common.events import utcnow
from services.common.regions import REGION_CODE_PATTERN

LEVEL_COLUMN = {0: "province_code", 1: "regency_code", 2: "district_code", 3: "village_code"}


def newest(items: Iterable, key, version) -> list:
    """Of several items about one group, the one with the highest version
    (the first of equals), in the order of the groups' ids: rows are then
    written and locked in one order by every batch."""
    chosen: dict = {}
    for item in items:
        kept = chosen.get(key(item))
        if kept is None or version(item) > version(kept):
            chosen[key(item)] = item
    return [chosen[k] for k in sorted(chosen)]


def apply_records(session: Session, records: Iterable[KimRecord]) -> list[str]:
    """Whole KIM records (kim_registered, kim_updated, kim_snapshot), in one
    upsert; returns the ids of the groups whose replica changed."""
    chosen = newest(records, lambda r: r.id, lambda r: r.version)
    if not chosen:
        return []
    now = utcnow()
    rows = [{"id": r.id, "name": r.name, "village_code": r.village_code, "district_code": r.village_code[:8],
             "regency_code": r.village_code[:5], "province_code": r.village_code[:2],
             "classification": r.classification, "status": r.status, "version": r.version, "updated_at": now}
            for r in chosen]
    table = DirectoryKim.__table__
    upsert = dialect_insert(session)(table)
    upsert = upsert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={column: upsert.excluded[column] for column in rows[0] if column != "id"},
        where=table.c.version < upsert.excluded.version,  # we know this version or a newer one
    ).returning(table.c.id)
    # many parameter sets to one statement: SQLAlchemy sends them as multi-row VALUES
    # ("insertmanyvalues") from one cached compilation
    applied = set(session.execute(upsert, rows).scalars())
    if not applied:
        return []
    session.execute(delete(DirectoryTag).where(DirectoryTag.kim_id.in_(applied)))
    tags = [{"kim_id": r.id, "tag": t} for r in chosen if r.id in applied for t in sorted(set(r.tags))]
    if tags:
        session.execute(insert(DirectoryTag), tags)
    for kim_id in applied:  # what the session holds of them is stale now
        kim = session.identity_map.get(session.identity_key(DirectoryKim, kim_id))
        if kim is not None:
            session.expire(kim)
    return sorted(applied)


def apply_record(session: Session, record: KimRecord) -> bool:
    """A whole KIM record (kim_registered, kim_updated, kim_snapshot)."""
    return bool(apply_records(session, [record]))


class NotYetKnown(Exception):
    """An event about a group whose registration has not arrived yet: the
    handler fails, and the retry (with back-off) comes after it."""


def apply_statuses(session: Session, changes: Iterable[KimStatusChanged]) -> list[str]:
    """kim_status_changed: only the status, when it is newer than ours; returns
    the ids of the groups whose replica changed. NotYetKnown when one of the
    groups is not in the replica yet (nothing applied then)."""
    chosen = newest(changes, lambda c: c.kim_id, lambda c: c.version)
    if not chosen:
        return []
    kims = {kim.id: kim for kim in session.scalars(
        select(DirectoryKim).where(DirectoryKim.id.in_([c.kim_id for c in chosen]))
        .order_by(DirectoryKim.id).with_for_update())}
    missing = [c.kim_id for c in chosen if c.kim_id not in kims]
    if missing:
        raise NotYetKnown(f"KIM {', '.join(missing)} not in the directory yet")
    applied, now = [], utcnow()
    for change in chosen:
        kim = kims[change.kim_id]
        if kim.version < change.version:
            kim.status, kim.version, kim.updated_at = change.new, change.version, now
            applied.append(kim.id)
    return applied


def apply_status(session: Session, change: KimStatusChanged) -> bool:
    """kim_status_changed: only the status, when it is newer than ours."""
    return bool(apply_statuses(session, [change]))


def recipients(target: dict, *columns):
    """The groups a target selects (their ids, or `columns`), as a query:
    inside any of the region subtrees, with any of the tags (if given), of
    any of the classifications (if given), active (and vakum when
    `include_vakum`)."""
    regions = target["regions"]
    query = select(*(columns or (DirectoryKim.id,))).where(or_(*[
        getattr(DirectoryKim, LEVEL_COLUMN[code.count(".")]) == code for code in regions]))
    statuses = ["active", "vakum"] if target.get("include_vakum") else ["active"]
    query = query.where(DirectoryKim.status.in_(statuses))
    if target.get("classifications"):
        query = query.where(DirectoryKim.classification.in_(target["classifications"]))
    if target.get("tags"):
        query = query.where(DirectoryKim.id.in_(
            select(DirectoryTag.kim_id).where(DirectoryTag.tag.in_(target["tags"]))))
    return query.order_by(DirectoryKim.id)


def check_target(target) -> dict:
    """A target must name at least one real-looking region code."""
    regions = target.get("regions") if isinstance(target, dict) else None
    if not regions or not all(isinstance(c, str) and REGION_CODE_PATTERN.match(c) for c in regions):
        raise InvalidInput("Target harus menyebut setidaknya satu wilayah.",
                           detail_en="A target names at least one region.",
                           errors=[{"field": "target.regions", "message": "one or more region codes"}])
    return target
