from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String
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
