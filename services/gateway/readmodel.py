"""The gateway's read model of the registry's public answers (a group's public
profile, a region's public coverage), kept exact by the registry's events.

An entry is filled on a miss by the usual RPC call and dropped by every event
(or write through this gateway) that may change it:

- a group's entry by any event about it (`kim_registered`, `kim_updated`,
  `kim_snapshot`, `kim_status_changed`, `kim_activity_reported`: its last
  activity is public and changes without a new version);
- the coverage of every region on a village's path (the country, province,
  regency, district, village) by a group registered, changing status, or moving
  (old and new village; when the old village is unknown, every coverage entry).

Exactness: an answer is never older than an event this gateway has received.
A fill that was under way when its key (or everything) was dropped does not
store its answer, which may predate the change (generation counter). While the
event consumer is not connected nothing is served or stored: the gateway cannot
know what it missed, so the model starts empty on every (re)connection.
"""
import asyncio
import contextlib
import json
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from services.common import contracts
from services.gateway.broker import Addresses

log = logging.getLogger(__name__)

COUNTRY = "ID"
REGISTRY_EVENTS = "registry.events"
# event type -> its contract; each names the group and its (current) village
EVENTS: dict[str, type[contracts.Contract]] = {
    "kim_registered": contracts.KimRegistered,
    "kim_updated": contracts.KimUpdated,
    "kim_snapshot": contracts.KimSnapshot,
    "kim_status_changed": contracts.KimStatusChanged,
    "kim_activity_reported": contracts.KimActivityReported,
    "kim_post_published": contracts.KimPostPublished,  # issue 15: a post is activity (last_activity_on)
}


def kim_key(kim_id: str) -> tuple:
    return ("kim", kim_id)


def coverage_key(code: str) -> tuple:
    return ("coverage", code)


def path_of(village_code: str) -> list[str]:
    """The regions whose coverage counts a village: the country down to the village."""
    parts = village_code.split(".")
    return [COUNTRY, *(".".join(parts[:i]) for i in range(1, len(parts) + 1))]


class ReadModel:
    LIMIT = 20_000

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self.live = False  # the event consumer is connected: only then are entries served
        self._entries: dict[Hashable, Any] = {}
        self._generation = 0  # counts every change; a fill stores only if its key did not change since it began
        self._cleared_at = 0
        self._filling: Counter = Counter()  # keys with a fill under way
        self._changed_at: dict[Hashable, int] = {}  # for those keys only: when they last changed
        self._village_of: dict[str, str] = {}  # each group's last known village (to see a move)

    # --- reading -----------------------------------------------------------

    def get(self, key: Hashable) -> Any | None:
        return self._entries.get(key) if self.live else None

    async def read(self, key: Hashable, fill: Callable[[], Awaitable[Any]]) -> Any:
        """The entry, or `fill()`'s answer, kept unless the key changed meanwhile."""
        found = self.get(key)
        if found is not None:
            return found
        if not self.live:
            return await fill()
        started = self._generation
        self._filling[key] += 1
        try:
            value = await fill()
            fresh = self.live and self._cleared_at <= started and self._changed_at.get(key, -1) <= started
        finally:
            self._filling[key] -= 1
            if not self._filling[key]:
                del self._filling[key]
                self._changed_at.pop(key, None)
        if fresh:
            if len(self._entries) >= self.limit:
                self._entries.clear()  # bounded; dropping entries never makes an answer stale
            self._entries[key] = value
        return value

    def __len__(self) -> int:
        return len(self._entries)

    # --- changes -----------------------------------------------------------

    def drop(self, key: Hashable):
        self._entries.pop(key, None)
        if key in self._filling:
            self._generation += 1
            self._changed_at[key] = self._generation

    def clear(self):
        self._entries.clear()
        self._village_of.clear()
        self._generation += 1
        self._cleared_at = self._generation

    def clear_coverage(self):
        for key in [k for k in self._entries if k[0] == "coverage"]:
            del self._entries[key]
        for key in [k for k in self._filling if k[0] == "coverage"]:
            self.drop(key)

    def connected(self):
        """The consumer is consuming: from now on every change reaches the model."""
        self.clear()
        self.live = True

    def disconnected(self):
        self.live = False
        self.clear()

    def _remember(self, kim_id: str, village_code: str):
        if len(self._village_of) >= self.limit * 10:
            self._village_of.clear()  # an unknown village only costs every coverage entry on a move
        self._village_of[kim_id] = village_code

    def _village(self, kim_id: str) -> str | None:
        """Where the model last saw a group: its events, else its (exact) entry."""
        known = self._village_of.get(kim_id)
        if known is None:
            entry = self._entries.get(kim_key(kim_id))
            known = getattr(entry, "data", {}).get("village_code") if entry is not None else None
        return known

    def kim_changed(self, kim_id: str, village_code: str | None, *, counts: bool, may_have_moved: bool = False,
                    remember: bool = True):
        """A group changed: its entry goes, and the coverage it counts in when
        the counts may have changed (`counts`, in `village_code`, or where it
        was last seen when that is None) or it may have moved. Only events
        `remember` where a group is: they arrive in commit order."""
        known = self._village(kim_id)
        self.drop(kim_key(kim_id))
        villages: set[str] = set()
        counted_in = village_code or known
        if counts and counted_in is None:
            self.clear_coverage()
        elif counts and counted_in is not None:
            villages.add(counted_in)
        if may_have_moved and known is None:
            self.clear_coverage()
        elif may_have_moved and known is not None and village_code not in (None, known):
            villages |= {known, village_code}
        for village in villages:
            for code in path_of(village):
                self.drop(coverage_key(code))
        if remember and village_code is not None:
            self._remember(kim_id, village_code)

    def apply(self, event_type: str, envelope: dict):
        """One registry event (an unreadable one drops everything: what it changed is unknown)."""
        contract = EVENTS.get(event_type)
        if contract is None:
            return
        try:
            data: Any = contracts.read(envelope, contract)
        except contracts.BrokenContract as exc:
            log.warning("cannot read a registry event, dropping the read model: %s", exc)
            self.clear()
            return
        if event_type in ("kim_status_changed", "kim_activity_reported", "kim_post_published"):
            self.kim_changed(data.kim_id, data.village_code, counts=event_type == "kim_status_changed")
        else:  # a whole record: registered, updated (perhaps moved) or re-emitted
            self.kim_changed(data.id, data.village_code, counts=event_type != "kim_updated",
                             may_have_moved=event_type != "kim_registered")


