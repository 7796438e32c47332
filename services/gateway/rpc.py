"""A non-blocking nameko RPC client for asyncio: one connection, one reply
queue, one future per call keyed by correlation id.

Speaks nameko's wire format (exchange `nameko-rpc`, routing key
`<service>.<method>`, body `{"args", "kwargs"}`, reply `{"result", "error"}`).
Every call has a timeout; the request message expires with it, so a call
the client gave up on is not run later. A broker that is down, a service
with no queue and a service that does not answer all become
`ServiceUnavailable` (503).
"""
import asyncio
import contextlib
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import aio_pika
from aio_pika.abc import AbstractIncomingMessage

from services.common import broker
from services.gateway.broker import Addresses
from services.gateway.problems import REMOTE_ERROR_STATUS, Problem, remote_error_to_problem

log = logging.getLogger(__name__)

RPC_EXCHANGE = "nameko-rpc"


class ServiceUnavailable(Problem):
    def __init__(self, service: str, reason: str, reason_en: str):
        super().__init__(503, f"Layanan {service} tidak tersedia: {reason}.",
                         f"The {service} service is unavailable: {reason_en}.",
                         headers={"Retry-After": "5"}, service=service)


@dataclass
class _Link:
    """One connection to the broker with what the client declared on it."""
    connection: aio_pika.abc.AbstractConnection
    channel: aio_pika.abc.AbstractChannel
    exchange: aio_pika.abc.AbstractExchange
    reply_queue: aio_pika.abc.AbstractQueue
    command_exchanges: dict = field(default_factory=dict)

    @property
    def usable(self) -> bool:
        return not self.connection.is_closed and not self.channel.is_closed


