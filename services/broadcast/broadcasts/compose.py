"""Broadcasts: composing, publishing, fan-out to one delivery per group,
the groups' inboxes, receipts (read, acknowledged, relayed), and the figures
an office watches (webhook pushes are in webhooks.py).

Fan-out is resumable and exactly once: each batch of deliveries is written
in one transaction together with the cursor (the last group id reached),
and a unique (broadcast, group) index makes any repeat a no-op.
"""
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import case, func, literal, null, select
from sqlalchemy.orm import Session

from services.broadcast import directory, events
from services.broadcast.models import Broadcast, BroadcastRegion, Delivery, DirectoryKim, Relay, Webhook
from services.common.contracts import AspirationResponded
from services.common.db import dialect_insert
from services.common.errors import InvalidTransition, NotFound, OutOfScope, invalid
from services.common.events import as_utc, record_event, utcnow
from services.common.scope import Actor, require_kim, require_office, require_region
from services.common.vocabulary import BROADCAST_CATEGORIES, BROADCAST_PRIORITIES

CATEGORIES = BROADCAST_CATEGORIES
PRIORITIES = BROADCAST_PRIORITIES
RUNNING = ("publishing", "published")


# A relay report is a group's own count of the people it passed a message to. A village
# has at most tens of thousands of people: more in one report is a typo, and the total
# over a message's reports stays far inside the column's integer.
MAX_REACHED_PER_REPORT = 100_000
MAX_REACHED_PER_DELIVERY = 1_000_000
CHANNEL_LENGTH = 30  # the relays.channel column


