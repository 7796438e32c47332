"""The webhook address rules and the push itself: only globally routable
addresses, checked again at every push and connected to as checked; one
total deadline per push; at most 64 KiB of an answer read."""
import ipaddress
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.broadcast.webhooks import check_webhook_url, is_public, push
from services.common.errors import InvalidInput


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://10.1.2.3/hook", "http://192.168.1.1/",
    "http://172.16.0.5/", "http://169.254.169.254/latest/meta-data", "http://[::1]/hook", "http://0.0.0.0/",
    "ftp://93.184.216.34/", "not a url", "http:///nohost",
    # shared address space (carrier-grade NAT) and deprecated site-local IPv6, accepted before
    "http://100.64.0.1/hook", "http://[fec0::1]/hook",
    # IPv4 inside IPv6: mapped, NAT64, 6to4
    "http://[::ffff:127.0.0.1]/", "http://[64:ff9b::7f00:1]/", "http://[64:ff9b::a00:1]/", "http://[2002:a00:1::1]/",
    "http://224.0.0.1/", "http://[ff0e::1]/",
])
def test_addresses_that_are_not_globally_routable_are_refused(url):
    with pytest.raises(InvalidInput):
        check_webhook_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["http://93.184.216.34:99999/hook", "http://93.184.216.34:0/", "http://h:x/"])
def test_a_port_out_of_range_is_a_field_error(url):
    with pytest.raises(InvalidInput) as refused:
        check_webhook_url(url, allow_private=True)
    assert refused.value.extra["errors"][0]["field"] == "url"


def test_public_addresses_pass_and_the_setting_allows_private_ones():
    check_webhook_url("https://93.184.216.34/kim-hook", allow_private=False)
    check_webhook_url("https://[2606:2800:220:1::1]/kim-hook", allow_private=False)
    check_webhook_url("http://127.0.0.1:9000/kim-hook", allow_private=True)
    assert is_public(ipaddress.ip_address("64:ff9b::5db8:d822"))  # NAT64 of a public address


def test_a_name_is_checked_by_what_it_resolves_to():
    check_webhook_url("https://hook.example/", allow_private=False, resolver=lambda host, port: ["93.184.216.34"])
    with pytest.raises(InvalidInput):  # every address counts, not only the first
        check_webhook_url("https://hook.example/", allow_private=False,
                          resolver=lambda host, port: ["93.184.216.34", "10.0.0.7"])


class Listener:
    """A local HTTP server; `answer(handler)` writes the response."""

    def __init__(self, answer):
        self.requests = []
        listener = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                listener.requests.append((dict(self.headers), self.rfile.read(int(self.headers["Content-Length"]))))
                answer(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def ok(handler):
    handler.send_response(204)
    handler.end_headers()


def drip(handler):
    handler.wfile.write(b"H")
    for _ in range(120):  # a byte a second: never a read timeout, never an answer
        time.sleep(1)
        try:
            handler.wfile.write(b"T")
            handler.wfile.flush()
        except OSError:
            return


def endless(handler):
    handler.send_response(200)
    handler.end_headers()
    try:
        while True:
            handler.wfile.write(b"x" * 65536)
    except OSError:
        pass


def job(url):
    return {"delivery_id": 7, "url": url, "body": b'{"id":7}', "signature": "sha256=00"}


@pytest.fixture
def listener(request):
    server = Listener(request.param)
    yield server
    server.close()


@pytest.mark.parametrize("listener", [ok], indirect=True)
def test_a_name_that_now_resolves_to_a_local_address_gets_nothing(listener):
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])  # public when set, loopback at push time
    resolver = lambda host, port: next(answers)  # noqa: E731
    url = f"http://rebound.example:{listener.port}/hook"
    check_webhook_url(url, allow_private=False, resolver=resolver)
    sent, reason = push(job(url), allow_private=False, deadline_seconds=5, resolver=resolver)
    assert (sent, reason) == (False, "refused: 127.0.0.1 is not a public address")
    assert listener.requests == []


@pytest.mark.parametrize("listener", [ok], indirect=True)
def test_the_push_connects_to_the_checked_address_and_keeps_the_name(listener):
    calls = []

    def resolver(host, port):
        calls.append(host)
        return ["127.0.0.1"]
    url = f"http://kim-hook.example:{listener.port}/hook"
    assert push(job(url), allow_private=True, deadline_seconds=5, resolver=resolver) == (True, None)
    assert calls == ["kim-hook.example"]  # resolved once, by us, at send time
    headers, body = listener.requests[0]
    assert headers["Host"] == f"kim-hook.example:{listener.port}" and body == b'{"id":7}'
    assert headers["X-KIM-Delivery"] == "7"


@pytest.mark.parametrize("listener", [ok], indirect=True)
def test_an_unreachable_address_gives_way_to_the_next_checked_one(listener):
    url = f"http://two-homed.example:{listener.port}/hook"
    resolver = lambda host, port: ["127.0.0.2", "127.0.0.1"]  # noqa: E731  (nothing listens on .2)
    assert push(job(url), allow_private=True, deadline_seconds=5, resolver=resolver) == (True, None)
    assert len(listener.requests) == 1


@pytest.mark.timeout(60)
@pytest.mark.parametrize("listener", [drip], indirect=True)
def test_a_dripping_endpoint_ends_at_the_deadline(listener):
    sent, reason = push(job(f"http://127.0.0.1:{listener.port}/"), allow_private=True, deadline_seconds=1.5)
    assert (sent, reason) == (False, "no answer before the deadline")


@pytest.mark.timeout(60)
@pytest.mark.parametrize("listener", [endless], indirect=True)
def test_an_endless_answer_is_read_only_so_far(listener):
    assert push(job(f"http://127.0.0.1:{listener.port}/"), allow_private=True, deadline_seconds=20) == (True, None)


def test_redirects_are_not_followed():
    def moved(handler):
        handler.send_response(307)
        handler.send_header("Location", "http://127.0.0.1:1/elsewhere")
        handler.end_headers()
    server = Listener(moved)
    try:
        assert push(job(f"http://127.0.0.1:{server.port}/"), allow_private=True, deadline_seconds=5) == \
            (False, "HTTP 307")
    finally:
        server.close()


@pytest.mark.parametrize("listener", [ok], indirect=True)
def test_a_url_the_client_cannot_send_is_a_failed_push_not_a_crash(listener):
    # httpcore refuses a non-ASCII URL with a TypeError; the push ends with a reason and is counted
    url = f"http://kim-hook.example:{listener.port}/kabar-ä"
    sent, reason = push(job(url), allow_private=True, deadline_seconds=5, resolver=lambda host, port: ["127.0.0.1"])
    assert sent is False and reason
    assert listener.requests == []
