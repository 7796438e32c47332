"""nameko entrypoints that settle the database before answering, and event
handlers that retry with back-off and then dead-letter.

Use `rpc` and `event_handler` from here instead of nameko's own;
`batch_event_handler` and `batch_command_consumer` hand their method a list
of messages (up to KIM_EVENT_BATCH_SIZE) applied in one transaction.
"""
import json
import logging
import threading
from contextlib import contextmanager
from functools import partial
from typing import Any

import eventlet
import kombu
from eventlet.event import Event
from eventlet.queue import Empty, LightQueue
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    SERIALIZER_CONFIG_KEY,
)
from nameko.containers import WorkerContext
from nameko.events import SERVICE_POOL
from nameko.events import EventHandler as NamekoEventHandler
from nameko.extensions import SharedExtension
from nameko.messaging import Consumer as NamekoConsumer
from nameko.messaging import QueueConsumer as NamekoQueueConsumer
from nameko.rpc import Responder, get_rpc_exchange
from nameko.rpc import Rpc as NamekoRpc
from nameko.rpc import RpcConsumer as NamekoRpcConsumer
from nameko.timer import Timer as NameKoTimer

from services.common import broker, deadletters, metrics
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.errors import DomainError, Unprocessable
from services.common.settings import SETTINGS_KEY

log = logging.getLogger(__name__)


def settle_unit_of_work(worker_ctx, exc_info):
    """Commit or roll back every database session of the worker; returns the
    worker's error, which is the commit's error when the commit failed."""
    for provider in worker_ctx.container.dependencies:
        settle = getattr(provider, "settle", None)
        if settle is not None:
            exc_info = settle(worker_ctx, exc_info)
    return exc_info


class QueueConsumer(NamekoQueueConsumer):
    """nameko's queue consumer, except that an ack or requeue on a connection
    the broker dropped is not fatal. nameko catches only amqp's own
    ConnectionError there; the socket's ConnectionResetError or BrokenPipeError
    killed the worker thread, so the container, so the process. The broker
    redelivers an unacknowledged message once the consumer has reconnected,
    and the idempotent consumer ignores the repeat."""

    @contextmanager
    def establish_connection(self):
        # kombu waits 2, 4, 6 ... up to 30 s between attempts; a broker that is back
        # should be found within a second or two
        with self.create_connection() as conn:
            conn.ensure_connection(self.on_connection_error, self.connect_max_retries,
                                   interval_start=0.5, interval_step=0.5, interval_max=5)
            self._consuming_on = conn
            yield conn

    def consume(self, *args, **kwargs):
        try:
            yield from super().consume(*args, **kwargs)
        except EOFError as exc:
            # eventlet's word for a socket closed under the reader: a lost connection, which
            # kombu's loop reconnects (an EOFError would end the consumer, so the service)
            raise ConnectionResetError("the connection to the broker was closed") from exc

    def get_consumers(self, consumer_cls, channel):
        try:
            return super().get_consumers(consumer_cls, channel)
        except Exception as exc:
            # a queue of an older release's type: say what to do and stop (kombu would retry forever)
            broker.refuse_queue_type_mismatch(exc)
            raise

    def ack_message(self, message):
        self._settle_message(message, "ack")

    def requeue_message(self, message):
        self._settle_message(message, "requeue")

    def _settle_message(self, message, verb):
        if not message.channel.connection:
            return  # the broker has reclaimed it already
        try:
            getattr(message, verb)()
        except Exception as exc:
            log.warning("cannot %s a message on a lost connection; the broker redelivers it: %r", verb, exc)
            self._wake_consumer(message.channel.connection)

    def _wake_consumer(self, lost):
        """When a worker met the lost connection first, the consumer's own read
        on it could wait for ever (seen under eventlet with a cluster node
        SIGKILLed: neither the reset nor the read's timeout woke it). Raise the
        loss in the consumer's thread, once per connection: kombu's loop then
        reconnects, to the next address."""
        current, thread = getattr(self, "_consuming_on", None), getattr(self, "_gt", None)
        if current is None or thread is None or getattr(current, "_connection", None) is not lost:
            return  # the consumer has moved on to another connection already
        self._consuming_on = None
        thread.kill(ConnectionResetError("a worker found the connection to the broker lost"))