def _when(value, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise invalid(field, "ISO 8601 date and time", "Waktu tidak valid.", "Invalid date and time.") from None
    # stored in UTC: SQLite keeps no offsets
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


# --- views -------------------------------------------------------------------------

def broadcast_view(b: Broadcast) -> dict:
    return {
        "id": b.id, "title": b.title, "body": b.body, "category": b.category, "priority": b.priority,
        "target": b.target, "publish_at": _iso(b.publish_at), "expires_at": _iso(b.expires_at),
        "issuer": b.issuer, "issuer_region": b.issuer_region, "status": b.status, "recipients": b.recipients,
        "created_at": _iso(b.created_at), "published_at": _iso(b.published_at),
        "fanout_done_at": _iso(b.fanout_done_at),
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
                             if k in ("id", "title", "body", "category", "priority", "publish_at", "expires_at")}
    if d.message is not None:
        view["message"] = d.message
    return view


# --- composing and publishing ------------------------------------------------------------

def create_broadcast(session: Session, actor: Actor, data: dict) -> dict:
    require_office(actor)
    target = directory.check_target(data.get("target"))
    for code in target["regions"]:
        require_region(actor, code)
    if data["category"] not in CATEGORIES:
        raise invalid("category", f"one of {', '.join(CATEGORIES)}", "Kategori tidak dikenal.", "Unknown category.")
    if data.get("priority", "normal") not in PRIORITIES:
        raise invalid("priority", f"one of {', '.join(PRIORITIES)}", "Prioritas tidak dikenal.", "Unknown priority.")
    publish_at, expires_at = _when(data.get("publish_at"), "publish_at"), _when(data.get("expires_at"), "expires_at")
    if expires_at is not None and expires_at <= (publish_at or utcnow()):
        raise invalid("expires_at", "after publish_at (and after now)", "Kedaluwarsa harus setelah waktu terbit.",
                      "expires_at must come after publish_at.")
    broadcast = Broadcast(
        id=str(uuid.uuid4()), title=data["title"], body=data["body"], category=data["category"],
        priority=data.get("priority", "normal"),
        target={"regions": sorted(set(target["regions"])), "tags": sorted(set(target.get("tags") or [])),
                "classifications": sorted(set(target.get("classifications") or [])),
                "include_vakum": bool(target.get("include_vakum", False))},
        publish_at=publish_at, expires_at=expires_at, issuer_region=actor.scope_region, issuer=actor.label,
        status="draft", recipients=0, created_at=utcnow())
    session.add(broadcast)
    session.flush()
    session.add_all(BroadcastRegion(broadcast_id=broadcast.id, region_code=code)
                    for code in broadcast.target["regions"])
    return broadcast_view(broadcast)


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


def fanout_step(session: Session, batch_size: int) -> tuple[str | None, int]:
    """Create the next batch of deliveries of one broadcast being published.
    Returns (broadcast id, deliveries created), (None, 0) when idle."""
    now = utcnow()
    due = session.scalar(
        select(Broadcast).where((Broadcast.status == "publishing") |
                                ((Broadcast.status == "scheduled") & (Broadcast.published_at <= now)))
        .order_by(Broadcast.published_at).limit(1).with_for_update(skip_locked=True))
    if due is None:
        return None, 0
    due.status = "publishing"
    after = DirectoryKim.id > (due.fanout_cursor or "")
    ids = session.scalars(directory.recipients(due.target).where(after).limit(batch_size)).all()
    if ids:
        # the batch is copied inside the database: no rows travel to Python and back
        pending = Webhook.kim_id.is_not(None)
        batch = directory.recipients(
            due.target, literal("broadcast"), literal(due.id), DirectoryKim.id, DirectoryKim.village_code,
            literal(now), literal(0), literal(0), case((pending, "pending"), else_="none"),
            case((pending, literal(now)), else_=null()),
        ).outerjoin(Webhook, Webhook.kim_id == DirectoryKim.id).where(after, DirectoryKim.id <= ids[-1])
        session.execute(dialect_insert(session)(Delivery.__table__).from_select(
            ["kind", "broadcast_id", "kim_id", "village_code", "created_at", "reached", "push_attempts",
             "push_state", "next_push_at"], batch).on_conflict_do_nothing())
        due.fanout_cursor = ids[-1]
    if len(ids) < batch_size:
        due.status = "published"
        due.fanout_done_at = now
        due.recipients = session.scalar(select(func.count()).select_from(Delivery)
                                        .where(Delivery.broadcast_id == due.id))
        record_event(session, "broadcast_published", events.broadcast_published(due))
    return due.id, len(ids)


def deliver_running_broadcasts(session: Session, kim_id: str, open_days: float = 30) -> int:
    """A group that (newly) matches a broadcast still running gets it too.
    Running: published and not expired; one without `expires_at` runs for
    `open_days` after its publication."""
    kim = session.get(DirectoryKim, kim_id)
    if kim is None:
        return 0
    now, created = utcnow(), 0
    hook = session.get(Webhook, kim_id) is not None
    running = select(Broadcast).where(
        Broadcast.status.in_(RUNNING),
        ((Broadcast.expires_at.is_(None) & (Broadcast.published_at >= now - timedelta(days=open_days))) |
         (Broadcast.expires_at > now)))
    for broadcast in session.scalars(running):
        if session.scalar(directory.recipients(broadcast.target).where(DirectoryKim.id == kim_id)) is None:
            continue
        result = session.execute(dialect_insert(session)(Delivery).values(
            kind="broadcast", broadcast_id=broadcast.id, kim_id=kim_id, village_code=kim.village_code,
            created_at=now, reached=0, push_attempts=0, push_state="pending" if hook else "none",
            next_push_at=now if hook else None).on_conflict_do_nothing())
        if result.rowcount and broadcast.status == "published":
            broadcast.recipients += 1
        created += result.rowcount or 0
    return created


def deliver_answer(session: Session, answer: AspirationResponded) -> bool:
    """The answer to an aspiration a group filed, as a message in its inbox."""
    kim = session.get(DirectoryKim, answer.kim_id or "")
    if kim is None:
        return False
    hook = session.get(Webhook, kim.id) is not None
    now = utcnow()
    session.add(Delivery(kind="aspiration_answer", broadcast_id=None, kim_id=kim.id, village_code=kim.village_code,
                         message=answer.model_dump(include={"aspiration_id", "tracking_code", "response"}),
                         created_at=now, reached=0, push_attempts=0, push_state="pending" if hook else "none",
                         next_push_at=now if hook else None))
    return True


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


# --- the group's side -------------------------------------------------------------------

def _group(session: Session, actor: Actor, kim_id: str) -> DirectoryKim:
    kim = session.get(DirectoryKim, kim_id) if isinstance(kim_id, str) else None
    if kim is None:
        raise NotFound(f"KIM {kim_id} tidak ditemukan.", detail_en=f"No KIM {kim_id}.")
    require_kim(actor, kim)
    return kim


def inbox(session: Session, actor: Actor, kim_id: str, limit: int, offset: int) -> dict:
    """The group's messages, unread first, then newest first. Reading the list
    changes nothing: the group marks a message read when it opens it
    (`mark_read`)."""
    kim = _group(session, actor, kim_id)
    query = select(Delivery, Broadcast).outerjoin(Broadcast, Broadcast.id == Delivery.broadcast_id) \
        .where(Delivery.kim_id == kim.id)
    total = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kim_id == kim.id))
    rows = session.execute(query.order_by(Delivery.read_at.is_not(None), Delivery.id.desc())
                           .limit(limit).offset(offset)).all()
    return {"items": [delivery_view(d, b) for d, b in rows], "total": total}


