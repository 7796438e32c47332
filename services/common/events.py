"""The event envelope, the transactional outbox write and the idempotent
consumer check.

An event is written to the producer's `outbox` table in the same transaction
as the state change (`record_event`); the relay (outbox.py) publishes it.
A consumer calls `claim_event` in the same transaction as its effect, so a
repeated event changes nothing.
"""
import json
import uuid
from datetime import datetime, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.common.db import outbox, processed_events


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def make_envelope(producer: str, event_type: str, data: dict, version: int = 1) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": utcnow().isoformat(),
        "producer": producer,
        "data": data,
    }


def record_event(session: Session, event_type: str, data: dict, version: int = 1) -> dict:
    """Add an event to the outbox inside the session's transaction.

    The session must come from the service's `Database` dependency, which
    tells it the producer and the correlation id of the current request."""
    producer = session.info["service"]
    envelope = make_envelope(producer, event_type, data, version)
    session.execute(insert(outbox).values(
        event_id=envelope["id"],
        event_type=event_type,
        envelope=json.dumps(envelope, separators=(",", ":"), default=str),
        correlation_id=session.info.get("correlation_id"),
        created_at=utcnow(),
    ))
    session.info["outbox_written"] = True
    return envelope


def claim_event(session: Session, envelope: dict) -> bool:
    """Record that this event is being processed, in the caller's transaction.

    Returns False when it was processed before: the caller then does nothing.
    Two workers racing on the same event both pass here, but only one commit
    succeeds (primary key); the other is retried and then returns False."""
    event_id = str(envelope["id"])
    seen = session.execute(
        select(processed_events.c.event_id).where(processed_events.c.event_id == event_id)
    ).first()
    if seen:
        return False
    session.execute(insert(processed_events).values(
        event_id=event_id,
        event_type=str(envelope.get("type", "")),
        producer=str(envelope.get("producer", "")),
        processed_at=utcnow(),
    ))
    return True
