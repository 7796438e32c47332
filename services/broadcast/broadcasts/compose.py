"""The office's side of broadcasts: composing and publishing, who may read
or change one, and reading them back with their figures."""
import uuid
from datetime import UTC, datetime

from sqlalchemy import case, delete, func, select
from sqlalchemy.orm import Session

from services.broadcast import directory
from services.broadcast.broadcasts.views import broadcast_view, delivery_view
from services.broadcast.models import Broadcast, BroadcastRegion, Delivery
from services.common.errors import InvalidTransition, NotFound, OutOfScope, invalid
from services.common.events import as_utc, utcnow
from services.common.scope import Actor, require_office, require_region
from services.common.vocabulary import BROADCAST_CATEGORIES, BROADCAST_PRIORITIES

CATEGORIES = BROADCAST_CATEGORIES
PRIORITIES = BROADCAST_PRIORITIES


def _when(value, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise invalid(field, "ISO 8601 date and time", "Waktu tidak valid.", "Invalid date and time.") from None
    # stored in UTC: SQLite keeps no offsets
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- composing and publishing ------------------------------------------------------------

def checked(actor: Actor, data: dict, now: datetime | None = None) -> dict:
    """A broadcast's fields as they are stored, checked: the target inside the
    caller's scope, a known category and priority, the English text both or
    neither, expires_at after publish_at (or after `now`)."""
    target = directory.check_target(data.get("target"))
    for code in target["regions"]:
        require_region(actor, code)
    if data["category"] not in CATEGORIES:
        raise invalid("category", f"one of {', '.join(CATEGORIES)}", "Kategori tidak dikenal.", "Unknown category.")
    if data.get("priority", "normal") not in PRIORITIES:
        raise invalid("priority", f"one of {', '.join(PRIORITIES)}", "Prioritas tidak dikenal.", "Unknown priority.")
    title_en, body_en = data.get("title_en"), data.get("body_en")
    if (title_en is None) != (body_en is None):
        raise invalid("title_en" if title_en is None else "body_en", "title_en and body_en: both or neither",
                      "Judul dan isi bahasa Inggris diisi keduanya atau tidak sama sekali.",
                      "The English title and body are given both or neither.")
    publish_at, expires_at = _when(data.get("publish_at"), "publish_at"), _when(data.get("expires_at"), "expires_at")
    if expires_at is not None and expires_at <= (publish_at or now or utcnow()):
        raise invalid("expires_at", "after publish_at (and after now)", "Kedaluwarsa harus setelah waktu terbit.",
                      "expires_at must come after publish_at.")
    return {
        "title": data["title"], "body": data["body"], "title_en": title_en, "body_en": body_en,
        "category": data["category"], "priority": data.get("priority", "normal"),
        "target": {"regions": sorted(set(target["regions"])), "tags": sorted(set(target.get("tags") or [])),
                   "classifications": sorted(set(target.get("classifications") or [])),
                   "include_vakum": bool(target.get("include_vakum", False))},
        "publish_at": publish_at, "expires_at": expires_at}


def create_broadcast(session: Session, actor: Actor, data: dict) -> dict:
    require_office(actor)
    broadcast = Broadcast(
        id=str(uuid.uuid4()), **checked(actor, data), issuer_region=actor.scope_region, issuer=actor.label,
        status="draft", recipients=0, created_at=utcnow())
    session.add(broadcast)
    session.flush()
    set_regions(session, broadcast)
    return broadcast_view(broadcast)


def set_regions(session: Session, broadcast: Broadcast):
    """The target's regions as rows (`BroadcastRegion`), replacing any earlier ones."""
    session.execute(delete(BroadcastRegion).where(BroadcastRegion.broadcast_id == broadcast.id))
    session.add_all(BroadcastRegion(broadcast_id=broadcast.id, region_code=code)
                    for code in broadcast.target["regions"])


def wrote_or_above(actor: Actor, broadcast: Broadcast) -> bool:
    """The office that wrote the broadcast, or one above it: the author's
    scope lies inside the caller's (a national author: national admins only)."""
    return actor.covers(broadcast.issuer_region or "")


def meets(actor: Actor, broadcast: Broadcast) -> bool:
    """The caller's scope and the target overlap: a target region inside the
    scope, or the scope inside a target region."""
    scope = actor.scope_region
    return any(actor.covers(code) or (scope or "").startswith(code + ".") for code in broadcast.target["regions"])


def may_read(actor: Actor, broadcast: Broadcast) -> bool:
    """A draft: its office and those above. Once published: also every office
    whose scope meets its target."""
    return wrote_or_above(actor, broadcast) or (broadcast.status != "draft" and meets(actor, broadcast))


def load_broadcast(session: Session, actor: Actor, broadcast_id, for_update=False, to_change=False) -> Broadcast:
    require_office(actor)
    query = select(Broadcast).where(Broadcast.id == str(broadcast_id))
    broadcast = session.scalar(query.with_for_update() if for_update else query)
    if broadcast is None or not may_read(actor, broadcast):
        # another office's broadcast is none of this one's business
        raise NotFound("Siaran tidak ditemukan.", detail_en="No such broadcast.")
    if to_change and not wrote_or_above(actor, broadcast):
        raise OutOfScope("Siaran ini diubah oleh kantor yang menulisnya atau kantor di atasnya.",
                         detail_en="A broadcast is changed by the office that wrote it or one above it.")
    return broadcast


def publish(session: Session, actor: Actor, broadcast_id: str) -> dict:
    """Draft -> publishing (or scheduled). Publishing again changes nothing."""
    broadcast = load_broadcast(session, actor, broadcast_id, for_update=True, to_change=True)
    if broadcast.status != "draft":
        return broadcast_view(broadcast)
    now = utcnow()
    if broadcast.expires_at is not None and as_utc(broadcast.expires_at) <= now:
        raise InvalidTransition("Siaran ini sudah kedaluwarsa.", detail_en="This broadcast has expired.", allowed=[])
    scheduled = broadcast.publish_at is not None and as_utc(broadcast.publish_at) > now
    broadcast.status = "scheduled" if scheduled else "publishing"
    broadcast.published_at = as_utc(broadcast.publish_at) if scheduled else now
    return broadcast_view(broadcast)


# --- reading -------------------------------------------------------------------------

def list_broadcasts(session: Session, actor: Actor, limit: int, offset: int) -> dict:
    """What the office may read (`may_read`): what it and the offices below it
    wrote, and the published broadcasts whose target meets its scope."""
    require_office(actor)
    query = select(Broadcast)
    scope = actor.scope_region
    if scope:
        wrote = (Broadcast.issuer_region == scope) | Broadcast.issuer_region.like(scope + ".%")
        up_to_scope = [scope[:end] for end in range(len(scope)) if scope[end] == "."] + [scope]
        target_meets = select(BroadcastRegion.broadcast_id).where(
            BroadcastRegion.broadcast_id == Broadcast.id,
            BroadcastRegion.region_code.in_(up_to_scope) | BroadcastRegion.region_code.like(scope + ".%")).exists()
        query = query.where(wrote | ((Broadcast.status != "draft") & target_meets))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Broadcast.created_at.desc(), Broadcast.id).limit(limit).offset(offset))
    return {"items": [broadcast_view(b) for b in items], "total": total}


