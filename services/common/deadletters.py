"""Delayed retries and the dead-letter queue of a service.

A failing event is republished to `<service>.retry.<delay>ms` (a fanout
exchange and a queue whose TTL is that delay and whose dead-letter exchange
is the default exchange); when the TTL expires RabbitMQ routes it back to
the handler's own queue, because the message was published with the
handler's queue name as routing key. After the last delay the event goes to
`<service>.dead-letters`, where it stays until replayed.

Command line:  python -m services.common.deadletters count|replay SERVICE [--limit N]
"""
import argparse
import json
import logging
import sys

import kombu

from services.common import broker
from services.common.bus import ConfirmedPublisher, OutgoingMessage
from services.common.errors import DomainError

log = logging.getLogger(__name__)

RETRIES_HEADER = "x-kim-retries"
ORIGINAL_QUEUE_HEADER = "x-kim-original-queue"
ERROR_HEADER = "x-kim-error"


def error_reason(exc: BaseException) -> str:
    """What a dead letter says about why it failed: a domain error's own
    reason, else only the error's type, since an exception's text may quote
    the message's personal data (a database error quotes its parameters)."""
    if isinstance(exc, DomainError):
        return f"{type(exc).__name__}: {exc.detail}"[:1000]
    return f"{type(exc).__module__}.{type(exc).__qualname__}"


def retry_name(service: str, delay_seconds: float) -> str:
    return f"{service}.retry.{int(round(delay_seconds * 1000))}ms"


def dead_letter_queue(service: str) -> str:
    return f"{service}.dead-letters"


def declare_topology(amqp_uri: str, service: str, delays: list[float], queue_type: str = broker.QUORUM):
    """Declare the retry exchanges/queues and the dead-letter queue (idempotent),
    of `queue_type` (see services/common/broker.py)."""
    # patient: a service starting beside many others waits for a busy broker rather than exit and restart
    with broker.connect(amqp_uri, connect_timeout=15) as conn:
        channel = conn.channel()
        try:
            for delay in delays:
                name = retry_name(service, delay)
                exchange = kombu.Exchange(name, type="fanout", durable=True)
                queue = kombu.Queue(name, exchange=exchange, durable=True,
                                    queue_arguments=broker.delay_arguments(queue_type, int(round(delay * 1000))))
                queue(channel).declare()
            kombu.Queue(dead_letter_queue(service), exchange=None, durable=True,
                        queue_arguments=broker.durable_arguments(queue_type))(channel).declare()
        except Exception as exc:
            broker.refuse_queue_type_mismatch(exc)
            raise


def dead_letter_count(amqp_uri: str, service: str) -> int:
    # a busy broker may answer late; nothing here is in a hurry
    with broker.connect(amqp_uri, connect_timeout=15) as conn:
        queue = kombu.Queue(dead_letter_queue(service), durable=True)(conn.channel())
        _, count, _ = queue.queue_declare(passive=True)
        return count


def replay(amqp_uri: str, service: str, publisher: ConfirmedPublisher, limit: int | None = None) -> int:
    """Send dead letters back to the queue they failed on, with a fresh retry
    budget. Each is acked in the dead-letter queue only after the broker
    confirmed the republish, so a crash in between repeats, never loses."""
    replayed = 0
    # a busy broker may answer late; nothing here is in a hurry
    with broker.connect(amqp_uri, connect_timeout=15) as conn:
        queue = kombu.Queue(dead_letter_queue(service), durable=True)(conn.channel())
        while limit is None or replayed < limit:
            message = queue.get(no_ack=False, accept=["json", "application/json"])
            if message is None:
                break
            headers = dict(message.headers or {})
            target = headers.get(ORIGINAL_QUEUE_HEADER)
            if not target:
                log.error("dead letter without %s header left in place", ORIGINAL_QUEUE_HEADER)
                message.reject(requeue=True)
                break
            headers[RETRIES_HEADER] = 0
            headers["x-kim-replays"] = int(headers.get("x-kim-replays", 0)) + 1
            headers.pop(ERROR_HEADER, None)
            publisher.publish([OutgoingMessage(exchange="", routing_key=target, body=message.body,
                                               headers=headers,
                                               content_type=message.content_type or "application/json")])
            message.ack()
            replayed += 1
    return replayed


def main(argv=None):
    from services.common.settings import CommonSettings

    parser = argparse.ArgumentParser(description="Dead letters of a KIM service")
    parser.add_argument("action", choices=["count", "replay"])
    parser.add_argument("service", choices=["registry", "broadcast", "aspirations"])
    parser.add_argument("--limit", type=int)
    args = parser.parse_args(argv)
    settings = CommonSettings()
    if args.action == "count":
        print(json.dumps({"service": args.service, "dead_letters": dead_letter_count(settings.amqp_uri, args.service)}))
        return 0
    publisher = ConfirmedPublisher(settings.amqp_uri)
    try:
        count = replay(settings.amqp_uri, args.service, publisher, args.limit)
    finally:
        publisher.close()
    print(json.dumps({"service": args.service, "replayed": count}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