def _delivery(session: Session, actor: Actor, kim_id: str, delivery_id) -> Delivery:
    kim = _group(session, actor, kim_id)
    delivery = session.get(Delivery, delivery_id, with_for_update=True) if isinstance(delivery_id, int) else None
    if delivery is None or delivery.kim_id != kim.id:
        raise NotFound("Pesan tidak ditemukan di kotak masuk ini.", detail_en="No such message in this inbox.")
    return delivery


def mark_read(session: Session, actor: Actor, kim_id: str, delivery_id: int) -> dict:
    """The group opened the message. Only the group's own reading counts;
    marking again keeps the first time."""
    if actor.role != "kim":
        raise OutOfScope("Pesan ditandai dibaca oleh KIM itu sendiri.",
                         detail_en="A message is marked read by the group itself.")
    delivery = _delivery(session, actor, kim_id, delivery_id)
    delivery.read_at = delivery.read_at or utcnow()
    return delivery_view(delivery)


def acknowledge(session: Session, actor: Actor, kim_id: str, delivery_id: int) -> dict:
    delivery = _delivery(session, actor, kim_id, delivery_id)
    if delivery.acknowledged_at is None:
        now = utcnow()
        delivery.acknowledged_at = now
        delivery.read_at = delivery.read_at or now
        record_event(session, "delivery_acknowledged", events.delivery_acknowledged(delivery))
    return delivery_view(delivery)


def relay(session: Session, actor: Actor, kim_id: str, delivery_id: int, data: dict) -> dict:
    if actor.role != "kim":
        raise OutOfScope("Penyebaran ulang dilaporkan oleh KIM itu sendiri.",
                         detail_en="A relay is reported by the group itself.")
    delivery = _delivery(session, actor, kim_id, delivery_id)
    channel = "_".join(str(data["channel"]).lower().split())  # checked as stored: lower() may lengthen it
    if not 2 <= len(channel) <= CHANNEL_LENGTH:
        raise invalid("channel", f"how the message was passed on, 2..{CHANNEL_LENGTH} characters",
                      f"Saluran harus 2 sampai {CHANNEL_LENGTH} karakter.",
                      f"The channel must be 2 to {CHANNEL_LENGTH} characters.")
    reached = data["reached"]
    if not isinstance(reached, int) or not 0 <= reached <= MAX_REACHED_PER_REPORT:
        raise invalid("reached", f"0..{MAX_REACHED_PER_REPORT}",
                      f"Jumlah orang per laporan antara 0 dan {MAX_REACHED_PER_REPORT:,}.".replace(",", "."),
                      f"The people reached per report are between 0 and {MAX_REACHED_PER_REPORT:,}.")
    if delivery.reached + reached > MAX_REACHED_PER_DELIVERY:
        raise invalid("reached", f"at most {MAX_REACHED_PER_DELIVERY} in all reports of one message",
                      f"Jumlah orang dari semua laporan satu pesan paling banyak {MAX_REACHED_PER_DELIVERY:,}."
                      .replace(",", "."),
                      f"All reports of one message reach at most {MAX_REACHED_PER_DELIVERY:,} people.")
    held_on = date.fromisoformat(data["date"])
    earliest = as_utc(delivery.created_at).date() - timedelta(days=1)
    if held_on > (utcnow() + timedelta(days=1)).date() or held_on < earliest:
        raise invalid("date", "between the delivery and today", "Tanggal penyebaran tidak masuk akal.",
                      "The relay date is not plausible.")
    now = utcnow()
    session.add(Relay(delivery_id=delivery.id, reached=data["reached"], channel=channel, date=held_on,
                      created_at=now))
    delivery.reached += data["reached"]
    delivery.relayed_at = delivery.relayed_at or now
    delivery.read_at = delivery.read_at or now
    session.flush()
    record_event(session, "delivery_relayed", events.delivery_relayed(delivery, data["reached"], channel, held_on))
    return delivery_view(delivery)
