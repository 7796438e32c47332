"""nameko DependencyProviders: the database session per worker (with the
outbox relay of that database) and per-worker instrumentation."""
import logging
import sys
import threading
import time
from weakref import WeakKeyDictionary

import eventlet
from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy import text
from sqlalchemy.orm import Session

from services.common import logs, metrics
from services.common.bus import ConfirmedPublisher
from services.common.db import make_engine, service_session
from services.common.entrypoints import wake_timers
from services.common.errors import DomainError
from services.common.outbox import OutboxRelay
from services.common.settings import SETTINGS_KEY

log = logging.getLogger(__name__)

WAKE = "wake_timers"


def wake_after_commit(session: Session, *timers: str):
    """Once this worker's transaction is committed, run the service's timers that wait on these
    names (`@timer(..., wake_on=name)`): the work it committed is taken up at once."""
    session.info.setdefault(WAKE, set()).update(timers)


class Database(DependencyProvider):
    """A SQLAlchemy session per worker.

    The session is committed (or rolled back on error) by `settle`, which the
    common entrypoints call *before* the RPC reply is sent or the event is
    acked, so a caller never sees success for an uncommitted write. Other
    entrypoints (timers) are settled in `worker_result`.

    It also runs this database's outbox relay in a managed green thread,
    woken as soon as a worker commits an event."""

    def __init__(self, relay: bool = True):
        self.relay_enabled = relay

    def setup(self):
        self.settings = self.container.config[SETTINGS_KEY]
        # a worker holds one connection at most: the pool follows the workers (and as many again for bursts)
        self.engine = make_engine(self.settings.db_url, pool_size=self.settings.max_workers)
        self.sessions: WeakKeyDictionary = WeakKeyDictionary()
        self.publisher = ConfirmedPublisher(self.settings.amqp_uri)
        self.relay = OutboxRelay(self.engine, self.publisher, self.container.service_name,
                                 self.settings.outbox_batch_size)
        self._wake = threading.Event()
        self._running = False

    def start(self):
        if self.relay_enabled:
            self._running = True
            self.container.spawn_managed_thread(self._relay_forever, identifier="outbox_relay")

    def stop(self):
        self._running = False
        self._wake.set()
        self.publisher.close()
        self.engine.dispose()

    def kill(self):
        self.stop()

    # -- per worker ---------------------------------------------------------
    def get_dependency(self, worker_ctx) -> Session:
        session = service_session(self.engine, self.container.service_name, expire_on_commit=False,
                                  correlation_id=worker_ctx.context_data.get("correlation_id"))
        self.sessions[worker_ctx] = session
        return session

    def settle(self, worker_ctx, exc_info):
        """Commit on success, roll back on error; a failed commit becomes the error."""
        session = self.sessions.pop(worker_ctx, None)
        if session is None:
            return exc_info
        try:
            if exc_info is None:
                try:
                    session.commit()
                except Exception:
                    session.rollback()
                    return sys.exc_info()
                if session.info.pop("outbox_written", False):
                    self._wake.set()
                for name in session.info.pop(WAKE, ()):
                    wake_timers(self.container, name)
            else:
                session.rollback()
            return exc_info
        finally:
            session.close()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        self.settle(worker_ctx, exc_info)

    def worker_teardown(self, worker_ctx):
        session = self.sessions.pop(worker_ctx, None)
        if session is not None:
            session.close()

    def ping(self):
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    # -- outbox relay -------------------------------------------------------
    def _relay_forever(self):
        backoff = 0.5
        next_gauge = next_prune = 0.0
        service = self.container.service_name
        while self._running:
            sent = 0
            try:
                sent = self.relay.relay_once()
                backoff = 0.5
                now = time.monotonic()
                if now >= next_gauge:
                    metrics.OUTBOX_BACKLOG.labels(service).set(self.relay.backlog())
                    next_gauge = now + 5
                if now >= next_prune:
                    self.relay.prune(self.settings.outbox_retention_hours)
                    next_prune = now + 3600
            except Exception as exc:
                log.warning("outbox relay failed, retrying in %.1fs: %s", backoff, exc)
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, 30)
                continue
            if sent < self.relay.batch_size:
                self._wake.wait(self.settings.outbox_poll_seconds)
                self._wake.clear()


class Instrumentation(DependencyProvider):
    """Metrics and the log correlation id for every worker of the service."""

    def setup(self):
        self.started: WeakKeyDictionary = WeakKeyDictionary()

    def worker_setup(self, worker_ctx):
        self.started[worker_ctx] = time.perf_counter()
        logs.correlation_id.set(worker_ctx.context_data.get("correlation_id"))

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self.started.pop(worker_ctx, None)
        if started is None:
            return
        elapsed = time.perf_counter() - started
        service = self.container.service_name
        entrypoint = worker_ctx.entrypoint
        if isinstance(entrypoint, Rpc):
            outcome = "ok" if exc_info is None else "error"
            if exc_info is not None and isinstance(exc_info[1], DomainError):
                # an answer, not an incident: one line, no traceback
                log.info("%s.%s answered %s: %s", service, entrypoint.method_name,
                         type(exc_info[1]).__name__, exc_info[1])
            metrics.RPC_REQUESTS.labels(service, entrypoint.method_name, outcome).inc()
            metrics.RPC_DURATION.labels(service, entrypoint.method_name).observe(elapsed)
        elif isinstance(entrypoint, EventHandler):
            metrics.EVENT_HANDLER_DURATION.labels(service, entrypoint.method_name).observe(elapsed)


class Settings(DependencyProvider):
    """The service's settings object (the one read from the environment)."""

    def get_dependency(self, worker_ctx):
        return self.container.config[SETTINGS_KEY]