class RpcClient:
    def __init__(self, amqp_uri: str, timeout: float, queue_type: str = broker.QUORUM):
        self.amqp_uri = amqp_uri
        self.addresses = Addresses(amqp_uri)
        self.timeout = timeout
        self.command_queue_arguments = broker.durable_arguments(queue_type)
        self._link: _Link | None = None
        self._futures: dict[str, asyncio.Future] = {}
        self._lock = asyncio.Lock()
        self._client_id = uuid.uuid4().hex
        self._retry_at = 0.0

    async def _connected(self) -> _Link:
        link = self._link
        if link is not None and link.usable:
            return link
        try:
            # bounded as a whole, the wait for the lock included: never longer than a call
            return await asyncio.wait_for(self._connect(), self.timeout)
        except Exception as exc:
            raise ServiceUnavailable("broker", "pialang pesan tidak dapat dihubungi",
                                     "the message broker cannot be reached") from exc

    async def _connect(self) -> _Link:
        async with self._lock:
            if self._link is not None and self._link.usable:
                return self._link
            await self._discard(self._link)
            loop = asyncio.get_running_loop()
            # while the broker is away, the requests of the next second share one failed attempt
            if loop.time() < self._retry_at:
                raise ConnectionError("the last connection attempt failed a moment ago")
            connection = None
            try:
                # a plain connection, made again here after any loss, so the first call after
                # the broker is back reconnects (aio-pika's robust connection retries by itself
                # and logs every attempt as an error)
                connection = await self.addresses.connect(self.timeout)
                channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
                exchange = await channel.declare_exchange(RPC_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
                queue = await channel.declare_queue(
                    f"rpc.reply-gateway-{self._client_id}", exclusive=True, auto_delete=True)
                await queue.bind(exchange, routing_key=queue.name)
                await queue.consume(self._on_reply, no_ack=True)
            except Exception as exc:
                log.warning("cannot connect to the broker: %r", exc)
                self._retry_at = loop.time() + 1.0
                if connection is not None:
                    await _close(connection)
                raise
            connection.close_callbacks.add(self._on_connection_lost)
            self._link = _Link(connection, channel, exchange, queue)
            self._retry_at = 0.0
            return self._link

    def _on_connection_lost(self, _connection, exc=None):
        # the reply queue went with the connection: no waiting call will be answered
        log.warning("lost the connection to the broker: %r", exc)
        for future in self._futures.values():
            if not future.done():
                future.set_exception(ConnectionError("the connection to the broker was lost"))

    async def _discard(self, link: _Link | None):
        """Forget a broken link (only if it is still the current one) and close it."""
        if link is None:
            return
        if self._link is link:
            self._link = None
        await _close(link.connection)

    async def _on_reply(self, message: AbstractIncomingMessage):
        future = self._futures.pop(message.correlation_id or "", None)
        if future is not None and not future.done():
            try:
                future.set_result(json.loads(message.body))
            except ValueError as exc:
                future.set_exception(exc)

    async def call(self, service: str, method: str, *, correlation_id: str | None = None,
                   timeout: float | None = None, **kwargs):
        timeout = timeout or self.timeout
        link = await self._connected()
        call_id = uuid.uuid4().hex
        future = asyncio.get_running_loop().create_future()
        self._futures[call_id] = future
        headers: dict[str, Any] = {"nameko.call_id_stack": [f"gateway.{call_id}"]}
        if correlation_id:
            headers["nameko.correlation_id"] = correlation_id
        message = aio_pika.Message(
            json.dumps({"args": [], "kwargs": kwargs}).encode(),
            content_type="application/json", content_encoding="utf-8",
            correlation_id=call_id, reply_to=link.reply_queue.name,
            headers=headers, expiration=timeout,
        )
        try:
            try:
                # the timeout is aiormq's own (no task and timer of wait_for's per call)
                await link.exchange.publish(message, routing_key=f"{service}.{method}", mandatory=True,
                                            timeout=timeout)
            except aio_pika.exceptions.DeliveryError as exc:
                raise ServiceUnavailable(service, "layanan belum berjalan",
                                         "the service is not running") from exc
            except Exception as exc:
                await self._discard(link)
                raise ServiceUnavailable(service, "pesan tidak dapat dikirim",
                                         "the request could not be sent") from exc
            try:
                reply = await asyncio.wait_for(future, timeout)
            except TimeoutError as exc:
                raise ServiceUnavailable(service, f"tidak menjawab dalam {timeout:g} detik",
                                         f"no answer within {timeout:g} seconds") from exc
            except ConnectionError as exc:
                raise ServiceUnavailable(service, "hubungan ke pialang pesan terputus",
                                         "the connection to the message broker was lost") from exc
        finally:
            self._futures.pop(call_id, None)
        error = reply.get("error")
        if error:
            args = error.get("exc_args") or []
            detail = args[0] if args and isinstance(args[0], str) else error.get("value", "")
            extra = _extra(args[1]) if len(args) > 1 else {}
            if error.get("exc_type") not in REMOTE_ERROR_STATUS:
                # the type only: an error's text may quote what the request carried (a database error its values)
                log.error("%s.%s failed: %s", service, method, error.get("exc_type"))
            raise remote_error_to_problem(error.get("exc_type", ""), detail, extra)
        return reply.get("result")

    async def send_command(self, queue: str, body: dict, correlation_id: str | None = None):
        """Put a command on a durable queue (declared here too, so it holds
        messages even before its consumer ever ran) and return once the broker
        confirmed it: from then on it survives a broker restart."""
        link = await self._connected()
        try:
            exchange = link.command_exchanges.get(queue)
            if exchange is None:
                exchange = await link.channel.declare_exchange(queue, aio_pika.ExchangeType.DIRECT, durable=True)
                declared = await link.channel.declare_queue(queue, durable=True,
                                                            arguments=self.command_queue_arguments)
                await declared.bind(exchange, routing_key=queue)
                link.command_exchanges[queue] = exchange
            headers: dict[str, Any] = {"nameko.correlation_id": correlation_id} if correlation_id else {}
            message = aio_pika.Message(json.dumps(body).encode(), content_type="application/json",
                                       content_encoding="utf-8", headers=headers,
                                       delivery_mode=aio_pika.DeliveryMode.PERSISTENT, message_id=body.get("id"))
            # Concurrent requests share the link's one confirm-mode channel: each awaits its
            # own confirm while the others' are in flight (aiormq holds its lock only to
            # write the frames), and the timeout is aiormq's own (no task and timer per call).
            await exchange.publish(message, routing_key=queue, mandatory=True, timeout=self.timeout)
        except Exception as exc:
            broker.log_queue_type_mismatch(exc)
            await self._discard(link)
            raise ServiceUnavailable("broker", "pesan tidak dapat disimpan", "the message could not be stored") from exc

    async def close(self):
        await self._discard(self._link)


async def _close(connection):
    with contextlib.suppress(Exception):  # already broken; nothing to save
        await asyncio.wait_for(connection.close(), 2)


def _extra(value) -> dict:
    """A domain error's structured fields (a JSON string, see services/common/errors.py)."""
    if isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}