class ReplyPublisher(Publisher):
    """Replies go to the caller's own transient queue without publisher
    confirms: waiting for one was a broker round trip per call that changes no
    outcome (a reply lost with the broker is the caller's timeout either way)."""

    use_confirms = False


class ReplyResponder(Responder):
    publisher_cls = ReplyPublisher


class RpcConsumer(NamekoRpcConsumer):
    """nameko's RPC consumer on the guarded queue consumer; a reply that cannot
    be sent (the broker is away) is logged, not fatal: the caller has timed
    out with a 503 by then. The request is acked all the same, since its work
    is committed (a lost connection redelivers it; its expiry, the caller's
    timeout, drops it then)."""

    queue_consumer = QueueConsumer()

    def setup(self):
        super().setup()
        # the service's RPC requests are commands too (a write the caller waits for): replicated
        broker.use_queue_type(self.queue, self.container.config[SETTINGS_KEY].queue_type)

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        try:
            # nameko's own handle_result, with the unconfirmed reply
            responder = ReplyResponder(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                                       config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
                                       ssl=config.get(AMQP_SSL_CONFIG_KEY),
                                       login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
            result, exc_info = responder.send_response(result, exc_info)
            self.queue_consumer.ack_message(message)
            return result, exc_info
        except Exception as exc:
            log.warning("cannot send an RPC reply, the broker is unreachable: %r", exc)
            self.queue_consumer.ack_message(message)
            return result, exc_info


class Rpc(NamekoRpc):
    rpc_consumer = RpcConsumer()

    def __init__(self, expected_exceptions=DomainError, **kwargs):
        # domain errors are answers, not incidents: logged as warnings
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)

    def handle_result(self, message, worker_ctx, result, exc_info):
        exc_info = settle_unit_of_work(worker_ctx, exc_info)
        if exc_info is not None:
            result = None
        return super().handle_result(message, worker_ctx, result, exc_info)


rpc = Rpc.decorator


class RetryPolicy(SharedExtension):
    """Per service: declares the retry and dead-letter queues, republishes
    failed events with confirms, and keeps the dead-letter gauge current."""

    def setup(self):
        self.settings = self.container.config[SETTINGS_KEY]
        self.service = self.container.service_name
        self.delays = self.settings.retry_delay_seconds
        self.publisher = ConfirmedPublisher(self.settings.amqp_uri)
        self._running = False
        deadletters.declare_topology(self.settings.amqp_uri, self.service, self.delays, self.settings.queue_type)

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._watch_dead_letters, identifier="dead_letter_gauge")

    def stop(self):
        self._running = False
        self.publisher.close()

    def kill(self):
        self.stop()

    def _watch_dead_letters(self):
        while self._running:
            try:
                count = deadletters.dead_letter_count(self.settings.amqp_uri, self.service)
                metrics.DEAD_LETTERS.labels(self.service).set(count)
            except Exception as exc:
                log.warning("cannot read dead-letter depth: %s", exc)
            eventlet.sleep(10)

    def reschedule(self, handler, message, exc_info):
        """Send a failed event to its next delayed retry, or to the dead letters."""
        headers = dict(message.headers or {})
        retries = int(headers.get(deadletters.RETRIES_HEADER, 0))
        queue_name = handler.queue.name
        if retries < len(self.delays) and not isinstance(exc_info[1], Unprocessable):
            headers[deadletters.RETRIES_HEADER] = retries + 1
            exchange = deadletters.retry_name(self.service, self.delays[retries])
            target = OutgoingMessage(exchange=exchange, routing_key=queue_name, body=message.body,
                                     headers=headers, content_type=message.content_type)
            metrics.EVENTS_RETRIED.labels(self.service, handler.method_name).inc()
            log.warning("event handler %s failed (attempt %d), retrying in %ss",
                        handler.method_name, retries + 1, self.delays[retries])
        else:
            headers[deadletters.ORIGINAL_QUEUE_HEADER] = queue_name
            headers[deadletters.ERROR_HEADER] = deadletters.error_reason(exc_info[1])
            target = OutgoingMessage(exchange="", routing_key=deadletters.dead_letter_queue(self.service),
                                     body=message.body, headers=headers, content_type=message.content_type)
            metrics.EVENTS_DEAD_LETTERED.labels(self.service, handler.method_name).inc()
            log.error("event handler %s failed %d times; event moved to %s",
                      handler.method_name, retries + 1, deadletters.dead_letter_queue(self.service))
        self.publisher.publish([target])


