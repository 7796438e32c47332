from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.privacy import ConsentRecordMixin


class Base(DeclarativeBase):
    pass


class Aspiration(Base):
    """A citizen's suggestion, complaint or information request, routed to the
    regency/city containing its village, moving through the SP4N workflow."""

    __tablename__ = "aspirations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    tracking_code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(30))  # aspirasi, pengaduan, permintaan_informasi
    category: Mapped[str] = mapped_column(String(50), index=True)
    body: Mapped[str] = mapped_column(Text)
    village_code: Mapped[str] = mapped_column(String(13))
    regency_code: Mapped[str] = mapped_column(String(5), index=True)  # the responsible office
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    kim_id: Mapped[str | None] = mapped_column(String(32), index=True)
    # the group named filed it itself (its key or account): only then it sees who and a rahasia body
    filed_by_kim: Mapped[bool] = mapped_column(Boolean, default=False)
    broadcast_id: Mapped[str | None] = mapped_column(String(36))
    submitter: Mapped[dict] = mapped_column(JSON)  # personal data: name, phone, email
    # when the submitter was erased ({}): the retention timer or a person's request (services/aspirations/privacy.py)
    contact_erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    anonim: Mapped[bool] = mapped_column(Boolean)
    rahasia: Mapped[bool] = mapped_column(Boolean)
    publik: Mapped[bool] = mapped_column(Boolean, default=False)  # the submitter chose to publish it
    attachments: Mapped[list] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(15), index=True)
    response: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    forwarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    responded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HistoryEntry(Base):
    """The audit history: every step with its actor, time and note."""

    __tablename__ = "aspiration_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    aspiration_id: Mapped[str] = mapped_column(ForeignKey("aspirations.id"), index=True)
    old: Mapped[str | None] = mapped_column(String(15))
    new: Mapped[str] = mapped_column(String(15))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ConsentRecord(ConsentRecordMixin, Base):
    """The consent a submitter gave for the contact fields given (record `aspiration:<id>`); it holds
    no personal data and stays after the contact is erased, as proof."""


class DirectoryKim(Base):
    """This service's replica of the KIM directory (from the registry's events):
    enough to check a group filing for a citizen."""

    __tablename__ = "kim_directory"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    village_code: Mapped[str] = mapped_column(String(13))
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer)


# --- issue 15: hoax clarification (services/aspirations/hoaxes.py) -------------------

class HoaxCase(Base):
    """One claim circulating in a province, as its reports merged: the office
    labels it (with an explanation and sources) and sends a clarification."""

    __tablename__ = "hoax_cases"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)  # reports merge within a province
    claim: Mapped[str] = mapped_column(Text)  # the first report's words, what later reports are compared with
    status: Mapped[str] = mapped_column(String(15), index=True)  # HOAX_CASE_STATUSES
    title: Mapped[str | None] = mapped_column(String(200))  # the office's public headline, set with the label
    label: Mapped[str | None] = mapped_column(String(30), index=True)  # HOAX_LABELS
    explanation: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list] = mapped_column(JSON, default=list)  # links the explanation rests on
    labelled_by: Mapped[str | None] = mapped_column(String(100))
    labelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    broadcast_id: Mapped[str | None] = mapped_column(String(36))  # the clarification
    clarified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class HoaxReport(Base):
    """A group's or a citizen's report of a claim. No personal data: a citizen
    reports without a name or contact; a group is named by its id."""

    __tablename__ = "hoax_reports"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("hoax_cases.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    seen_on: Mapped[str] = mapped_column(String(30))  # HOAX_SOURCES
    seen_at: Mapped[date | None] = mapped_column(Date)
    village_code: Mapped[str] = mapped_column(String(13), index=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    kim_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the group that reported it
    reporter: Mapped[str] = mapped_column(String(100))  # kim:<key>, public, operator:<key>: never a person
    score: Mapped[int | None] = mapped_column(Integer)  # the similarity that merged it (None: it opened the case)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
