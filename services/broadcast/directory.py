"""The KIM directory replica: applied from the registry's events, and the
targeting of a broadcast over it.

Events of different types travel on different queues, so they may arrive
out of order: every record carries the registry's `version`, and an older
version never overwrites a newer one. A `kim_snapshot` rebuilds the replica.
"""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.broadcast.models import DirectoryKim, DirectoryTag
from services.common.contracts import KimRecord, KimStatusChanged
from services.common.errors import InvalidInput
from services.common.events import utcnow
from services.common.regions import REGION_CODE_PATTERN

LEVEL_COLUMN = {0: "province_code", 1: "regency_code", 2: "district_code", 3: "village_code"}


def apply_record(session: Session, record: KimRecord) -> bool:
    """A whole KIM record (kim_registered, kim_updated, kim_snapshot)."""
    kim = session.get(DirectoryKim, record.id, with_for_update=True)
    if kim is not None and kim.version >= record.version:
        return False  # we know this version or a newer one
    if kim is None:
        kim = DirectoryKim(id=record.id)
        session.add(kim)
    village = record.village_code
    kim.name, kim.village_code = record.name, village
    kim.district_code, kim.regency_code, kim.province_code = village[:8], village[:5], village[:2]
    kim.classification, kim.status, kim.version = record.classification, record.status, record.version
    kim.tags = [DirectoryTag(tag=t) for t in sorted(set(record.tags))]
    kim.updated_at = utcnow()
    return True


class NotYetKnown(Exception):
    """An event about a group whose registration has not arrived yet: the
    handler fails, and the retry (with back-off) comes after it."""


def apply_status(session: Session, change: KimStatusChanged) -> bool:
    """kim_status_changed: only the status, when it is newer than ours."""
    kim = session.get(DirectoryKim, change.kim_id, with_for_update=True)
    if kim is None:
        raise NotYetKnown(f"KIM {change.kim_id} is not in the directory yet")
    if kim.version >= change.version:
        return False
    kim.status, kim.version, kim.updated_at = change.new, change.version, utcnow()
    return True


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
