from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class DirectoryKim(Base):
    """This service's own replica of the registry's KIM directory, built only
    from the registry's events: what targeting needs, nothing personal."""

    __tablename__ = "kim_directory"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(String(13), index=True)
    district_code: Mapped[str] = mapped_column(String(8), index=True)
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    classification: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10), index=True)
    version: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    tags: Mapped[list["DirectoryTag"]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class DirectoryTag(Base):
    __tablename__ = "kim_directory_tags"

    kim_id: Mapped[str] = mapped_column(ForeignKey("kim_directory.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Broadcast(Base):
    """Government information to the groups a target selects. Draft, then
    published (now or at `publish_at`); fan-out creates one delivery per group."""

    __tablename__ = "broadcasts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # the English text, both or neither (issue 16: the CAP alert's en-US info)
    title_en: Mapped[str | None] = mapped_column(String(200))
    body_en: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10))
    target: Mapped[dict] = mapped_column(JSON)
    publish_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    issuer_region: Mapped[str | None] = mapped_column(String(13))  # the office's scope; None: national
    issuer: Mapped[str] = mapped_column(String(100))
    # draft -> scheduled (publish_at ahead) -> publishing (fan-out) -> published; withdrawn (issue 16) from
    # scheduled, publishing or published
    status: Mapped[str] = mapped_column(String(12), index=True)
    fanout_cursor: Mapped[str | None] = mapped_column(String(32))  # last kim id fanned out to
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    fanout_done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # the moments (ISO 8601, UTC) the broadcast was changed after its publication, oldest first: each one a
    # revision, a CAP Update of its alert (issue 16); None: never changed
    revisions: Mapped[list | None] = mapped_column(JSON)


class BroadcastRegion(Base):
    """One target region of a broadcast (the target's `regions` as rows), so
    that an office finds the published broadcasts whose target meets its scope."""

    __tablename__ = "broadcast_regions"

    broadcast_id: Mapped[str] = mapped_column(ForeignKey("broadcasts.id"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(13), primary_key=True, index=True)


class Delivery(Base):
    """One message in one group's inbox: a broadcast, or the answer to an
    aspiration the group filed. Pushed to the group's webhook when it has one."""

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True,
                                    autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # broadcast, aspiration_answer, hoax_outcome, withdrawal, update
    broadcast_id: Mapped[str | None] = mapped_column(ForeignKey("broadcasts.id"))
    kim_id: Mapped[str] = mapped_column(String(32), index=True)
    village_code: Mapped[str] = mapped_column(String(13))
    message: Mapped[dict | None] = mapped_column(JSON)  # the content of a message that is no broadcast
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    relayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reached: Mapped[int] = mapped_column(Integer, default=0)
    # webhook push: none (no webhook), pending, sent, failed
    push_state: Mapped[str] = mapped_column(String(10))
    push_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_push_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    push_error: Mapped[str | None] = mapped_column(String(300))


class Relay(Base):
    """A group's report that it passed a message on to its community."""

    __tablename__ = "relays"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("deliveries.id"), index=True)
    reached: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(30))
    date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Webhook(Base):
    __tablename__ = "webhooks"

    kim_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
