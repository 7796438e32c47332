from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from services.common.privacy import ConsentRecordMixin


class Base(DeclarativeBase):
    pass


class Region(Base):
    """A province, regency/city, district or village, by its Kemendagri code."""

    __tablename__ = "regions"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(10))  # province, regency, district, village
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)


class RegionLoad(Base):
    """One row per loaded data source: makes the load happen once."""

    __tablename__ = "region_loads"

    source: Mapped[str] = mapped_column(String(50), primary_key=True)
    provinces: Mapped[int] = mapped_column(Integer)
    regencies: Mapped[int] = mapped_column(Integer)
    districts: Mapped[int] = mapped_column(Integer)
    villages: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegionCount(Base):
    """Coverage counters of one region (and of the country, code `ID`), kept
    in the same transaction as every KIM change so coverage is one read."""

    __tablename__ = "region_counts"

    code: Mapped[str] = mapped_column(String(13), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(String(13), index=True)
    villages_total: Mapped[int] = mapped_column(Integer, default=0)
    villages_with_kim: Mapped[int] = mapped_column(Integer, default=0)
    villages_with_active_kim: Mapped[int] = mapped_column(Integer, default=0)
    kim_active: Mapped[int] = mapped_column(Integer, default=0)
    kim_vakum: Mapped[int] = mapped_column(Integer, default=0)
    kim_dissolved: Mapped[int] = mapped_column(Integer, default=0)


class Tag(Base):
    """The controlled, extensible vocabulary of focus tags."""

    __tablename__ = "tags"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label_id: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Kim(Base):
    """A Kelompok Informasi Masyarakat. Region codes are kept denormalised so
    that a subtree filter is an indexed equality."""

    __tablename__ = "kims"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    village_code: Mapped[str] = mapped_column(String(13), index=True)
    district_code: Mapped[str] = mapped_column(String(8), index=True)
    regency_code: Mapped[str] = mapped_column(String(5), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    sk_number: Mapped[str] = mapped_column(String(100))
    sk_number_key: Mapped[str] = mapped_column(String(100), unique=True)
    sk_date: Mapped[date] = mapped_column(Date)
    sk_issuer: Mapped[str] = mapped_column(String(200))
    classification: Mapped[str] = mapped_column(String(20))
    contact: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), index=True)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    last_activity_on: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    tags: Mapped[list["KimTag"]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                order_by="KimTag.tag")


class KimTag(Base):
    __tablename__ = "kim_tags"

    kim_id: Mapped[str] = mapped_column(ForeignKey("kims.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(ForeignKey("tags.code"), primary_key=True, index=True)


class Member(Base):
    __tablename__ = "members"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kim_id: Mapped[str] = mapped_column(ForeignKey("kims.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # ketua, sekretaris, bendahara, anggota
    phone: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # a removed member leaves every list at once; its name and phone are kept until the
    # retention period (KIM_RETENTION_MEMBER_DAYS) has passed, then erased (issue 16)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    removed_by: Mapped[str | None] = mapped_column(String(100))
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Activity(Base):
    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kim_id: Mapped[str] = mapped_column(ForeignKey("kims.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    participants: Mapped[int] = mapped_column(Integer)
    place: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StatusChange(Base):
    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kim_id: Mapped[str] = mapped_column(ForeignKey("kims.id", ondelete="CASCADE"), index=True)
    old: Mapped[str | None] = mapped_column(String(10))
    new: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500))
    actor: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ImportJob(Base):
    """An office's import of a spreadsheet of groups: named by the office and
    the file's SHA-256, so the same file twice is the same job. Its rows are
    processed in batches, each committed with `rows_done`, where a restarted
    worker continues."""

    __tablename__ = "import_jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office: Mapped[str] = mapped_column(String(13))  # the uploader's scope region, ID for the whole country
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    actor: Mapped[dict] = mapped_column(JSON)  # who imports: the rules of a registration apply to them
    status: Mapped[str] = mapped_column(String(10), index=True)  # receiving, queued, running, done
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    imported: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ImportRow(Base):
    """One row of an imported file, as the gateway read it: the registration's
    fields, or what was wrong with its form."""

    __tablename__ = "import_rows"

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # 1-based, in the file's order
    line: Mapped[int] = mapped_column(Integer)  # the row number a spreadsheet shows (the header is 1)
    data: Mapped[dict | None] = mapped_column(JSON)
    errors: Mapped[list | None] = mapped_column(JSON)


class ImportOutcome(Base):
    """What became of one row: imported (as which group) or rejected (why)."""

    __tablename__ = "import_outcomes"

    job_id: Mapped[str] = mapped_column(ForeignKey("import_jobs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(10))  # imported, rejected
    kim_id: Mapped[str | None] = mapped_column(String(32), index=True)
    reasons: Mapped[list | None] = mapped_column(JSON)


# --- issue 15, posts ------------------------------------------------------------------

class Post(Base):
    """A group's post (local news): its Markdown as written and the sanitised
    HTML rendered from it at writing (services/registry/posts.py), so every
    reader gets the same safe HTML without rendering again. The images are the
    gateway's media ids (the gateway stores the files)."""

    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kim_id: Mapped[str] = mapped_column(ForeignKey("kims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    images: Mapped[list] = mapped_column(JSON, default=list)
    tags: Mapped[list] = mapped_column(JSON, default=list)
    date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))  # why it was rejected or taken down
    reviewed_by: Mapped[str | None] = mapped_column(String(100))  # the office's actor label
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)


class RegencyPostReview(Base):
    """A regency whose office reviews posts before publication (no row: published at once)."""

    __tablename__ = "regency_post_review"

    regency_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    required: Mapped[bool] = mapped_column(default=False)
    changed_by: Mapped[str] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
class EvaluationCriteria(Base):
    """The criteria for moving up a classification, set by the national admin for
    the whole country (`ID`) or one province or regency (regulations differ)."""

    __tablename__ = "evaluation_criteria"

    region_code: Mapped[str] = mapped_column(String(13), primary_key=True)
    criteria: Mapped[dict] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegionReassignment(Base):
    """A group whose village a newer release of the region data removed: never
    deleted nor moved by the update, it waits here for its office to choose its
    village (the group's PATCH of village_code clears the entry)."""

    __tablename__ = "region_reassignments"

    kim_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    village_code: Mapped[str] = mapped_column(String(13))  # the removed village, kept until its groups leave
    regency_code: Mapped[str] = mapped_column(String(5), index=True)  # for the office's scope
    reason: Mapped[str] = mapped_column(String(20))  # village_removed
    source: Mapped[str] = mapped_column(String(200))  # the release's folder name
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- issue 16, personal data (UU 27/2022) ------------------------------------------------

class ConsentRecord(ConsentRecordMixin, Base):
    """Which notice a member's or a group contact's personal fields were given under:
    `record` is member:<id> or kim_contact:<kim id>. Kept after an erasure, as proof."""


class Erasure(Base):
    """An office's erasure of what the platform holds about a person, on that person's
    request: the registry erases its own records at once, the other services on the event
    and answer with theirs (`services`: each one named, pending or done)."""

    __tablename__ = "erasures"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requested_by: Mapped[str] = mapped_column(String(100), index=True)  # the office's actor label
    reason: Mapped[str] = mapped_column(String(500))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    records: Mapped[int] = mapped_column(Integer)  # how many records it named (the references are in the event)
    services: Mapped[dict] = mapped_column(JSON)  # {service: "pending" | "done"}
    status: Mapped[str] = mapped_column(String(10))  # pending, done
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
