from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class ApiKey(Base):
    """A machine's API key. Only the SHA-256 of the secret is stored: the
    secret is 256 random bits, so a slow hash would add nothing."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(10))  # admin, operator, kim
    scope_region: Mapped[str | None] = mapped_column(String(13))
    kim_id: Mapped[str | None] = mapped_column(String(64))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(12))
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class IdempotencyKey(Base):
    """A client's Idempotency-Key for a submission, with the tracking code it
    got: a retry gets the same code and creates nothing."""

    __tablename__ = "idempotency_keys"

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16))
    submission: Mapped[str] = mapped_column(Text)  # sent again on every retry: intake ignores repeats
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Account(Base):
    """A person who signs in to the website (staff or a group's member).
    Machines use API keys; people use accounts. The password is set through
    a one-time link and kept only as an argon2 hash."""

    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))  # admin, operator, kim
    scope_region: Mapped[str | None] = mapped_column(String(13))  # a kim account: its group's village
    kim_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None until the link is used
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SetupLink(Base):
    """A one-time link to set (or reset) an account's password."""

    __tablename__ = "setup_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id"), index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class SignInFailure(Base):
    """One failed sign-in: from which client address, for which name (only its
    hash: people type passwords into the name field). Counted per address and
    per (name, address); known and unknown names alike."""

    __tablename__ = "sign_in_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    address: Mapped[str] = mapped_column(String(64))
    name_hash: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class WebSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is
    stored. `csrf_token` must come back with every form or unsafe API call."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), ForeignKey("accounts.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PersonalDataAccess(Base):
    """Who saw which personal data, and when (UU 27/2022 records of processing): a member list, a
    group's contact, an aspiration's contact, a group's channel addresses, a search, an export, an
    erasure. The record is named by reference; the data seen is never copied here."""

    __tablename__ = "personal_data_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)  # role:key id, as the services log it
    actor_name: Mapped[str] = mapped_column(String(200))  # the key's name or the account's username
    role: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(30))  # view_members, view_contact, privacy_search, ...
    subject: Mapped[str] = mapped_column(String(120))  # kim:<id>, aspiration:<id>, person:phone, ...
    records: Mapped[int] = mapped_column(Integer)  # how many records with personal data it showed
