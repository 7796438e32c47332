"""People's accounts: created by an office with a role and a scope, a
one-time link to set the password (argon2), sign-in that slows down and
locks after repeated failures (per name and client address, with a limit per
address), and server-side web sessions."""
import functools
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from services.common.events import as_utc, utcnow
from services.gateway.keys import Principal
from services.gateway.models import Account, SetupLink, SignInFailure, WebSession

HASHER = PasswordHasher()


@functools.cache
def dummy_hash() -> str:
    """Verified against an unknown username, so that a miss costs the same time as a wrong
    password; made at the first sign-in, not at import (a hash costs a gateway start 0.1 s)."""
    return HASHER.hash(secrets.token_hex(16))

MIN_PASSWORD_LENGTH = 10


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def account_view(account: Account) -> dict:
    if account.disabled_at is not None:
        status = "disabled"
    elif account.password_hash is None:
        status = "pending"  # the setup link has not been used yet
    else:
        status = "active"
    return {
        "id": account.id, "username": account.username, "name": account.name, "role": account.role,
        "scope_region": account.scope_region, "kim_id": account.kim_id, "status": status,
        "created_by": account.created_by, "created_at": as_utc(account.created_at).isoformat(),
        "locked_until": as_utc(account.locked_until).isoformat() if account.locked_until else None,
    }


