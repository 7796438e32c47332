"""Deliveries into messages: every delivery the broadcast service creates (a broadcast's, or an
answer to an aspiration the group filed) becomes one queued message per channel of its group that
is live or paused (a paused channel's messages wait for it; a stopped one gets none)."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.channels.models import Channel, ChannelDelivery, Content, OutboundMessage
from services.common.contracts import DeliveriesCreated
from services.common.db import insert_rows
from services.common.events import utcnow

CARRYING = ("live", "paused")


def rank(category: str, priority: str) -> int:
    """Who goes first: darurat and urgent, then high (and answers to aspirations), then the rest."""
    if category == "darurat" or priority == "urgent":
        return 0
    return 1 if priority == "high" else 2


def content_key(event: DeliveriesCreated) -> str:
    if event.broadcast_id:
        return f"broadcast:{event.broadcast_id}"
    return f"answer:{event.deliveries[0].delivery_id}"


def take(session: Session, events: list[DeliveriesCreated]) -> int:
    """Queue the messages of these deliveries; returns how many. A delivery seen before (the same
    event again, or another carrying it) queues nothing twice: one message per (delivery, channel)."""
    now, queued = utcnow(), 0
    for event in events:
        key = content_key(event)
        if session.get(Content, key) is None:
            message = event.message
            session.add(Content(key=key, title=message.title[:300], body=message.body, category=message.category,
                                priority=message.priority, tracking_code=message.tracking_code, created_at=now))
            session.flush()
        ids = [d.delivery_id for d in event.deliveries]
        known = set(session.scalars(select(ChannelDelivery.delivery_id).where(ChannelDelivery.delivery_id.in_(ids))))
        fresh = [d for d in event.deliveries if d.delivery_id not in known]
        if not fresh:
            continue
        insert_rows(session, ChannelDelivery.__table__, [
            {"delivery_id": d.delivery_id, "kim_id": d.kim_id, "village_code": d.village_code,
             "broadcast_id": event.broadcast_id, "content_key": key, "created_at": now, "acknowledged_on": None,
             "reached": 0} for d in fresh], skip_existing=True)
        by_kim = {d.kim_id: d for d in fresh}
        channels = session.execute(select(Channel.id, Channel.kim_id, Channel.kind).where(
            Channel.kim_id.in_(list(by_kim)), Channel.state.in_(CARRYING))).all()
        order = rank(event.message.category, event.message.priority)
        rows = [{"channel_id": channel_id, "kind": kind, "delivery_id": by_kim[kim_id].delivery_id,
                 "content_key": key, "text": None, "rank": order, "status": "queued", "attempts": 0,
                 "next_attempt_at": now, "parts": 0, "error": None, "acknowledged_at": None, "reached": 0,
                 "created_at": now, "sent_at": None, "status_at": None} for channel_id, kim_id, kind in channels]
        if rows:
            insert_rows(session, OutboundMessage.__table__, rows, skip_existing=True)
        queued += len(rows)
    return queued


def queued_for(session: Session, message: OutboundMessage) -> tuple[str, str, str, str]:
    """(title, body, category, priority) of a message."""
    if message.content_key:
        content = session.get(Content, message.content_key)
        if content is not None:
            return content.title, content.body, content.category, content.priority
    return "", message.text or "", "informasi", "normal"
