"""Fan-out: one delivery per group a broadcast reaches, and the later
deliveries to a group that newly matches a running broadcast or that is
answered on an aspiration it filed.

Fan-out is resumable and exactly once: each batch of deliveries is written
in one transaction together with the cursor (the last group id reached),
and a unique (broadcast, group) index makes any repeat a no-op.
"""
from datetime import timedelta

from sqlalchemy import case, func, literal, null, select
from sqlalchemy.orm import Session

from services.broadcast import directory, events
from services.broadcast.models import Broadcast, Delivery, DirectoryKim, Webhook
from services.common.contracts import AspirationResponded, HoaxCaseLabelled
from services.common.db import dialect_insert
from services.common.events import as_utc, record_event, utcnow

RUNNING = ("publishing", "published")
# what an insert of deliveries returns for the deliveries_created event
NEW_DELIVERY = (Delivery.__table__.c.id, Delivery.__table__.c.kim_id, Delivery.__table__.c.village_code)


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
        created = session.execute(dialect_insert(session)(Delivery.__table__).from_select(
            ["kind", "broadcast_id", "kim_id", "village_code", "created_at", "reached", "push_attempts",
             "push_state", "next_push_at"], batch).on_conflict_do_nothing().returning(*NEW_DELIVERY)).all()
        if created:  # the channels carry them out of the inbox
            record_event(session, "deliveries_created", events.broadcast_deliveries_created(due, created))
        due.fanout_cursor = ids[-1]
    if len(ids) < batch_size:
        due.status = "published"
        due.fanout_done_at = now
        due.recipients = session.scalar(select(func.count()).select_from(Delivery)
                                        .where(Delivery.broadcast_id == due.id))
        record_event(session, "broadcast_published", events.broadcast_published(due))
    return due.id, len(ids)


def next_scheduled_in(session: Session) -> float | None:
    """Seconds until the first scheduled broadcast falls due (0 when one is due now), or None."""
    first = session.scalar(select(func.min(Broadcast.published_at)).where(Broadcast.status == "scheduled"))
    return None if first is None else max(0.0, (as_utc(first) - utcnow()).total_seconds())


def deliver_running_broadcasts(session: Session, kim_ids: str | list[str], open_days: float = 30) -> int:
    """Groups that (newly) match a broadcast still running get it too: one
    statement per running broadcast, whatever the number of groups.
    Running: published and not expired; one without `expires_at` runs for
    `open_days` after its publication."""
    kim_ids = [kim_ids] if isinstance(kim_ids, str) else kim_ids
    if not kim_ids:
        return 0
    now, created = utcnow(), 0
    running = select(Broadcast).where(
        Broadcast.status.in_(RUNNING),
        ((Broadcast.expires_at.is_(None) & (Broadcast.published_at >= now - timedelta(days=open_days))) |
         (Broadcast.expires_at > now))).order_by(Broadcast.id)
    # locked (in id order): a fan-out finishing meanwhile on another instance counts its recipients and
    # commits first, so that a delivery made here after it is counted here, never by neither
    running = running.with_for_update()
    for broadcast in session.scalars(running):
        pending = Webhook.kim_id.is_not(None)
        matching = directory.recipients(
            broadcast.target, literal("broadcast"), literal(broadcast.id), DirectoryKim.id,
            DirectoryKim.village_code, literal(now), literal(0), literal(0), case((pending, "pending"), else_="none"),
            case((pending, literal(now)), else_=null()),
        ).outerjoin(Webhook, Webhook.kim_id == DirectoryKim.id).where(DirectoryKim.id.in_(kim_ids))
        new = session.execute(dialect_insert(session)(Delivery.__table__).from_select(
            ["kind", "broadcast_id", "kim_id", "village_code", "created_at", "reached", "push_attempts",
             "push_state", "next_push_at"], matching).on_conflict_do_nothing().returning(*NEW_DELIVERY)).all()
        inserted = len(new)
        if new:
            record_event(session, "deliveries_created", events.broadcast_deliveries_created(broadcast, new))
        if inserted and broadcast.status == "published":
            broadcast.recipients += inserted
        created += inserted
    return created


def deliver_answer(session: Session, answer: AspirationResponded) -> bool:
    """The answer to an aspiration a group filed, as a message in its inbox."""
    kim = session.get(DirectoryKim, answer.kim_id or "")
    if kim is None:
        return False
    hook = session.get(Webhook, kim.id) is not None
    now = utcnow()
    delivery = Delivery(kind="aspiration_answer", broadcast_id=None, kim_id=kim.id, village_code=kim.village_code,
                        message=answer.model_dump(include={"aspiration_id", "tracking_code", "response"}),
                        created_at=now, reached=0, push_attempts=0, push_state="pending" if hook else "none",
                        next_push_at=now if hook else None)
    session.add(delivery)
    session.flush()
    record_event(session, "deliveries_created", events.answer_delivery_created(delivery))
    return True


def deliver_hoax_outcome(session: Session, outcome: HoaxCaseLabelled) -> list[str]:
    """The office's verdict on a claim, in the inbox of each group that reported
    it (issue 15). Returns the ids of the groups not in the directory yet
    (nothing is delivered then: the event is tried again)."""
    kims = {kim.id: kim for kim in session.scalars(select(DirectoryKim).where(DirectoryKim.id.in_(outcome.kim_ids)))}
    missing = sorted(set(outcome.kim_ids) - kims.keys())
    if missing:
        return missing
    hooks = set(session.scalars(select(Webhook.kim_id).where(Webhook.kim_id.in_(kims))))
    now = utcnow()
    message = outcome.model_dump(include={"case_id", "label", "title", "explanation", "sources"})
    deliveries = [Delivery(kind="hoax_outcome", broadcast_id=None, kim_id=kim.id, village_code=kim.village_code,
                           message=message, created_at=now, reached=0, push_attempts=0,
                           push_state="pending" if kim.id in hooks else "none",
                           next_push_at=now if kim.id in hooks else None)
                  for kim in (kims[k] for k in sorted(kims))]
    session.add_all(deliveries)
    session.flush()
    if deliveries:
        record_event(session, "deliveries_created", events.hoax_outcome_deliveries_created(deliveries))
    return []