def principal_of(account: Account) -> Principal:
    # the same caller as an API key with this role and scope (a kim account's scope is its village)
    return Principal(account.id, account.name, account.role, account.scope_region, account.kim_id)


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: `account` when it succeeded, else
    `reason` ('invalid', 'locked' for the name from this address, 'limited'
    for the address), `failures` so far and `locked_until` (for 'limited', when
    the address may try again)."""
    account: Account | None
    reason: str | None = None
    failures: int = 0
    locked_until: datetime | None = None


@dataclass(frozen=True)
class SessionInfo:
    principal: Principal
    csrf_token: str
    username: str


class AccountStore:
    def __init__(self, session_factory: sessionmaker, settings):
        self.Session = session_factory
        self.settings = settings

    # --- accounts -------------------------------------------------------

    def create(self, username: str, name: str, role: str, scope_region: str | None, kim_id: str | None,
               created_by: str | None) -> tuple[dict, str, datetime] | None:
        """The new account, its setup token and the token's expiry; None when
        the username is taken."""
        account = Account(id=str(uuid.uuid4()), username=username.lower(), name=name, role=role,
                          scope_region=scope_region, kim_id=kim_id, failed_logins=0, created_by=created_by,
                          created_at=utcnow())
        try:
            with self.Session.begin() as session:
                session.add(account)
                session.flush()
                token, expires_at = self._new_link(session, account.id)
        except IntegrityError:
            return None
        return account_view(account), token, expires_at

    def new_setup_link(self, account_id: str) -> tuple[str, datetime]:
        """A fresh one-time link (earlier unused ones stop working): for a
        forgotten password or a link that expired."""
        with self.Session.begin() as session:
            return self._new_link(session, account_id)

    def _new_link(self, session, account_id: str) -> tuple[str, datetime]:
        session.execute(delete(SetupLink).where(SetupLink.account_id == account_id, SetupLink.used_at.is_(None)))
        token = secrets.token_urlsafe(32)
        expires_at = utcnow() + timedelta(hours=self.settings.setup_link_hours)
        session.add(SetupLink(token_hash=_digest(token), account_id=account_id, expires_at=expires_at))
        return token, expires_at

    def get(self, account_id: str) -> Account | None:
        with self.Session() as session:
            return session.get(Account, account_id)

    def group_villages(self) -> dict[str, str | None]:
        """Each group with an account, and the village its accounts hold."""
        with self.Session() as session:
            return dict(session.execute(select(Account.kim_id, func.max(Account.scope_region))
                                        .where(Account.role == "kim").group_by(Account.kim_id)).all())

    def relocate(self, villages: dict[str, str]):
        """Keep kim accounts where their groups are now (a group may move to
        another village, even another regency)."""
        with self.Session.begin() as session:
            for kim_id, village in villages.items():
                session.execute(update(Account).where(Account.role == "kim", Account.kim_id == kim_id,
                                                      Account.scope_region != village)
                                .values(scope_region=village))

    def list(self, scope_region: str | None, limit: int, offset: int,
             roles: tuple[str, ...] | None = None) -> tuple[list[dict], int]:
        query = select(Account)
        if roles is not None:
            query = query.where(Account.role.in_(roles))
        if scope_region is not None:
            query = query.where(or_(Account.scope_region == scope_region,
                                    Account.scope_region.like(scope_region + ".%")))
        with self.Session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            accounts = session.scalars(query.order_by(Account.created_at, Account.id).limit(limit).offset(offset))
            return [account_view(a) for a in accounts], total

    def disable(self, account_id: str):
        """No more sign-ins; its sessions end at once."""
        with self.Session.begin() as session:
            session.execute(update(Account).where(Account.id == account_id, Account.disabled_at.is_(None))
                            .values(disabled_at=utcnow()))
            session.execute(delete(WebSession).where(WebSession.account_id == account_id))
            session.execute(delete(SetupLink).where(SetupLink.account_id == account_id))

    # --- the one-time link ------------------------------------------------

    def link_account(self, token: str) -> Account | None:
        """The account a setup link is for, while the link is unused and valid."""
        with self.Session() as session:
            link = session.get(SetupLink, _digest(token))
            if link is None or link.used_at is not None or as_utc(link.expires_at) < utcnow():
                return None
            account = session.get(Account, link.account_id)
            return account if account and account.disabled_at is None else None

    def set_password(self, token: str, password: str) -> Account | None:
        """Use the link: the password is set, the link spent, a lock lifted and
        every existing session ended. None when the link is not valid."""
        password_hash = HASHER.hash(password)
        with self.Session.begin() as session:
            link = session.get(SetupLink, _digest(token), with_for_update=True)
            if link is None or link.used_at is not None or as_utc(link.expires_at) < utcnow():
                return None
            account = session.get(Account, link.account_id, with_for_update=True)
            if account is None or account.disabled_at is not None:
                return None
            link.used_at = utcnow()
            account.password_hash = password_hash
            account.failed_logins = 0
            account.locked_until = None
            session.execute(delete(WebSession).where(WebSession.account_id == account.id))
            return account

    # --- signing in ---------------------------------------------------------

    def sign_in(self, username: str, password: str, address: str) -> SignIn:
        """Failures count per client address (`limited` past its limit) and per
        name from that address (`locked`), so nobody can lock a person out from
        elsewhere. An unknown, pending or disabled name takes the very same steps
        as a known one, one password check included (against a dummy hash), so
        neither the answer nor its timing tells them apart."""
        now = utcnow()
        username = username.strip().lower()
        name = _digest(username)
        with self.Session() as session:
            refused, failures = self._refusal(session, address, name, now)
            if refused is not None:
                return refused
            account = session.scalar(select(Account).where(Account.username == username))
        usable = account is not None and account.password_hash is not None and account.disabled_at is None
        # no database connection is held during the slow check
        matches = _verify(account.password_hash if usable else dummy_hash(), password)
        with self.Session.begin() as session:
            if not (usable and matches):
                session.add(SignInFailure(address=address, name_hash=name, failed_at=now))
                session.execute(delete(SignInFailure).where(SignInFailure.failed_at < now - self._kept))
                failures += 1
                if failures >= self.settings.login_max_failures:
                    return SignIn(None, "locked", failures, now + self._lock)
                return SignIn(None, "invalid", failures)
            session.execute(delete(SignInFailure).where(SignInFailure.address == address,
                                                        SignInFailure.name_hash == name))
            account = session.get(Account, account.id)
            if HASHER.check_needs_rehash(account.password_hash):
                account.password_hash = HASHER.hash(password)
            return SignIn(account)

    @property
    def _lock(self) -> timedelta:
        return timedelta(minutes=self.settings.login_lock_minutes)

    @property
    def _window(self) -> timedelta:
        return timedelta(minutes=self.settings.login_address_window_minutes)

    @property
    def _kept(self) -> timedelta:
        return max(self._lock, self._window)

    def _refusal(self, session, address: str, name: str, now: datetime) -> tuple[SignIn | None, int]:
        """(a refusal before any password check, failures of this name from this address)."""
        limit = self.settings.login_address_max_failures
        recent = SignInFailure.failed_at.desc()
        from_address = session.scalars(select(SignInFailure.failed_at).where(
            SignInFailure.address == address, SignInFailure.failed_at > now - self._window)
            .order_by(recent).limit(limit)).all()
        if len(from_address) >= limit:
            return SignIn(None, "limited", len(from_address), as_utc(from_address[-1]) + self._window), 0
        most = self.settings.login_max_failures
        for_name = session.scalars(select(SignInFailure.failed_at).where(
            SignInFailure.address == address, SignInFailure.name_hash == name,
            SignInFailure.failed_at > now - self._lock).order_by(recent).limit(most)).all()
        if len(for_name) >= most:
            return SignIn(None, "locked", len(for_name), as_utc(for_name[-1]) + self._lock), len(for_name)
        return None, len(for_name)

    def failure_delay(self, failures: int) -> float:
        """Seconds a failed attempt waits before its answer: slower with each."""
        return min(5.0, self.settings.login_delay_seconds * max(failures, 1))

    # --- sessions -------------------------------------------------------------

    def start_session(self, account: Account) -> tuple[str, str]:
        """(the cookie's token, the CSRF token) of a new session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = utcnow()
        with self.Session.begin() as session:
            session.add(WebSession(token_hash=_digest(token), account_id=account.id, csrf_token=csrf,
                                   created_at=now, last_seen_at=now,
                                   expires_at=now + timedelta(hours=self.settings.session_hours)))
        return token, csrf

    def session_for(self, token: str) -> SessionInfo | None:
        """The signed-in account behind a cookie, or None when it ended,
        expired, or sat idle too long. Keeps an active session alive."""
        now = utcnow()
        idle = timedelta(minutes=self.settings.session_idle_minutes)
        with self.Session() as session:
            row = session.execute(select(WebSession, Account).join(Account, Account.id == WebSession.account_id)
                                  .where(WebSession.token_hash == _digest(token))).first()
            if row is None:
                return None
            web_session, account = row
            if (as_utc(web_session.expires_at) < now or as_utc(web_session.last_seen_at) + idle < now
                    or account.disabled_at is not None):
                session.execute(delete(WebSession).where(WebSession.token_hash == web_session.token_hash))
                session.commit()
                return None
            if now - as_utc(web_session.last_seen_at) > timedelta(seconds=60):
                # written at most once a minute: reading a page should not always write
                web_session.last_seen_at = now
                session.commit()
            return SessionInfo(principal_of(account), web_session.csrf_token, account.username)

    def end_session(self, token: str):
        with self.Session.begin() as session:
            session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return HASHER.verify(password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False
