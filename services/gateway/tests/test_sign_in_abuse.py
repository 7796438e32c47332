"""Sign-in abuse, on both databases: a limit per client address (behind a
trusted proxy, the forwarded address), unknown and known names answered alike
after the same single password check, a bound on concurrent password checks,
and a key revocation that no concurrent lookup can undo."""
import asyncio
import re
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.common.migrations import upgrade
from services.gateway import accounts as accounts_module
from services.gateway.app import MIGRATIONS, create_app
from services.gateway.keys import KeyStore
from services.gateway.settings import GatewaySettings
from services.gateway.tests.conftest import ADMIN_KEY

HTML = {"Accept": "text/html"}
PASSWORD = "kata sandi yang panjang"


@pytest.fixture
def gateway(databases, tmp_path):
    """Start a gateway on this test's database, seen from client address `peer`."""
    started = []

    def start(peer: str = "203.0.113.10", **overrides) -> TestClient:
        values = {"data_dir": tmp_path, "database_url": databases("gateway"), "admin_key": ADMIN_KEY,
                  "rpc_timeout": 2.0, "amqp_uri": "amqp://guest:guest@127.0.0.1:1/", "login_max_failures": 3,
                  "login_delay_seconds": 0.01, "login_address_max_failures": 50, **overrides}
        client = TestClient(create_app(GatewaySettings(**values)), raise_server_exceptions=False,
                            client=(peer, 50000))
        started.append(client.__enter__())
        return client
    yield start
    for client in started:
        client.__exit__(None, None, None)


def account(client: TestClient, username: str, password: str | None = PASSWORD):
    _view, token, _ = client.app.state.accounts.create(username, username.title(), "operator", "14.71", None, None)
    if password:
        client.app.state.accounts.set_password(token, password)


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/masuk", headers=HTML).text).group(1)


def attempt(client: TestClient, username: str, password: str, token: str | None = None, **headers):
    return client.post("/masuk", data={"csrf_token": token or csrf(client), "username": username,
                                       "password": password}, headers={**HTML, **headers}, follow_redirects=False)


@pytest.fixture
def verified(monkeypatch):
    """The hashes every password check ran against."""
    hashes = []
    real = accounts_module._verify

    def spy(password_hash, password):
        hashes.append(password_hash)
        return real(password_hash, password)
    monkeypatch.setattr(accounts_module, "_verify", spy)
    return hashes


def test_an_unknown_name_answers_exactly_like_a_known_one(gateway, verified):
    client = gateway()
    account(client, "rina")
    account(client, "pending.person", password=None)  # no password yet: as good as unknown
    delays = []
    store = client.app.state.accounts
    real_delay = store.failure_delay
    store.failure_delay = lambda failures: delays.append(real_delay(failures)) or delays[-1]

    def answers(username):
        seen = []
        for _ in range(4):  # three failures lock (in tests), the fourth finds the lock
            del verified[:], delays[:]
            response = attempt(client, username, "salah sekali")
            page = re.sub(r"\d\d:\d\d", "HH:MM", response.text.replace(username, "NAME"))
            checks = ["dummy" if h == accounts_module.dummy_hash() else "real" for h in verified]
            seen.append((response.status_code, page, tuple(delays), len(checks)))
            if username == "rina":
                assert checks in (["real"], [])
            else:
                assert checks in (["dummy"], [])
        return seen

    known, unknown, pending = answers("rina"), answers("nobody.here"), answers("pending.person")
    assert known == unknown == pending
    assert [status for status, *_ in known] == [401, 401, 401, 401]
    assert [checks for *_, checks in known] == [1, 1, 1, 0]  # one argon2 check each, none once locked
    assert known[0][2] < known[1][2]  # slower with every failure, for any name alike


def test_a_locked_name_stays_open_to_its_owner_elsewhere(gateway):
    attacker = gateway(peer="198.51.100.66")
    account(attacker, "rina")
    token = csrf(attacker)
    for _ in range(3):
        assert attempt(attacker, "rina", "tebakan salah", token).status_code == 401
    assert attempt(attacker, "rina", PASSWORD, token).status_code == 401  # locked for that address
    owner = gateway(peer="203.0.113.20")
    assert attempt(owner, "rina", PASSWORD).status_code == 303  # not for the person herself


