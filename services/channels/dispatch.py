"""Sending: the messages queued for each kind of channel go out through their provider, within the
provider's limits, most urgent first, with retries, and each outcome is recorded.

The guarantee is **at least once**. A message is leased (its `next_attempt_at` moved past the
provider's deadline, committed) before it is sent, and its outcome is committed as soon as the
provider answered. A process killed between the provider's answer and that commit sends the
message again once the lease runs out: a crash repeats at most the messages in flight at that
moment, `KIM_CHANNEL_CONCURRENCY` per kind. Losing a message silently is the worse failure for
government information (an emergency that never arrives), and a repeat is visible to the group as
such; the providers' APIs take no idempotency key that would let us do better.

Limits: one process at a time sends each kind (PostgreSQL: a session advisory lock per kind, held
while the process lives; SQLite: one process), so its `Limits` (services/channels/limits.py) see
every send. A new sender starts with the sends of the last window read back from the database, so
a change of sender does not exceed them either."""
import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import eventlet
import eventlet.event
import eventlet.queue
import httpx
from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from services.channels import metrics, outbound
from services.channels.limits import Limits, Window
from services.channels.models import Channel, OutboundMessage, ProviderMessage
from services.channels.providers import Message, Rejected, RetryLater, Sent
from services.channels.providers import module as provider_module
from services.common.db import is_postgresql
from services.common.events import as_utc, utcnow
from services.common.vocabulary import CHANNEL_KINDS

log = logging.getLogger(__name__)

WHATSAPP_WINDOW = timedelta(hours=24)
LONG_WAIT = 1.0  # seconds: a message whose address must wait longer goes back to the queue
RECORD_EVERY = 0.02  # seconds: how long an outcome waits for others to be committed with it


def limits_for(kind: str, settings) -> Limits:
    if kind == "telegram":
        return Limits(Window(int(settings.telegram_rate_per_second), 1.0),
                      per_address=(int(settings.telegram_chat_rate_per_minute), 60.0))
    rate = {"whatsapp": settings.whatsapp_rate_per_second, "sms": settings.kannel_rate_per_second,
            "email": settings.smtp_rate_per_second}[kind]
    return Limits(Window(max(1, int(rate)), 1.0))


@dataclass
class Job:
    message_id: int
    channel_id: str
    address: str
    message: Message
    attempts: int
    first_part: int = 0  # the parts before it went already (a long message that failed midway)
    answered_at: datetime | None = None  # when the provider answered (recorded as the message's sent_at)


