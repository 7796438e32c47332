"""The registry's events, each built by its own function from the model
(never from an API view: see services/common/contracts.py)."""
from collections.abc import Mapping

from services.common.contracts import (
    Decree,
    KimActivityReported,
    KimPostPublished,
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
)
from services.registry.models import Activity, Kim, Post
from services.registry.regions import ancestor_codes


def _record(kim: Kim) -> dict:
    return record_of({column: getattr(kim, column) for column in RECORD_COLUMNS}, [t.tag for t in kim.tags])


RECORD_COLUMNS = ("id", "name", "village_code", "address", "lat", "lon", "sk_number", "sk_date", "sk_issuer",
                  "classification", "status", "status_reason", "last_activity_on", "version", "created_at",
                  "updated_at")


def record_of(kim: Mapping, tags: list[str]) -> dict:
    """A group's record in its events, from its columns (a model's, or the rows of a bulk insert)."""
    return {
        "id": kim["id"], "name": kim["name"], "village_code": kim["village_code"],
        "region_path": ancestor_codes(kim["village_code"]) + [kim["village_code"]],
        "address": kim["address"], "lat": kim["lat"], "lon": kim["lon"],
        "sk": Decree(number=kim["sk_number"], date=kim["sk_date"].isoformat(), issuer=kim["sk_issuer"]),
        "tags": tags, "classification": kim["classification"],
        "status": kim["status"], "status_reason": kim["status_reason"],
        "last_activity_on": kim["last_activity_on"].isoformat(), "version": kim["version"],
        "created_at": kim["created_at"].isoformat(), "updated_at": kim["updated_at"].isoformat(),
    }


def kim_registered(kim: Kim) -> KimRegistered:
    return KimRegistered(**_record(kim))


def kim_registered_columns(kim: Mapping, tags: list[str]) -> KimRegistered:
    """The same event for a group inserted in bulk (an import), from its columns."""
    return KimRegistered(**record_of(kim, tags))


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



def kim_post_published(kim: Kim, post: Post) -> KimPostPublished:
    assert post.published_at is not None
    return KimPostPublished(kim_id=kim.id, post_id=post.id, kind=post.kind, date=post.date.isoformat(),
                            village_code=kim.village_code, published_at=post.published_at.isoformat())
