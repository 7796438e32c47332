"""The broker as the platform sees it: one or several addresses of a RabbitMQ
cluster, and the type and arguments of the queues that hold accepted work.

Addresses: AMQP_URI holds one URL or several, separated by `;` (kombu's own
form) or `,` before the next `amqp://` / `amqps://`. Each is a whole URL (its
own user, password and virtual host). Clients try them in turn: the nameko
services through kombu's failover, the gateway one after the other.

Queues: every durable queue the platform declares (commands such as the intake,
RPC requests, events, delayed retries, dead letters) is a quorum queue unless
KIM_QUEUE_TYPE=classic, so it survives the loss of a minority of the cluster's
nodes. Exclusive reply and read-model queues stay classic (a quorum queue
cannot be exclusive); they die with their connection and are made again.
"""
import logging
import re
from typing import Any

import kombu

log = logging.getLogger(__name__)

QUORUM, CLASSIC = "quorum", "classic"
QUEUE_TYPES = (QUORUM, CLASSIC)
RUNBOOK = "docs/operations.md, 'Queues: classic to quorum'"

_SEPARATOR = re.compile(r";|,(?=\s*amqps?://)")
_SCHEMES = ("amqp://", "amqps://")
# RabbitMQ compares the arguments in its own order: a classic queue may first differ in x-overflow
_MISMATCH = re.compile(r"inequivalent arg '([^']*)' for queue '([^']*)' in vhost '([^']*)'")


def addresses(value: str) -> list[str]:
    """The broker URLs in AMQP_URI, in order. A comma inside a URL (a
    password's) stays; a `;` inside one must be percent-encoded (%3B)."""
    found = [part.strip() for part in _SEPARATOR.split(value or "")]
    found = [part for part in found if part]
    if not found:
        raise ValueError("AMQP_URI names no broker")
    for url in found:
        if not url.startswith(_SCHEMES) or len(url) == url.find("://") + 3:
            raise ValueError("every address in AMQP_URI is an amqp:// or amqps:// URL")
    return found


def kombu_uri(value: str) -> str:
    """The addresses in kombu's failover form (`;`-separated)."""
    return ";".join(addresses(value))


def durable_arguments(queue_type: str) -> dict:
    """Declaration arguments of a durable queue of accepted work."""
    if queue_type not in QUEUE_TYPES:
        raise ValueError(f"unknown queue type {queue_type!r}, expected one of {QUEUE_TYPES}")
    return {"x-queue-type": QUORUM} if queue_type == QUORUM else {}


def delay_arguments(queue_type: str, delay_ms: int) -> dict:
    """A delayed-retry queue: messages wait `delay_ms`, then RabbitMQ sends them
    through the default exchange back to the queue named by their routing key.
    On a quorum queue that dead-lettering is at-least-once (RabbitMQ 3.10+;
    it needs `reject-publish` overflow), so a leader lost in between loses nothing."""
    arguments = {**durable_arguments(queue_type), "x-message-ttl": delay_ms, "x-dead-letter-exchange": ""}
    if queue_type == QUORUM:
        arguments.update({"x-dead-letter-strategy": "at-least-once", "x-overflow": "reject-publish"})
    return arguments


def use_queue_type(queue: Any, queue_type: str) -> Any:
    """Give a durable kombu.Queue (a nameko entrypoint's) the platform's type."""
    queue.queue_arguments = {**(queue.queue_arguments or {}), **durable_arguments(queue_type)}
    return queue


def connect(amqp_uri: str, rounds: int = 3, **options) -> kombu.Connection:
    """A connected kombu connection to the first address that answers (kombu's
    own `connect()` tries two addresses at most), trying every address `rounds`
    times: a broker saturated by a burst of connections times out once and
    answers the next time, and a service's start should not fail on that."""
    connection = kombu.Connection(kombu_uri(amqp_uri), **options)
    try:
        connection.ensure_connection(max_retries=rounds * max(len(connection.alt), 1) - 1,
                                     interval_start=0, interval_step=0, interval_max=0)
    except Exception:
        connection.release()
        raise
    return connection


def queue_type_mismatch(error: BaseException) -> str | None:
    """When the broker refused a declaration because the queue exists with
    other arguments (406 PRECONDITION_FAILED: an older release's classic queue,
    or one of the other KIM_QUEUE_TYPE), the line that says what to do."""
    match = _MISMATCH.search(str(error))
    if match is None:
        return None
    argument, queue, vhost = match.groups()
    return (f"queue {queue!r} in virtual host {vhost!r} exists with another type or arguments ({argument}) "
            f"than this release declares; RabbitMQ cannot change them in place. Migrate it (see {RUNBOOK}) "
            f"or set KIM_QUEUE_TYPE to the type the broker holds")


class QueueTypeMismatch(RuntimeError):
    """A queue exists with another type: retrying cannot help, so the process stops."""


def log_queue_type_mismatch(error: BaseException) -> bool:
    """Log the migration line if `error` is a queue type mismatch; whether it was."""
    line = queue_type_mismatch(error)
    if line is not None:
        log.error(line)
    return line is not None


def refuse_queue_type_mismatch(error: BaseException):
    """Raise QueueTypeMismatch (after the line that says what to do) if `error` is one."""
    if log_queue_type_mismatch(error):
        raise QueueTypeMismatch(queue_type_mismatch(error)) from error
