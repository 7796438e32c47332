"""The group's side: its inbox, and its receipts of a message (read,
acknowledged, relayed to the people it reached)."""
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.broadcast import events
from services.broadcast.broadcasts.views import delivery_view
from services.broadcast.models import Broadcast, Delivery, DirectoryKim, Relay
from services.common.errors import NotFound, OutOfScope, invalid
from services.common.events import as_utc, record_event, utcnow
from services.common.scope import Actor, require_kim

# A relay report is a group's own count of the people it passed a message to. A village
# has at most tens of thousands of people: more in one report is a typo, and the total
# over a message's reports stays far inside the column's integer.
MAX_REACHED_PER_REPORT = 100_000
MAX_REACHED_PER_DELIVERY = 1_000_000
CHANNEL_LENGTH = 30  # the relays.channel column


def load_group(session: Session, actor: Actor, kim_id: str) -> DirectoryKim:
    kim = session.get(DirectoryKim, kim_id) if isinstance(kim_id, str) else None
    if kim is None:
        raise NotFound(f"KIM {kim_id} tidak ditemukan.", detail_en=f"No KIM {kim_id}.")
    require_kim(actor, kim)
    return kim


def inbox(session: Session, actor: Actor, kim_id: str, limit: int, offset: int) -> dict:
    """The group's messages, unread first, then newest first. Reading the list
    changes nothing: the group marks a message read when it opens it
    (`mark_read`)."""
    kim = load_group(session, actor, kim_id)
    query = select(Delivery, Broadcast).outerjoin(Broadcast, Broadcast.id == Delivery.broadcast_id) \
        .where(Delivery.kim_id == kim.id)
    total = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kim_id == kim.id))
    rows = session.execute(query.order_by(Delivery.read_at.is_not(None), Delivery.id.desc())
                           .limit(limit).offset(offset)).all()
    return {"items": [delivery_view(d, b) for d, b in rows], "total": total}


def _delivery(session: Session, actor: Actor, kim_id: str, delivery_id) -> Delivery:
    kim = load_group(session, actor, kim_id)
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
