"""Webhook pushes to real local HTTP servers: signed, retried with back-off,
accepted exactly once, and `failed` after the bounded tries (3 in tests); a
dripping endpoint never holds another group's push; a bad port is a 422."""
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import wait_for
from tests.test_broadcasts import publish


class Hook:
    """A KIM's webhook: answers 500 `failures` times, then 200; or, with
    `drip`, answers one byte a second and never finishes."""

    def __init__(self, failures: int, drip: bool = False):
        self.failures, self.requests, self.accepted = failures, [], []
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                hook.requests.append((dict(self.headers), body, time.monotonic()))
                if drip:
                    return self.drip()
                status = 500 if len(hook.requests) <= hook.failures else 200
                if status == 200:
                    hook.accepted.append(json.loads(body))
                self.send_response(status)
                self.end_headers()

            def drip(self):
                for _ in range(60):  # each byte well inside a read timeout, the answer never complete
                    try:
                        self.wfile.write(b"H")
                        self.wfile.flush()
                    except OSError:
                        return
                    time.sleep(1)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/kim-hook"


@pytest.fixture(scope="module")
def hooks(platform):
    run = uuid.uuid4().hex[:6]
    tag = f"hook_{run}"
    servers = {"good": Hook(0), "flaky": Hook(2), "dead": Hook(10 ** 6)}
    with platform.admin as admin:
        assert admin.post("/api/v1/tags", json={"code": tag, "label_id": tag, "label_en": tag}).status_code == 201
        groups = {}
        for name in servers:
            created = admin.post("/api/v1/kims", json={
                "name": f"KIM Webhook {name} {run}", "village_code": "14.71.01.1005", "classification": "tumbuh",
                "tags": [tag], "sk": {"number": f"HOOK/{run}/{name}", "date": "2024-04-04", "issuer": "Lurah"}})
            assert created.status_code == 201, created.text
            groups[name] = created.json()["id"]
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {
            "regions": ["14.71"], "tags": [tag]}}).json().get("recipients") == 3, message="the directory")
        secrets = {}
        for name, server in servers.items():
            response = admin.put(f"/api/v1/kims/{groups[name]}/webhook", json={"url": server.url})
            assert response.status_code == 200, response.text
            secrets[name] = response.json()["secret"]
        broadcast = publish(admin, {"regions": ["14.71"], "tags": [tag]}, title="Siaran webhook")
    yield {"servers": servers, "groups": groups, "secrets": secrets, "broadcast": broadcast}
    for server in servers.values():
        server.server.shutdown()


def test_pushes_are_signed_with_the_groups_secret(hooks):
    good = hooks["servers"]["good"]
    wait_for(lambda: good.accepted, message="the push")
    headers, body, _ = good.requests[0]
    expected = "sha256=" + hmac.new(hooks["secrets"]["good"].encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-KIM-Signature"] == expected
    assert good.accepted[0]["broadcast"]["title"] == "Siaran webhook"
    assert good.accepted[0]["kim_id"] == hooks["groups"]["good"]


def test_a_server_failing_twice_gets_exactly_one_accepted_delivery(platform, hooks):
    flaky = hooks["servers"]["flaky"]
    wait_for(lambda: flaky.accepted, message="the third try")
    time.sleep(1.5)  # nothing more comes
    assert len(flaky.requests) == 3 and len(flaky.accepted) == 1
    gaps = [b[2] - a[2] for a, b in zip(flaky.requests, flaky.requests[1:], strict=False)]
    # lower bounds only (KIM_WEBHOOK_BACKOFF_SECONDS=0.3, doubling): the timer's tick adds to each gap
    assert gaps[0] >= 0.3 and gaps[1] >= 0.6, f"no back-off between tries: {gaps}"
    with platform.admin as admin:
        deliveries = admin.get(f"/api/v1/broadcasts/{hooks['broadcast']['id']}/deliveries").json()["items"]
    flaky_delivery = next(d for d in deliveries if d["kim_id"] == hooks["groups"]["flaky"])
    assert (flaky_delivery["push_state"], flaky_delivery["push_attempts"]) == ("sent", 3)


def test_a_server_that_always_fails_ends_failed_after_the_bounded_tries(platform, hooks):
    dead = hooks["servers"]["dead"]
    with platform.admin as admin:
        def dead_delivery():
            items = admin.get(f"/api/v1/broadcasts/{hooks['broadcast']['id']}/deliveries").json()["items"]
            return next(d for d in items if d["kim_id"] == hooks["groups"]["dead"])
        wait_for(lambda: dead_delivery()["push_state"] == "failed", message="the last try")
        assert dead_delivery()["push_attempts"] == 3 and len(dead.requests) == 3
        stats = admin.get(f"/api/v1/broadcasts/{hooks['broadcast']['id']}").json()["stats"]
        assert stats["failed"] == 1 and stats["delivered"] == 3


def _group_with_hook(admin, run: str, name: str, server: Hook) -> str:
    tag = f"{name}_{run}"
    assert admin.post("/api/v1/tags", json={"code": tag, "label_id": tag, "label_en": tag}).status_code == 201
    created = admin.post("/api/v1/kims", json={
        "name": f"KIM Webhook {name} {run}", "village_code": "14.71.01.1005", "classification": "tumbuh",
        "tags": [tag], "sk": {"number": f"HOOK/{run}/{name}", "date": "2024-04-04", "issuer": "Lurah"}})
    assert created.status_code == 201, created.text
    wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {
        "regions": ["14.71"], "tags": [tag]}}).json().get("recipients") == 1, message="the directory")
    response = admin.put(f"/api/v1/kims/{created.json()['id']}/webhook", json={"url": server.url})
    assert response.status_code == 200, response.text
    return tag


def _delivery(admin, broadcast_id: str) -> dict:
    return admin.get(f"/api/v1/broadcasts/{broadcast_id}/deliveries").json()["items"][0]


def test_a_dripping_endpoint_never_holds_another_groups_push(platform):
    run = uuid.uuid4().hex[:6]
    slow, normal = Hook(0, drip=True), Hook(0)
    try:
        with platform.admin as admin:
            slow_tag, normal_tag = _group_with_hook(admin, run, "drip", slow), _group_with_hook(admin, run, "ok", normal)
            dripping = publish(admin, {"regions": ["14.71"], "tags": [slow_tag]}, title="Siaran lambat")
            wait_for(lambda: slow.requests, message="the push to the dripping endpoint")
            # while that push hangs on the drip, another group's push goes out and is recorded
            sent = publish(admin, {"regions": ["14.71"], "tags": [normal_tag]}, title="Siaran biasa")
            wait_for(lambda: _delivery(admin, sent["id"])["push_state"] == "sent", timeout=10,
                     message="the normal push recorded as sent")
            assert normal.accepted[0]["broadcast"]["title"] == "Siaran biasa"
            # the drip itself ends at each push's deadline, then fails after the bounded tries
            failed = wait_for(lambda: (d := _delivery(admin, dripping["id"]))["push_state"] == "failed" and d,
                              timeout=90, message="the dripping push failed")
            assert failed["push_error"] == "no answer before the deadline" and failed["push_attempts"] == 3
    finally:
        slow.server.shutdown()
        normal.server.shutdown()


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/hook", "http://127.0.0.1:0/hook",
                                 "http://127.0.0.1:port/hook"])
def test_a_port_out_of_range_is_a_422(platform, keys, url):
    with platform.client(keys["kim"]["key"]) as kim:
        response = kim.put(f"/api/v1/kims/{keys['kim']['kim_id']}/webhook", json={"url": url})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["field"] == "url"