class KindSender:
    """The sending of one kind in this process: its limits, its sends in flight, its leadership."""

    def __init__(self, kind: str, settings, provider=None):
        self.kind = kind
        self.settings = settings
        self.provider = provider or provider_module(kind)
        self.limits = limits_for(kind, settings)
        # the leased messages waiting for a sender, and the senders (KIM_CHANNEL_CONCURRENCY green
        # threads, started with the first round): at most that many sends are in flight
        self.jobs: eventlet.queue.LightQueue = eventlet.queue.LightQueue()
        self.senders: list = []
        self.engine = None
        self.unrecorded: list = []  # outcomes waiting for the recorder's next transaction
        self.recorder = None
        self.lock_connection = None  # PostgreSQL: the connection holding this kind's lock
        self.leading_since: float | None = None

    # -- leadership ----------------------------------------------------------------------------
    def lead(self, engine) -> bool:
        if not is_postgresql(engine):
            if self.leading_since is None:
                self._took_over(engine)
            return True
        try:
            if self.lock_connection is not None:
                self.lock_connection.execute(text("SELECT 1"))
                return True
            connection = engine.connect()
            key = int.from_bytes(hashlib.sha256(f"kim-channels-{self.kind}".encode()).digest()[:4], "big")
            if connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                connection.commit()
                self.lock_connection = connection
                self._took_over(engine)
                return True
            connection.rollback()
            connection.close()
        except Exception:
            log.warning("the %s sender lost its database lock; it tries again", self.kind)
            self.release()
        return False

    def _took_over(self, engine):
        """The sends of the last window, as the database knows them (another process may have made them)."""
        self.leading_since = time.monotonic()
        self.limits = limits_for(self.kind, self.settings)
        span = self.limits.per_address[1] if self.limits.per_address else self.limits.overall.seconds
        now_wall, now = utcnow(), time.monotonic()
        with Session(engine) as session:
            recent = session.execute(select(Channel.address, OutboundMessage.sent_at).join(
                Channel, Channel.id == OutboundMessage.channel_id).where(
                OutboundMessage.kind == self.kind, OutboundMessage.sent_at > now_wall - timedelta(seconds=span))
                .order_by(OutboundMessage.sent_at)).all()
        for address, sent_at in recent:
            at = now - (now_wall - as_utc(sent_at)).total_seconds()
            self.limits.start(address or "", at)
            self.limits.done(address or "", at)
        self.limits.overall.pause(now + self.limits.overall.seconds)  # sends not recorded yet, if any

    def release(self):
        if self.lock_connection is not None:
            with contextlib.suppress(Exception):  # the connection is gone: so is its lock
                self.lock_connection.close()
        self.lock_connection = None
        self.leading_since = None

    # -- a round -------------------------------------------------------------------------------
    def round(self, engine) -> int:
        """Lease what the senders can send until the next round or so (two rounds at the provider's
        rate, less what still waits) and hand it to them; returns how many were leased."""
        if not self.lead(engine):
            return 0
        self.engine = engine
        while len(self.senders) < self.settings.channel_concurrency:
            self.senders.append(eventlet.spawn(self._send_what_comes))
        room = max(1, int(self.limits.overall.limit * self.settings.dispatch_seconds * 2)) - self.jobs.qsize()
        if room <= 0:
            return 0
        with Session(engine) as session, session.begin():
            jobs = lease(session, self.kind, room, self.settings)
        for job in jobs:
            self.jobs.put(job)
        return len(jobs)

    def _send_what_comes(self):
        while True:
            job = self.jobs.get()
            if job is None:
                return
            try:
                self._send_and_record(job, self.engine)
            except Exception:  # a sender never dies: the message's lease runs out and it goes again
                log.exception("a %s sender failed", self.kind)

    def _send_and_record(self, job: Job, engine):
        now = time.monotonic()
        wait = self.limits.wait_time(job.address, now)
        while wait > 0:
            if wait > LONG_WAIT:
                self._record(engine, job, RetryLater("rate limit", retry_after=wait), counted=False)
                return
            eventlet.sleep(wait)
            now = time.monotonic()
            wait = self.limits.wait_time(job.address, now)
        self.limits.start(job.address, now)
        started, reached = time.perf_counter(), True
        outcome: Sent | Exception
        try:
            if job.first_part:
                outcome = self.provider.send(self.settings, self.client, job.address, job.message,
                                             first_part=job.first_part)
            else:
                outcome = self.provider.send(self.settings, self.client, job.address, job.message)
        except (RetryLater, Rejected) as error:
            outcome = error
            reached = not isinstance(error, RetryLater) or error.retry_after is not None
        except Exception as error:  # a bug or an unexpected answer: tried again, named by type only
            log.exception("sending a %s message failed unexpectedly", self.kind)
            outcome, reached = RetryLater(type(error).__name__), False
        finally:
            self.limits.done(job.address, time.monotonic(), reached_provider=reached)
            job.answered_at = utcnow()
        metrics.SEND_SECONDS.labels(self.kind).observe(time.perf_counter() - started)
        if isinstance(outcome, RetryLater) and outcome.retry_after:
            until = time.monotonic() + outcome.retry_after
            self.limits.pause(until, None if outcome.whole_provider else job.address)
        self._record(engine, job, outcome)

    def _record(self, engine, job: Job, outcome, counted: bool = True):
        """Wait until this outcome is committed, with the others that arrived meanwhile: one
        transaction for many sends, and the send's slot is held until then, so that the sends a
        crash can repeat stay the ones the pool holds (KIM_CHANNEL_CONCURRENCY)."""
        done = eventlet.event.Event()
        self.unrecorded.append((job, outcome, counted, done))
        if self.recorder is None:
            self.recorder = eventlet.spawn(self._record_together, engine)
        done.wait()

    def _record_together(self, engine):
        eventlet.sleep(RECORD_EVERY)  # the outcomes arriving meanwhile join this transaction
        batch, self.unrecorded, self.recorder = self.unrecorded, [], None
        try:
            with Session(engine) as session, session.begin():
                for job, outcome, counted, _ in batch:
                    record(session, job, outcome, self.settings, counted)
        except Exception:
            # their leases run out and they are sent again (at least once)
            log.exception("could not record the outcome of %d %s messages", len(batch), self.kind)
        for *_, done in batch:
            done.send()

    def send_unstored(self, address: str, text: str):
        """One answer to a sender we do not know (within the limits; once; kept nowhere)."""
        now = time.monotonic()
        if self.limits.wait_time(address, now) > LONG_WAIT:
            return
        eventlet.sleep(self.limits.wait_time(address, now))
        self.limits.start(address, time.monotonic())
        reached = True
        try:
            self.provider.send(self.settings, self.client, address, Message(title="", body=text))
        except (RetryLater, Rejected) as error:
            reached = not isinstance(error, RetryLater) or error.retry_after is not None
            log.info("an answer to an unknown %s sender was not sent: %s", self.kind, error.reason)
        except Exception:
            reached = False
            log.exception("an answer to an unknown %s sender failed", self.kind)
        finally:
            self.limits.done(address, time.monotonic(), reached_provider=reached)

    @property
    def client(self) -> httpx.Client:
        if not hasattr(self, "_client"):
            self._client = httpx.Client(timeout=self.settings.provider_timeout_seconds)
        return self._client

    def stop(self):
        """The sends in flight end (each by its deadline); what was leased and not started waits for
        its lease to run out."""
        while not self.jobs.empty():
            self.jobs.get_nowait()
        for _ in self.senders:
            self.jobs.put(None)
        for sender in self.senders:
            sender.wait()
        self.release()
        if hasattr(self, "_client"):
            self._client.close()