def test_one_address_gets_a_429_with_retry_after_once_it_failed_too_often(gateway):
    client = gateway(login_address_max_failures=4)
    account(client, "rina")
    token = csrf(client)
    for n in range(4):  # a different name each time: the per-name lock never comes into play
        assert attempt(client, f"tebak{n}", "salah", token).status_code == 401
    limited = attempt(client, "tebak9", "salah", token)
    assert limited.status_code == 429 and 0 < int(limited.headers["Retry-After"]) <= 15 * 60
    assert "Terlalu banyak percobaan masuk dari alamat ini" in limited.text
    right = attempt(client, "rina", PASSWORD, token)  # even the right password waits
    assert right.status_code == 429
    problem = client.post("/masuk", data={"csrf_token": token, "username": "rina", "password": PASSWORD},
                          headers={"Accept": "application/json", "Accept-Language": "en"})
    assert problem.status_code == 429 and problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["status"] == 429 and "Retry-After" in problem.headers
    assert attempt(gateway(peer="203.0.113.99"), "rina", PASSWORD).status_code == 303  # another address


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(gateway):
    proxy = gateway(peer="10.0.0.2", login_address_max_failures=2, trusted_proxies="10.0.0.0/8")
    token = csrf(proxy)
    for n in range(2):
        assert attempt(proxy, f"a{n}", "salah", token, **{"X-Forwarded-For": "203.0.113.5"}).status_code == 401
    assert attempt(proxy, "a9", "salah", token, **{"X-Forwarded-For": "203.0.113.5"}).status_code == 429
    assert attempt(proxy, "a9", "salah", token, **{"X-Forwarded-For": "203.0.113.6"}).status_code == 401
    # a peer that is not a trusted proxy cannot choose its address with the header
    direct = gateway(peer="198.51.100.9", login_address_max_failures=2, trusted_proxies="10.0.0.0/8")
    token = csrf(direct)
    for n in range(2):
        assert attempt(direct, f"b{n}", "salah", token, **{"X-Forwarded-For": f"192.0.2.{n}"}).status_code == 401
    assert attempt(direct, "b9", "salah", token, **{"X-Forwarded-For": "192.0.2.77"}).status_code == 429


def test_concurrent_password_checks_are_bounded(gateway, monkeypatch):
    client = gateway(password_checks=2)
    running, most, lock = [0], [0], threading.Lock()
    real = accounts_module._verify

    def slow_verify(password_hash, password):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.3)  # long enough for the others to pile up
            return real(password_hash, password)
        finally:
            with lock:
                running[0] -= 1
    monkeypatch.setattr(accounts_module, "_verify", slow_verify)
    token, cookies = csrf(client), dict(client.cookies)

    async def flood():  # eight sign-ins at once, on the running app's own event loop
        transport = httpx.ASGITransport(app=client.app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as http:
            answers = await asyncio.gather(*[
                http.post("/masuk", data={"csrf_token": token, "username": f"flood{n}", "password": "x"},
                          headers=HTML) for n in range(8)])
        return [answer.status_code for answer in answers]
    statuses = client.portal.call(flood)
    assert statuses == [401] * 8
    assert 1 <= most[0] <= 2, most


def test_a_revocation_clears_the_key_cache_after_its_commit(databases):
    url = databases("gateway")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    keys = KeyStore(sessionmaker(engine, expire_on_commit=False), cache_seconds=60)
    view, secret = keys.issue("operator", "operator", "14.71", None, None)
    # another request of the same gateway (same cache; its own connection, as SQLite's pool has one)
    other_engine = make_engine(url)
    other_request = KeyStore(sessionmaker(other_engine), cache_seconds=60)
    other_request._cache = keys._cache
    revoking = []

    def lookup_during_commit(session):
        if revoking and not revoking[-1]:  # it looks the key up while the revocation commits
            revoking.append(True)
            other_request.principal_for(secret)
    event.listen(keys.Session, "before_commit", lookup_during_commit)
    revoking.append(False)
    assert keys.revoke(view["id"]) == "revoked" and revoking == [False, True]
    _cached, principal = keys.cached_principal(secret)
    assert principal is None  # no copy of the key, cached while the commit was under way, survives it
    assert keys.principal_for(secret) is None
    engine.dispose()
    other_engine.dispose()