def get_broadcast(session: Session, actor: Actor, broadcast_id: str) -> dict:
    broadcast = load_broadcast(session, actor, broadcast_id)
    return {**broadcast_view(broadcast), "stats": stats(session, broadcast)}


def stats(session: Session, broadcast: Broadcast) -> dict:
    """recipients, delivered, read, acknowledged, relayed, reached, failed;
    overall and per child region of the target (or per target region)."""
    regions = broadcast.target["regions"]
    if len(regions) == 1 and regions[0].count(".") < 3:
        level = regions[0].count(".") + 1  # the children of the one target region
    else:
        level = min(code.count(".") for code in regions)  # the target regions' own level
    length = {0: 2, 1: 5, 2: 8, 3: 13}[level]
    region = func.substr(Delivery.village_code, 1, length)
    columns = [
        func.count().label("recipients"),
        func.count().label("delivered"),
        func.count(Delivery.read_at).label("read"),
        func.count(Delivery.acknowledged_at).label("acknowledged"),
        func.count(Delivery.relayed_at).label("relayed"),
        func.coalesce(func.sum(Delivery.reached), 0).label("reached"),
        func.sum(case((Delivery.push_state == "failed", 1), else_=0)).label("failed"),
    ]
    where = Delivery.broadcast_id == broadcast.id
    total = session.execute(select(*columns).where(where)).one()
    by_region = session.execute(select(region.label("region"), *columns).where(where)
                                .group_by(region).order_by(region)).all()

    def figures(row) -> dict:
        return {k: int(getattr(row, k) or 0) for k in
                ("recipients", "delivered", "read", "acknowledged", "relayed", "reached", "failed")}
    return {**figures(total), "by_region": [{"region": r.region, **figures(r)} for r in by_region]}


def list_deliveries(session: Session, actor: Actor, broadcast_id: str, limit: int, offset: int) -> dict:
    broadcast = load_broadcast(session, actor, broadcast_id)
    query = select(Delivery).where(Delivery.broadcast_id == broadcast.id)
    if not wrote_or_above(actor, broadcast) and actor.scope_region:
        # an office reading a broadcast from above sees its own groups' deliveries
        scope = actor.scope_region
        query = query.where((Delivery.village_code == scope) | Delivery.village_code.like(scope + ".%"))
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(Delivery.kim_id).limit(limit).offset(offset))
    return {"items": [delivery_view(d) for d in items], "total": total}