def lease(session: Session, kind: str, limit: int, settings) -> list[Job]:
    """Up to `limit` due messages of `kind`, most urgent first, leased past the provider's deadline
    (several processes never take the same one: SKIP LOCKED on PostgreSQL)."""
    now = utcnow()
    rows = session.execute(
        select(OutboundMessage, Channel).join(Channel, Channel.id == OutboundMessage.channel_id).where(
            OutboundMessage.kind == kind, OutboundMessage.status == "queued",
            OutboundMessage.next_attempt_at <= now, Channel.address.is_not(None),
            or_(Channel.state == "live", OutboundMessage.delivery_id.is_(None)))
        .order_by(OutboundMessage.rank, OutboundMessage.id).limit(limit)
        .with_for_update(skip_locked=True, of=OutboundMessage)).all()
    until = now + timedelta(seconds=settings.provider_timeout_seconds * 2 + LONG_WAIT + settings.dispatch_seconds)
    jobs = []
    for message, channel in rows:
        message.next_attempt_at = until
        jobs.append(Job(message.id, channel.id, channel.address, render(session, message, channel, settings),
                        message.attempts, message.parts))
    return jobs


def render(session: Session, message: OutboundMessage, channel: Channel, settings) -> Message:
    title, body, category, priority = outbound.queued_for(session, message)
    base = settings.public_url.rstrip("/")
    in_session = channel.last_inbound_at is not None and as_utc(channel.last_inbound_at) > utcnow() - WHATSAPP_WINDOW
    return Message(title=title, body=body, category=category, priority=priority,
                   link=f"{base}/portal" if message.delivery_id is not None else None,
                   unsubscribe_url=(f"{base}/channels/email/unsubscribe?token={channel.unsubscribe_token}"
                                    if channel.unsubscribe_token else None),
                   in_session=in_session, reference=str(message.id))


def record(session: Session, job: Job, outcome, settings, counted: bool = True):
    """What became of one send: sent, a retry after a back-off (or the provider's retry_after), or
    failed for good; a channel whose messages keep failing is paused with the reason."""
    message = session.get(OutboundMessage, job.message_id, with_for_update=True)
    if message is None or message.status != "queued":
        return
    channel = session.get(Channel, message.channel_id)
    now = utcnow()
    if isinstance(outcome, Sent):
        message.status, message.sent_at, message.status_at = "sent", job.answered_at or now, now
        message.parts, message.attempts, message.next_attempt_at, message.error = outcome.parts, \
            message.attempts + 1, None, None
        for provider_id in outcome.provider_ids:
            session.merge(ProviderMessage(kind=message.kind, provider_id=provider_key(message.kind, job.address,
                                                                                        provider_id),
                                          message_id=message.id))
        if channel is not None:
            channel.failures = 0
        metrics.MESSAGES.labels(message.kind, "sent").inc()
        return
    if isinstance(outcome, RetryLater):
        if outcome.parts_sent:  # the parts that went are not sent again
            message.parts = job.first_part + outcome.parts_sent
            for provider_id in outcome.provider_ids:
                session.merge(ProviderMessage(kind=message.kind,
                                              provider_id=provider_key(message.kind, job.address, provider_id),
                                              message_id=message.id))
        if counted and outcome.retry_after is None:
            message.attempts += 1
        if message.attempts < settings.max_attempts:
            wait = outcome.retry_after if outcome.retry_after is not None else \
                settings.backoff_seconds * 2 ** max(0, message.attempts - 1)
            message.next_attempt_at = now + timedelta(seconds=wait)
            message.error = outcome.reason[:300]
            metrics.MESSAGES.labels(message.kind, "retry").inc()
            return
    reason = getattr(outcome, "reason", "failed")[:300]
    message.status, message.error, message.status_at, message.next_attempt_at = "failed", reason, now, None
    metrics.MESSAGES.labels(message.kind, "failed").inc()
    if channel is not None and message.delivery_id is not None:
        channel.failures += 1
        channel.last_error, channel.last_error_at = reason, now
        if channel.failures >= settings.pause_after_failures and channel.state == "live":
            channel.state, channel.paused_reason = "paused", f"failing: {reason}"[:300]
            log.warning("a %s channel was paused after %d failed messages", channel.kind, channel.failures)


def provider_key(kind: str, address: str, provider_id) -> str:
    """A provider's id for a message as we keep it: Telegram numbers messages per chat."""
    return (f"{address}:{provider_id}" if kind == "telegram" else str(provider_id))[:200]


def queue_depths(session: Session) -> dict[str, int]:
    found = dict(session.execute(select(OutboundMessage.kind, func.count()).where(
        OutboundMessage.status == "queued").group_by(OutboundMessage.kind)).all())
    return {kind: found.get(kind, 0) for kind in CHANNEL_KINDS}


def failing_channels(session: Session) -> dict[str, int]:
    found = dict(session.execute(select(Channel.kind, func.count()).where(
        Channel.state == "paused", Channel.paused_reason.like("failing:%")).group_by(Channel.kind)).all())
    return {kind: found.get(kind, 0) for kind in CHANNEL_KINDS}
