"""What a broadcast and a delivery look like to callers (the office, the
group's inbox, a webhook's body)."""
from datetime import datetime

from services.broadcast.models import Broadcast, Delivery
from services.common.events import as_utc


def broadcast_view(b: Broadcast) -> dict:
    return {
        "id": b.id, "title": b.title, "body": b.body, "title_en": b.title_en, "body_en": b.body_en,
        "category": b.category, "priority": b.priority,
        "target": b.target, "publish_at": _iso(b.publish_at), "expires_at": _iso(b.expires_at),
        "issuer": b.issuer, "issuer_region": b.issuer_region, "status": b.status, "recipients": b.recipients,
        "created_at": _iso(b.created_at), "published_at": _iso(b.published_at),
        "fanout_done_at": _iso(b.fanout_done_at), "withdrawn_at": _iso(b.withdrawn_at),
        "revisions": list(b.revisions or []),  # when it was changed after its publication
    }


def _iso(moment: datetime | None) -> str | None:
    return as_utc(moment).isoformat() if moment is not None else None


def delivery_view(d: Delivery, b: Broadcast | None = None) -> dict:
    view = {
        "id": d.id, "kind": d.kind, "kim_id": d.kim_id, "village_code": d.village_code,
        "broadcast_id": d.broadcast_id, "created_at": _iso(d.created_at), "read_at": _iso(d.read_at),
        "acknowledged_at": _iso(d.acknowledged_at), "relayed_at": _iso(d.relayed_at), "reached": d.reached,
        "push_state": d.push_state, "push_attempts": d.push_attempts, "push_error": d.push_error,
    }
    if b is not None:
        view["broadcast"] = {k: v for k, v in broadcast_view(b).items()
                             if k in ("id", "title", "body", "title_en", "body_en", "category", "priority",
                                      "publish_at", "expires_at")}
    if d.message is not None:
        view["message"] = d.message
    return view