def reschedule(entrypoint, message, exc_info):
    """A failed message to its delayed retry (or, after the last, the dead letters), then acked;
    when the broker is in trouble, left where it is (requeued) instead."""
    try:
        entrypoint.retry_policy.reschedule(entrypoint, message, exc_info)
    except Exception as exc:
        log.error("cannot reschedule failed message, requeueing it: %s", exc)
        eventlet.sleep(1)
        entrypoint.queue_consumer.requeue_message(message)
        return
    entrypoint.queue_consumer.ack_message(message)


class Retrying:
    """For consuming entrypoints: settle the database, then ack; on failure
    reschedule (delayed retry or dead letter) before acking."""

    retry_policy = RetryPolicy()
    queue_consumer = QueueConsumer()

    def setup(self):
        super().setup()
        broker.use_queue_type(self.queue, self.container.config[SETTINGS_KEY].queue_type)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        exc_info = settle_unit_of_work(worker_ctx, exc_info)
        service = self.container.service_name
        event_type = _event_type(worker_ctx)
        if exc_info is None:
            metrics.EVENTS_CONSUMED.labels(service, self.method_name, event_type).inc()
            self.queue_consumer.ack_message(message)
            return result, exc_info
        metrics.EVENTS_FAILED.labels(service, self.method_name, event_type).inc()
        reschedule(self, message, exc_info)
        return result, exc_info


class EventHandler(Retrying, NamekoEventHandler):
    """A nameko event handler whose failures are retried with back-off and
    finally dead-lettered, never lost and never spinning."""

    def __init__(self, source_service, event_type, handler_type=SERVICE_POOL, **kwargs):
        kwargs.pop("requeue_on_error", None)
        super().__init__(source_service, event_type, handler_type=handler_type,
                         reliable_delivery=True, requeue_on_error=False, **kwargs)


class CommandConsumer(Retrying, NamekoConsumer):
    """Consumes a durable queue of commands (e.g. submissions the gateway
    accepted while the service was down), with the same retries."""

    def __init__(self, queue_name: str, **kwargs):
        queue = kombu.Queue(queue_name, exchange=kombu.Exchange(queue_name, "direct", durable=True),
                            routing_key=queue_name, durable=True)
        super().__init__(queue=queue, requeue_on_error=False, **kwargs)


command_consumer = CommandConsumer.decorator
event_handler = EventHandler.decorator


