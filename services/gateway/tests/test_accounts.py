"""People's accounts on both databases: the one-time link, argon2, sign-in
that slows down and locks, and sessions that end."""
from datetime import timedelta

import pytest
from sqlalchemy import update
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.gateway.accounts import AccountStore
from services.gateway.app import MIGRATIONS
from services.gateway.models import SignInFailure, WebSession
from services.gateway.settings import GatewaySettings

HERE, ELSEWHERE = "203.0.113.10", "198.51.100.20"  # client addresses


@pytest.fixture
def accounts(databases):
    url = databases("gateway")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    settings = GatewaySettings(login_max_failures=3, login_lock_minutes=15, login_delay_seconds=0.5,
                               session_idle_minutes=30, session_hours=12, setup_link_hours=72)
    yield AccountStore(sessionmaker(engine, expire_on_commit=False), settings)
    engine.dispose()


def _active(accounts, username="rina.pekanbaru", password="kata sandi yang panjang"):
    view, token, _ = accounts.create(username, "Rina", "operator", "14.71", None, None)
    assert accounts.set_password(token, password) is not None
    return view


def test_the_setup_link_sets_an_argon2_password_once(accounts):
    view, token, expires_at = accounts.create("Rina.Pekanbaru", "Rina", "operator", "14.71", None, None)
    assert view["status"] == "pending" and view["username"] == "rina.pekanbaru"
    assert expires_at > utcnow() + timedelta(hours=71)
    assert accounts.sign_in("rina.pekanbaru", "anything at all", HERE).account is None  # no password yet
    assert accounts.link_account(token).id == view["id"]
    assert accounts.set_password(token, "kata sandi yang panjang") is not None
    stored = accounts.get(view["id"])
    assert stored.password_hash.startswith("$argon2id$") and "kata sandi" not in stored.password_hash
    assert accounts.link_account(token) is None  # spent
    assert accounts.set_password(token, "kata sandi yang lain") is None
    assert accounts.sign_in("RINA.pekanbaru", "kata sandi yang panjang", HERE).account.id == view["id"]


def test_a_taken_username_is_refused(accounts):
    _active(accounts)
    assert accounts.create("rina.pekanbaru", "Rina Lain", "operator", "14.72", None, None) is None


def test_a_new_link_replaces_the_old_one(accounts):
    view, first, _ = accounts.create("budi", "Budi", "operator", "14.71", None, None)
    second, _ = accounts.new_setup_link(view["id"])
    assert accounts.link_account(first) is None and accounts.link_account(second) is not None


def test_failures_slow_down_then_lock_even_the_right_password(accounts):
    _active(accounts)
    outcomes = [accounts.sign_in("rina.pekanbaru", "salah", HERE) for _ in range(2)]
    assert [o.reason for o in outcomes] == ["invalid", "invalid"]
    delays = [accounts.failure_delay(o.failures) for o in outcomes]
    assert delays[1] > delays[0] > 0  # every failure waits longer than the one before
    locked = accounts.sign_in("rina.pekanbaru", "salah", HERE)
    assert locked.reason == "locked" and locked.locked_until > utcnow() + timedelta(minutes=14)
    right = accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE)
    assert right.account is None and right.reason == "locked"
    # the lock holds for that address only: nobody locks a person out from elsewhere
    assert accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", ELSEWHERE).account is not None
    # the lock runs out
    with accounts.Session.begin() as session:
        session.execute(update(SignInFailure).values(failed_at=utcnow() - timedelta(minutes=16)))
    assert accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE).account is not None


def test_an_unknown_username_answers_like_a_wrong_password(accounts):
    outcome = accounts.sign_in("nobody", "whatever", HERE)
    assert outcome.account is None and outcome.reason == "invalid"


def test_sessions_expire_when_idle_or_old_and_end_on_sign_out(accounts):
    _active(accounts)
    account = accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE).account
    token, csrf = accounts.start_session(account)
    info = accounts.session_for(token)
    assert info.csrf_token == csrf and info.principal.role == "operator" and info.principal.scope_region == "14.71"
    with accounts.Session.begin() as session:
        session.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    assert accounts.session_for(token) is None  # idle too long

    token, _ = accounts.start_session(account)
    with accounts.Session.begin() as session:
        session.execute(update(WebSession).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert accounts.session_for(token) is None  # past its lifetime, however active

    token, _ = accounts.start_session(account)
    accounts.end_session(token)
    assert accounts.session_for(token) is None


def test_disabling_ends_sessions_and_sign_ins(accounts):
    view = _active(accounts)
    account = accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE).account
    token, _ = accounts.start_session(account)
    accounts.disable(view["id"])
    assert accounts.session_for(token) is None
    assert accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE).account is None


def test_a_new_password_ends_the_old_sessions(accounts):
    view = _active(accounts)
    token, _ = accounts.start_session(accounts.sign_in("rina.pekanbaru", "kata sandi yang panjang", HERE).account)
    link, _ = accounts.new_setup_link(view["id"])
    accounts.set_password(link, "kata sandi baru sekali")
    assert accounts.session_for(token) is None


def test_a_kim_account_is_scoped_to_its_group(accounts):
    _, token, _ = accounts.create("kim.maju", "Siti", "kim", "14.71.01.1002", "KIM-1471011002-01", None)
    accounts.set_password(token, "sandi kelompok kami")
    account = accounts.sign_in("kim.maju", "sandi kelompok kami", HERE).account
    session_token, _ = accounts.start_session(account)
    principal = accounts.session_for(session_token).principal
    assert principal.role == "kim" and principal.kim_id == "KIM-1471011002-01"
    assert principal.scope_region == "14.71.01.1002"
