"""Darurat broadcasts as CAP 1.2 alerts (issue 16): which are current, the
alert of one, and withdrawing a broadcast (the office's mistake), which turns
its alert into a Cancel and tells the groups that had it.

Versions: a broadcast's alert is version 1 (Alert, sent when it was
published); each change after its publication (a revision, changes.py) is the
next version (Update, sent at the change); a withdrawn broadcast's last version
is a Cancel, sent when it was withdrawn. An Update and a Cancel refer to every
earlier version.
"""
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.broadcast import cap, events
from services.broadcast.broadcasts.compose import load_broadcast
from services.broadcast.broadcasts.views import broadcast_view
from services.broadcast.models import Broadcast, Delivery, Webhook
from services.common.contracts import DeliveriesCreated
from services.common.errors import InvalidTransition, NotFound
from services.common.events import as_utc, record_event, utcnow
from services.common.scope import Actor

EMERGENCY = "darurat"
SENT = ("publishing", "published")  # what groups have (or are getting)
WITHDRAWABLE = ("scheduled", *SENT)


def _current(now: datetime, open_days: float):
    """Published darurat broadcasts not expired (one without `expires_at` for
    `open_days`), and withdrawn ones that had been published (their Cancel)."""
    published = Broadcast.published_at <= now
    running = ((Broadcast.expires_at.is_(None) & (Broadcast.published_at >= now - timedelta(days=open_days))) |
               (Broadcast.expires_at > now))
    return select(Broadcast).where(
        Broadcast.category == EMERGENCY, published, running,
        Broadcast.status.in_(SENT) | ((Broadcast.status == "withdrawn") &
                                      (Broadcast.withdrawn_at >= Broadcast.published_at)))


def versions(b: Broadcast) -> list[tuple[str, datetime]]:
    """(msgType, sent) of each version of the broadcast's alert, oldest first
    (version n is the n-th)."""
    found = [("Alert", as_utc(b.published_at))]
    found += [("Update", as_utc(datetime.fromisoformat(moment))) for moment in b.revisions or []]
    if b.status == "withdrawn":
        found.append(("Cancel", as_utc(b.withdrawn_at)))
    return found


def _version(b: Broadcast) -> tuple[int, str, datetime, list[cap.Reference]]:
    """The current version: its number, msgType, sent and references to every earlier one."""
    found = versions(b)
    msg_type, sent = found[-1]
    earlier = [cap.Reference(cap.identifier(b.id, number), moment)
               for number, (_, moment) in enumerate(found[:-1], start=1)]
    return len(found), msg_type, sent, earlier


def summary(b: Broadcast) -> dict:
    version, msg_type, sent, _ = _version(b)
    return {"id": b.id, "identifier": cap.identifier(b.id, version), "msg_type": msg_type,
            "sent": cap.cap_time(sent), "title": b.title, "priority": b.priority,
            "regions": b.target["regions"]}


def current_alerts(session: Session, open_days: float, limit: int = 200) -> list[dict]:
    """The feed's alerts, newest first."""
    query = _current(utcnow(), open_days).order_by(Broadcast.published_at.desc(), Broadcast.id).limit(limit)
    return [summary(b) for b in session.scalars(query)]


def alert_xml(session: Session, broadcast_id: str, sender: str, open_days: float,
              region_names: dict[str, str] | None = None) -> str:
    """One current alert as CAP 1.2 XML; a broadcast that is no current alert
    is not found (a draft or another category is nobody's business)."""
    b = session.scalar(_current(utcnow(), open_days).where(Broadcast.id == str(broadcast_id)))
    if b is None:
        raise NotFound("Peringatan tidak ditemukan.", detail_en="No such alert.")
    version, msg_type, sent, references = _version(b)
    english = {"title": b.title_en, "body": b.body_en} if b.title_en and b.body_en else None
    return cap.build_alert(broadcast_view(b), sender=sender, sent=sent, version=version, msg_type=msg_type,
                           references=references, region_names=region_names, english=english).decode("utf-8")


def withdraw(session: Session, actor: Actor, broadcast_id: str) -> dict:
    """scheduled, publishing or published -> withdrawn, by the office that wrote
    it or one above; each group that had it gets a `withdrawal` message. Again:
    changes nothing."""
    b = load_broadcast(session, actor, broadcast_id, for_update=True, to_change=True)
    if b.status == "withdrawn":
        return broadcast_view(b)
    if b.status not in WITHDRAWABLE:
        raise InvalidTransition("Draf belum terkirim: hapus atau biarkan saja.",
                                detail_en="A draft was never sent: there is nothing to withdraw.", allowed=["publish"])
    now = utcnow()
    b.status, b.withdrawn_at = "withdrawn", now
    tell_groups(session, b, "withdrawal", {"broadcast_id": b.id, "title": b.title}, now,
                events.withdrawal_deliveries_created)
    return broadcast_view(b)


def tell_groups(session: Session, b: Broadcast, kind: str, message: dict, now: datetime,
                event: Callable[[Broadcast, list[Delivery]], DeliveriesCreated]) -> list[Delivery]:
    """A message of `kind` about the broadcast in the inbox of each group that
    had it (pushed to its webhook when it has one), and the event that lets the
    channels carry it."""
    had = session.execute(select(Delivery.kim_id, Delivery.village_code, Webhook.kim_id.is_not(None))
                          .outerjoin(Webhook, Webhook.kim_id == Delivery.kim_id)
                          .where(Delivery.broadcast_id == b.id, Delivery.kind == "broadcast")
                          .order_by(Delivery.kim_id)).all()
    deliveries = [Delivery(kind=kind, broadcast_id=None, kim_id=kim_id, village_code=village,
                           message=message, created_at=now, reached=0, push_attempts=0,
                           push_state="pending" if hook else "none", next_push_at=now if hook else None)
                  for kim_id, village, hook in had]
    session.add_all(deliveries)
    session.flush()
    if deliveries:  # the channels carry it out of the inbox
        record_event(session, "deliveries_created", event(b, deliveries))
    return deliveries