class BatchQueueConsumer(QueueConsumer):
    """The guarded queue consumer of the batching entrypoints: a connection and
    channel of its own, whose prefetch holds two batches (one being applied,
    the next one arriving), and which hands each message straight to its
    entrypoint's buffer instead of spawning a thread per message."""

    @property
    def prefetch_count(self):
        return 2 * self.container.config[SETTINGS_KEY].event_batch_size

    def setup(self):
        super().setup()
        self._channel = None
        self._unsettled: set[int] = set()  # delivery tags of that channel, not yet acked or requeued

    def handle_message(self, provider, body, message):
        if message.channel is not self._channel:  # a new connection: the old tags mean nothing now
            self._channel, self._unsettled = message.channel, set()
        self._unsettled.add(message.delivery_tag)
        provider.handle_message(body, message)

    def ack_message(self, message):
        self._settled(message.channel, [message.delivery_tag])
        super().ack_message(message)

    def requeue_message(self, message):
        self._settled(message.channel, [message.delivery_tag])
        super().requeue_message(message)

    def _settled(self, channel, tags):
        if channel is self._channel:
            self._unsettled.difference_update(tags)

    def ack_messages(self, messages: list):
        """Ack a batch: by one basic.ack of its highest tag with `multiple`
        when no other message of the channel up to that tag is unsettled (the
        usual case: one queue's messages, in order), else one by one."""
        channel = messages[0].channel
        tags = {m.delivery_tag for m in messages}
        highest = max(tags)
        if (len(messages) == 1 or channel is not self._channel or any(m.channel is not channel for m in messages)
                or any(tag <= highest and tag not in tags for tag in self._unsettled)):
            for message in messages:
                self.ack_message(message)
            return
        self._settled(channel, tags)
        if not channel.connection:
            return  # the broker has reclaimed them already
        try:
            channel.basic_ack(highest, multiple=True)
        except Exception as exc:
            log.warning("cannot ack messages on a lost connection; the broker redelivers them: %r", exc)


class Batching:
    """For consuming entrypoints: messages are buffered as they arrive, and
    one worker at a time gets all that are waiting (up to the batch size) as
    a list, in arrival order. Nothing waits to fill a batch: a lone message is
    handled at once, and batches grow only while the previous one is applied.

    The worker's transaction is settled before any of its messages is acked
    (commit before ack). When a batch fails, its messages are handled again
    one at a time, each in its own transaction, so that only the one that
    fails is retried and dead-lettered (as `Retrying` does) while the others
    are applied; the handlers' idempotent claims make the repeat harmless."""

    retry_policy = RetryPolicy()
    queue_consumer = BatchQueueConsumer()
    container: Any  # from the nameko entrypoint this is mixed into
    method_name: str
    unpack_message_headers: Any

    def setup(self):
        super().setup()
        self.batch_size = self.container.config[SETTINGS_KEY].event_batch_size
        self._arrivals: LightQueue = LightQueue()
        self._stopping = False

    def start(self):
        super().start()
        self.container.spawn_managed_thread(
            self._dispatch_forever, identifier=f"{self.method_name}.batches")

    def stop(self):
        # what is buffered and not yet handed out stays unacked: the broker delivers it again
        self._stopping = True
        super().stop()

    def handle_message(self, body, message):
        self._arrivals.put((body, message))

    def _dispatch_forever(self):
        while not self._stopping:
            batch = [self._arrivals.get()]
            while len(batch) < self.batch_size:
                try:
                    batch.append(self._arrivals.get_nowait())
                except Empty:
                    break
            if self._stopping:
                return
            if not self._handle(batch) and len(batch) > 1:
                log.warning("a batch of %d for %s failed; handling its messages one at a time",
                            len(batch), self.method_name)
                for item in batch:
                    self._handle([item])

    def _handle(self, batch: list) -> bool:
        """Run one worker over the batch and wait for it; False when it failed
        and its messages (more than one) are left to be handled one by one."""
        messages = [message for _, message in batch]
        done = Event()
        context = self.unpack_message_headers(messages[0])
        if any((m.headers or {}).get("nameko.correlation_id") != context.get("correlation_id")
               for m in messages[1:]):
            context.pop("correlation_id", None)  # a batch of many requests has no single one
        try:
            self.container.spawn_worker(
                self, ([body for body, _ in batch],), {}, context_data=context,
                handle_result=partial(self._batch_result, messages, done))
        except Exception as exc:  # the container is being killed
            log.warning("cannot start a worker for %d messages, requeueing them: %r", len(messages), exc)
            for message in messages:
                self.queue_consumer.requeue_message(message)
            return True
        return done.wait()

    def _batch_result(self, messages: list, done: Event, worker_ctx: WorkerContext, result=None,
                      exc_info=None):
        succeeded = True
        try:
            exc_info = settle_unit_of_work(worker_ctx, exc_info)
            service = self.container.service_name
            event_type = _event_type(worker_ctx)
            if exc_info is None:
                metrics.EVENTS_CONSUMED.labels(service, self.method_name, event_type).inc(len(messages))
                metrics.EVENT_BATCH_SIZE.labels(service, self.method_name).observe(len(messages))
                self.queue_consumer.ack_messages(messages)
            elif len(messages) > 1:
                succeeded = False
            else:
                metrics.EVENTS_FAILED.labels(service, self.method_name, event_type).inc()
                reschedule(self, messages[0], exc_info)
        finally:
            done.send(succeeded)
        return result, exc_info



