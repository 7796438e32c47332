"""The outbox relay: publishes committed events in order, with confirms,
then marks them sent.

A crash between commit and publish loses nothing (the row stays unsent and
is published on the next round); a crash after publish and before marking
repeats the event, which idempotent consumers absorb.
"""
import logging
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Engine

from services.common import metrics
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.db import is_postgresql, outbox
from services.common.events import utcnow

log = logging.getLogger(__name__)

# One relay at a time per database publishes, so that several instances of
# a service still publish in commit order.
RELAY_LOCK_KEY = 0x6B696D_0B0C


def events_exchange(service_name: str) -> str:
    return f"{service_name}.events"


class OutboxRelay:
    def __init__(self, engine: Engine, publisher: ConfirmedPublisher, service_name: str,
                 batch_size: int = 500):
        self.engine = engine
        self.publisher = publisher
        self.service_name = service_name
        self.exchange = events_exchange(service_name)
        self.batch_size = batch_size

    def fetch_unsent(self, conn):
        return conn.execute(
            select(outbox.c.id, outbox.c.event_id, outbox.c.event_type,
                   outbox.c.envelope, outbox.c.correlation_id)
            .where(outbox.c.sent_at.is_(None))
            .order_by(outbox.c.id)
            .limit(self.batch_size)
        ).all()

    def publish(self, rows):
        messages = []
        for row in rows:
            headers = {}
            if row.correlation_id:
                headers["nameko.correlation_id"] = row.correlation_id
            messages.append(OutgoingMessage(
                exchange=self.exchange, routing_key=row.event_type,
                body=row.envelope.encode(), headers=headers, message_id=row.event_id,
            ))
        self.publisher.publish(messages, declare={self.exchange: "topic"})
        for row in rows:
            metrics.EVENTS_PUBLISHED.labels(self.service_name, row.event_type).inc()

    def mark_sent(self, conn, rows):
        conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows]))
                     .values(sent_at=utcnow()))

    def relay_once(self) -> int:
        """Publish one batch of unsent events; returns how many were sent."""
        if not is_postgresql(self.engine):
            # SQLite: one process per database file, so one relay, and one connection that all
            # the process's workers share: it is not held while the broker confirms
            with self.engine.connect() as conn:
                rows = self.fetch_unsent(conn)
            if not rows:
                return 0
            self.publish(rows)
            with self.engine.begin() as conn:
                self.mark_sent(conn, rows)
            return len(rows)
        with self.engine.begin() as conn:
            if not conn.scalar(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY))):
                return 0  # another instance is relaying right now
            rows = self.fetch_unsent(conn)
            if not rows:
                return 0
            self.publish(rows)
            self.mark_sent(conn, rows)
        return len(rows)

    def relay_all(self) -> int:
        total = 0
        while True:
            sent = self.relay_once()
            total += sent
            if sent < self.batch_size:
                return total

    def backlog(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(outbox)
                                .where(outbox.c.sent_at.is_(None))).scalar_one()

    def prune(self, older_than_hours: float) -> int:
        cutoff = utcnow() - timedelta(hours=older_than_hours)
        with self.engine.begin() as conn:
            return conn.execute(delete(outbox).where(outbox.c.sent_at < cutoff)).rowcount