class RegistryEvents:
    """Consumes the registry's events on a queue of this gateway process
    (exclusive, auto-delete: a fresh process starts with an empty model) and
    applies them to the read model. Reconnects after a lost connection, waiting
    `retry_seconds`, doubled after each failed attempt up to `max_retry_seconds`
    (every failed attempt is an error in aiormq's log); the model serves nothing
    while disconnected."""

    def __init__(self, amqp_uri: str, model: ReadModel, retry_seconds: float = 0.5,
                 max_retry_seconds: float = 10.0):
        self.amqp_uri = amqp_uri
        self.addresses = Addresses(amqp_uri)
        self.model = model
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        self._task: asyncio.Task | None = None
        self._closing = False
        self._queue_name = f"gateway-readmodel-{uuid.uuid4().hex}"
        self.connection: aio_pika.abc.AbstractConnection | None = None  # the current one

    def start(self):
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self):
        """Stop consuming. Python 3.11's `asyncio.wait_for` can swallow a cancellation that arrives as
        the connection attempt it wraps ends (gh-86296): the task would then retry for ever and the
        gateway never finish shutting down (a test hung so with an unreachable broker). So the loop
        also stops on `_closing`, and the cancellation is repeated until the task has ended."""
        self._closing = True
        while self._task is not None and not self._task.done():
            self._task.cancel()
            await asyncio.wait({self._task}, timeout=1)
        self.model.disconnected()

    async def _run(self):
        failures = 0
        while not self._closing:
            try:
                await self._consume()
                failures = 0
                log.warning("lost the registry's events; the read model is bypassed until they are back")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if not failures:
                    log.warning("cannot consume the registry's events: %r", exc)
                failures += 1
            finally:
                self.model.disconnected()
            await asyncio.sleep(min(self.retry_seconds * 2 ** max(failures - 1, 0), self.max_retry_seconds))

    async def _consume(self):
        """Consume until the connection or the channel is lost."""
        lost = asyncio.Event()
        connection = self.connection = await self.addresses.connect(timeout=10)

        def lose(*_):
            # at once, not when this task runs next: nothing is served from the moment events may be missed
            if self.connection is connection:
                self.model.disconnected()
            lost.set()
        try:
            connection.close_callbacks.add(lose)
            channel = await connection.channel()
            channel.close_callbacks.add(lose)
            exchange = await channel.declare_exchange(REGISTRY_EVENTS, aio_pika.ExchangeType.TOPIC, durable=True)
            queue = await channel.declare_queue(self._queue_name, exclusive=True, auto_delete=True)
            for event_type in EVENTS:
                await queue.bind(exchange, routing_key=event_type)
            await queue.consume(self._on_event, no_ack=True)
            self.model.connected()
            log.info("consuming the registry's events for the read model")
            await lost.wait()
        finally:
            with contextlib.suppress(Exception):  # already broken; nothing to save
                await asyncio.wait_for(connection.close(), 2)

    async def _on_event(self, message: AbstractIncomingMessage):
        try:
            envelope = json.loads(message.body)
        except ValueError:
            self.model.clear()
            return
        self.model.apply(message.routing_key or "", envelope)
