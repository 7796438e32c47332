"""The gateway's connections to the broker: AMQP_URI's addresses (one, or a
cluster's nodes; see services/common/broker.py) tried in turn, starting from
the one that answered last, so a dead node costs one refused attempt."""
import asyncio
import logging
from urllib.parse import urlsplit

import aio_pika

from services.common import broker

log = logging.getLogger(__name__)


def _where(url: str) -> str:
    """host:port of an address, for logs (never its password)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or (5671 if parts.scheme == 'amqps' else 5672)}"


class Addresses:
    def __init__(self, amqp_uri: str):
        self.urls = broker.addresses(amqp_uri)
        self._first = 0  # the one that answered last

    async def connect(self, timeout: float) -> aio_pika.abc.AbstractConnection:
        """A connection to the first address that answers; each gets an equal
        share of `timeout`, so one that hangs cannot spend the others' time."""
        share = timeout / len(self.urls)
        error: BaseException = ConnectionError("no broker address")
        for step in range(len(self.urls)):
            index = (self._first + step) % len(self.urls)
            try:
                connection = await asyncio.wait_for(aio_pika.connect(self.urls[index], timeout=share), share)
            except Exception as exc:
                if len(self.urls) > 1:
                    log.warning("broker at %s does not answer: %r", _where(self.urls[index]), exc)
                error = exc
                continue
            self._first = index
            return connection
        raise error
