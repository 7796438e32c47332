"""The event envelope, the transactional outbox write and the idempotent
consumer check.

An event is written to the producer's `outbox` table in the same transaction
as the state change (`record_event`); the relay (outbox.py) publishes it.
A consumer calls `claim_event` in the same transaction as its effect, so a
repeated event changes nothing.
"""
import json
import uuid
from datetime import UTC, datetime
from typing import cast, overload

from sqlalchemy import CursorResult, insert
from sqlalchemy.orm import Session

from services.common.contracts import Contract
from services.common.db import dialect_insert, insert_rows, outbox, processed_events


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
def as_utc(moment: datetime | None) -> datetime | None:
    """A stored moment as an aware UTC datetime (SQLite gives them back naive)."""
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def make_envelope(producer: str, event_type: str, data: dict, version: int = 1) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": utcnow().isoformat(),
        "producer": producer,
        "data": data,
    }


def _payload(event_type: str, data: dict | Contract, version: int) -> tuple[dict, int]:
    """A contract's wire form and version (it must be the contract of `event_type`)."""
    if not isinstance(data, Contract):
        return data, version
    if event_type != data.TYPE:
        raise ValueError(f"a {data.TYPE} payload recorded as {event_type}")
    return data.wire(), data.VERSION


def _producer(session: Session) -> str:
    try:
        return session.info["service"]
    except KeyError:
        raise RuntimeError("an event recorded on a session that names no service: open it with "
                           "services.common.db.unit_of_work or service_session") from None


def record_event(session: Session, event_type: str, data: dict | Contract, version: int = 1) -> dict:
    """Add an event to the outbox inside the session's transaction.

    The session must come from the service's `Database` dependency, or from
    `db.unit_of_work` / `db.service_session` outside a worker: they tell it
    the producer and the correlation id of the current request."""
    producer = _producer(session)
    data, version = _payload(event_type, data, version)
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


def record_events(session: Session, event_type: str, items: list[dict | Contract], version: int = 1) -> int:
    """Add many events of one type in one bulk insert (snapshots, seeds)."""
    producer = _producer(session)
    rows = []
    for item in items:
        data, item_version = _payload(event_type, item, version)
        envelope = make_envelope(producer, event_type, data, item_version)
        rows.append({"event_id": envelope["id"], "event_type": event_type,
                     "envelope": json.dumps(envelope, separators=(",", ":"), default=str),
                     "correlation_id": session.info.get("correlation_id"), "created_at": utcnow()})
    if rows:
        insert_rows(session, outbox, rows)
        session.info["outbox_written"] = True
    return len(rows)


def claim_event(session: Session, envelope: dict) -> bool:
    """Record that this event is being processed, in the caller's transaction.

    Returns False when it was processed before: the caller then does nothing.
    INSERT .. ON CONFLICT DO NOTHING makes a concurrent duplicate wait for the
    first transaction and then see the row, instead of failing at commit."""
    claimed = cast(CursorResult, session.execute(dialect_insert(session)(processed_events).values(
        event_id=str(envelope["id"]),
        event_type=str(envelope.get("type", "")),
        producer=str(envelope.get("producer", "")),
        processed_at=utcnow(),
    ).on_conflict_do_nothing(index_elements=["event_id"])))  # an INSERT's result has a rowcount
    return claimed.rowcount == 1


def claim_events(session: Session, envelopes: list[dict]) -> list[dict]:
    """`claim_event` for a batch, in one statement: the envelopes not
    processed before, in their order, each once (a repeat within the batch
    counts once). The caller applies only those, in the same transaction."""
    rows: dict[str, dict] = {}
    for envelope in envelopes:
        event_id = str(envelope["id"])
        rows.setdefault(event_id, {"event_id": event_id, "event_type": str(envelope.get("type", "")),
                                   "producer": str(envelope.get("producer", "")), "processed_at": utcnow()})
    if not rows:
        return []
    # many parameter sets to one statement: sent as multi-row VALUES from one cached compilation
    claim = (dialect_insert(session)(processed_events).on_conflict_do_nothing(index_elements=["event_id"])
             .returning(processed_events.c.event_id))
    claimed = set(session.execute(claim, list(rows.values())).scalars())
    fresh = []
    for envelope in envelopes:
        event_id = str(envelope["id"])
        if event_id in claimed:
            claimed.discard(event_id)
            fresh.append(envelope)
    return fresh
