"""The aspirations service's KIM directory replica, applied from the
registry's events (their contracts in services/common/contracts.py): which
village each group is in and its status, for routing and `check_kim`.
Events of different types may overtake each other: an older version never
overwrites a newer one. Many are applied at once, in one upsert whose
condition is that rule."""
from collections.abc import Iterable

from sqlalchemy.orm import Session

from services.aspirations.models import DirectoryKim
from services.common.contracts import KimRecord, KimStatusChanged
from services.common.db import dialect_insert


def apply_records(session: Session, records: Iterable[KimRecord]) -> list[str]:
    """kim_registered, kim_updated, kim_snapshot; the ids whose replica changed."""
    return _apply(session, [(r.id, r.village_code, r.status, r.version) for r in records])


def apply_statuses(session: Session, changes: Iterable[KimStatusChanged]) -> list[str]:
    return _apply(session, [(c.kim_id, c.village_code, c.new, c.version) for c in changes])


def apply_record(session: Session, record: KimRecord) -> bool:
    return bool(apply_records(session, [record]))


def apply_status(session: Session, change: KimStatusChanged) -> bool:
    return bool(apply_statuses(session, [change]))


def _apply(session: Session, items: list[tuple[str, str, str, int]]) -> list[str]:
    newest: dict[str, tuple[str, str, str, int]] = {}
    for item in items:  # of several about one group, the highest version (the first of equals)
        if item[0] not in newest or item[3] > newest[item[0]][3]:
            newest[item[0]] = item
    if not newest:
        return []
    table = DirectoryKim.__table__
    rows = [{"id": kim_id, "village_code": village_code, "status": status, "version": version}
            for kim_id, village_code, status, version in (newest[k] for k in sorted(newest))]
    upsert = dialect_insert(session)(table)
    upsert = upsert.on_conflict_do_update(
        index_elements=[table.c.id],
        set_={"village_code": upsert.excluded.village_code, "status": upsert.excluded.status,
              "version": upsert.excluded.version},
        where=table.c.version < upsert.excluded.version,
    ).returning(table.c.id)
    applied = sorted(session.execute(upsert, rows).scalars())  # one statement, many rows
    for kim_id in applied:  # what the session holds of them is stale now
        kim = session.identity_map.get(session.identity_key(DirectoryKim, kim_id))
        if kim is not None:
            session.expire(kim)
    return applied
