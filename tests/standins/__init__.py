"""Local servers that speak the documented HTTP APIs of the clouds the tests cannot reach
(Telegram's Bot API, WhatsApp's Cloud API), their limits and signatures included.

Each is a threaded HTTP server on a free 127.0.0.1 port: `.url`, `.close()`, a context manager.
Limits are counted on a clock the test may hold still (`Clock`), so "the 31st message in one second"
is the 31st, however slow the machine."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Clock:
    """A clock for the stand-ins' limits: the real one, or one that moves only when told (`advance`)."""

    def __init__(self, start: float | None = None):
        self._now = start
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return time.monotonic() if self._now is None else self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            if self._now is None:
                raise RuntimeError("the real clock cannot be moved")
            self._now += seconds


Answer = tuple[int, dict[str, Any]]


class StandIn:
    """A threaded local HTTP server; subclasses answer in `handle(method, path, headers, body)`."""

    def __init__(self) -> None:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms wait between

            def _serve(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status, answer = stand_in.handle(self.command, self.path, dict(self.headers), body)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        raise NotImplementedError

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):  # noqa: ANN204 (the subclass)
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WebhookReceiver(StandIn):
    """Our side of a webhook, for the stand-ins' own tests: records each POST (headers, raw body)
    and answers `status` (200 by default)."""

    def __init__(self, status: int = 200):
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        self._arrived = threading.Condition()
        super().__init__()

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        with self._arrived:
            self.received.append(({name.lower(): value for name, value in headers.items()}, body))
            self._arrived.notify_all()
        return self.status, {}

    def wait_for(self, count: int, timeout: float = 30) -> list[tuple[dict[str, str], bytes]]:
        """The first `count` requests, once they have come (AssertionError after `timeout`)."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.received) >= count, timeout):
                raise AssertionError(f"{len(self.received)} webhook calls arrived, {count} expected")
            return list(self.received[:count])


def sliding_count(times: list[float], now: float, window: float) -> int:
    """Drop the times older than `window` from `times` (oldest first); how many remain."""
    while times and times[0] <= now - window:
        times.pop(0)
    return len(times)