class BatchEventHandler(Batching, EventHandler):
    """An event handler whose method takes a list of envelopes of its event type."""


class BatchCommandConsumer(Batching, CommandConsumer):
    """A command consumer whose method takes a list of commands."""


batch_event_handler = BatchEventHandler.decorator
batch_command_consumer = BatchCommandConsumer.decorator


def _event_type(worker_ctx) -> str:
    payload = worker_ctx.args[0] if worker_ctx.args else None
    if isinstance(payload, list):  # a batch: its first message's
        payload = payload[0] if payload else None
    if isinstance(payload, dict):
        return str(payload.get("type", "unknown"))
    if isinstance(payload, (str, bytes)):
        try:
            return str(json.loads(payload).get("type", "unknown"))
        except Exception:
            return "unknown"
    return "unknown"


class Timer(NameKoTimer):
    """nameko's timer with its interval read from the service's settings
    (an attribute name), so tests and operators can change it.

    A timer with `wake_on` does not poll at its interval while it has nothing to do. It runs at
    start; again as soon as a worker of its service commits work for it
    (`services.common.dependencies.wake_after_commit`); and when its method returns the seconds
    until its next known work (at that time, no sooner than its interval). Otherwise it looks
    every `KIM_IDLE_CHECK_SECONDS` for work it was not told of: another instance's, or work a
    crash left behind. An idle platform spent most of its CPU on half-second polls."""

    def __init__(self, interval_setting: str, wake_on: str | None = None, **kwargs):
        self.interval_setting = interval_setting
        self.wake_on = wake_on
        super().__init__(interval=0, eager=wake_on is not None, **kwargs)

    def setup(self):
        settings = self.container.config[SETTINGS_KEY]
        self.interval = getattr(settings, self.interval_setting)
        self.idle_interval = max(self.interval, settings.idle_check_seconds)
        self._woken = threading.Event()
        self._next: float | None = None
        super().setup()

    def wake(self):
        self._woken.set()

    def stop(self):
        self.should_stop.send(True)  # before the wake: a woken loop sees it and ends
        self._woken.set()
        self.gt.wait()

    def _run(self):
        if self.wake_on is None:
            return super()._run()
        while not self.should_stop.ready():
            self.handle_timer_tick()
            self.worker_complete.wait()
            self.worker_complete.reset()
            # a wake during the run is kept by the event: nothing committed for it is missed
            delay = self.idle_interval if self._next is None else min(max(self._next, self.interval),
                                                                       self.idle_interval)
            self._woken.wait(delay)
            self._woken.clear()

    def handle_result(self, worker_ctx, result, exc_info):
        if exc_info is not None:
            self._next = 0.0  # a failure is tried again at the interval, as before
        elif isinstance(result, (int, float)) and not isinstance(result, bool):
            self._next = float(result)
        else:
            self._next = None
        return super().handle_result(worker_ctx, result, exc_info)


timer = Timer.decorator


def wake_timers(container, name: str):
    """Run now the container's timers that wait on `name`."""
    for entrypoint in container.entrypoints:
        if isinstance(entrypoint, Timer) and entrypoint.wake_on == name:
            entrypoint.wake()
