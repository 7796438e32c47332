"""The channels service's tables: a group's channels, the deliveries they carry (with what each says),
one outbound message per (delivery, channel), the providers' ids of the messages sent, and the
aspirations filed on a channel on their way to the intake queue."""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.privacy import ConsentRecordMixin

ID = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class Channel(Base):
    """One way a group is reached: a Telegram chat, a WhatsApp number, an SMS number or a mailbox.
    pending (waiting for its link code) -> live <-> paused (by the office or the group, or after
    failing); stopped: the group sent BERHENTI (MULAI makes it live again)."""
    __tablename__ = "channels"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kim_id: Mapped[str] = mapped_column(String(32), index=True)
    village_code: Mapped[str] = mapped_column(String(13))
    kind: Mapped[str] = mapped_column(String(10))
    # personal data: a phone number, an e-mail address, a Telegram chat id (known once linked)
    address: Mapped[str | None] = mapped_column(String(320), index=True)
    state: Mapped[str] = mapped_column(String(10), index=True)
    link_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    unsubscribe_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    paused_reason: Mapped[str | None] = mapped_column(String(300))
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failures: Mapped[int] = mapped_column(Integer, default=0)  # messages failed for good in a row
    last_inbound_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    linked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Content(Base):
    """What a delivery says; a broadcast's text is kept once for all its deliveries."""
    __tablename__ = "contents"

    key: Mapped[str] = mapped_column(String(48), primary_key=True)  # broadcast:<id>, answer:<delivery id>
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(30))
    priority: Mapped[str] = mapped_column(String(10))
    tracking_code: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ChannelDelivery(Base):
    """A delivery of the broadcast service (one message in one group's inbox) as the channels carry it."""
    __tablename__ = "deliveries"

    delivery_id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=False)
    kim_id: Mapped[str] = mapped_column(String(32), index=True)
    village_code: Mapped[str] = mapped_column(String(13))
    broadcast_id: Mapped[str | None] = mapped_column(String(36), index=True)
    content_key: Mapped[str] = mapped_column(ForeignKey("contents.key"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledged_on: Mapped[str | None] = mapped_column(String(10))  # the channel kind it was acknowledged on
    reached: Mapped[int] = mapped_column(Integer, default=0)  # reported on a channel


class OutboundMessage(Base):
    """One message to one channel: a delivery's, or a reply of ours (a tracking code, the help).
    queued -> sent -> delivered -> read, or failed (with the provider's reason)."""
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("delivery_id", "channel_id"),
                      Index("ix_messages_due", "status", "next_attempt_at"))

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))  # the channel's kind, for the dispatcher's queries
    delivery_id: Mapped[int | None] = mapped_column(ID, index=True)
    content_key: Mapped[str | None] = mapped_column(String(48))
    text: Mapped[str | None] = mapped_column(Text)  # a reply of ours (no delivery)
    rank: Mapped[int] = mapped_column(Integer)  # 0 darurat and urgent first, then high, then the rest
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    parts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    # the group's answers on this channel: its acknowledgement, the people its relays reached
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reached: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    status_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProviderMessage(Base):
    """A provider's id for a message we sent (several when it was split): status callbacks and
    replies to a message name it."""
    __tablename__ = "provider_messages"

    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    provider_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)


class AspirationForward(Base):
    """An aspiration a group sent on a channel, kept until the intake queue confirmed it (the same
    submission is sent again after a crash; intake ignores a tracking code it has)."""
    __tablename__ = "aspiration_forwards"

    tracking_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel_id: Mapped[str] = mapped_column(ForeignKey("channels.id"))
    submission: Mapped[dict] = mapped_column(JSON)  # personal data: the group's text
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class ConsentRecord(ConsentRecordMixin, Base):
    """The consent to a channel's address (record `channel:<id>`): given by the office or group that made
    the channel, and by the Telegram chat that linked itself. No personal data; it outlives an erasure."""
