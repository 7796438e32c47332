from datetime import datetime

from sqlalchemy import DateTime, String, Text
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
