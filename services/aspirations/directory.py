"""The aspirations service's KIM directory replica, applied from the
registry's events (their contracts in services/common/contracts.py): which
village each group is in and its status, for routing and `check_kim`.
Events of different types may overtake each other: an older version never
overwrites a newer one."""
from sqlalchemy.orm import Session

from services.aspirations.models import DirectoryKim
from services.common.contracts import KimRecord, KimStatusChanged


def apply_record(session: Session, record: KimRecord) -> bool:
    """kim_registered, kim_updated, kim_snapshot."""
    return _apply(session, record.id, record.village_code, record.status, record.version)


def apply_status(session: Session, change: KimStatusChanged) -> bool:
    return _apply(session, change.kim_id, change.village_code, change.new, change.version)


def _apply(session: Session, kim_id: str, village_code: str, status: str, version: int) -> bool:
    kim = session.get(DirectoryKim, kim_id, with_for_update=True)
    if kim is None:
        session.add(DirectoryKim(id=kim_id, village_code=village_code, status=status, version=version))
    elif version > kim.version:
        kim.village_code, kim.status, kim.version = village_code, status, version
    else:
        return False
    return True
