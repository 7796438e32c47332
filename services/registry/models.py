from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
