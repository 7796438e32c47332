"""The registry's events, each built by its own function from the model
(never from an API view: see services/common/contracts.py)."""
from services.common.contracts import (
    Decree,
    KimActivityReported,
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
)
from services.registry.models import Activity, Kim
from services.registry.regions import ancestor_codes


def _record(kim: Kim) -> dict:
    return {
        "id": kim.id, "name": kim.name, "village_code": kim.village_code,
        "region_path": ancestor_codes(kim.village_code) + [kim.village_code],
        "address": kim.address, "lat": kim.lat, "lon": kim.lon,
        "sk": Decree(number=kim.sk_number, date=kim.sk_date.isoformat(), issuer=kim.sk_issuer),
        "tags": [t.tag for t in kim.tags], "classification": kim.classification,
        "status": kim.status, "status_reason": kim.status_reason,
        "last_activity_on": kim.last_activity_on.isoformat(), "version": kim.version,
        "created_at": kim.created_at.isoformat(), "updated_at": kim.updated_at.isoformat(),
    }


def kim_registered(kim: Kim) -> KimRegistered:
    return KimRegistered(**_record(kim))


def kim_updated(kim: Kim) -> KimUpdated:
    return KimUpdated(**_record(kim))


def kim_snapshot(kim: Kim, snapshot_id: str, position: int, total: int) -> KimSnapshot:
    return KimSnapshot(**_record(kim), snapshot_id=snapshot_id, position=position, total=total)


def kim_status_changed(kim: Kim, old: str, new: str, reason: str) -> KimStatusChanged:
    return KimStatusChanged(kim_id=kim.id, old=old, new=new, reason=reason, village_code=kim.village_code,
                            version=kim.version)


def kim_activity_reported(kim: Kim, activity: Activity) -> KimActivityReported:
    return KimActivityReported(kim_id=kim.id, activity_id=activity.id, date=activity.date.isoformat(),
                               kind=activity.kind, participants=activity.participants,
                               village_code=kim.village_code)

