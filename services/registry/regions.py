"""Region master data: loading the Kemendagri codes and reading them.

Codes: province `14`, regency/city `14.71`, district `14.71.01`,
village `14.71.01.1001`; a code's ancestors are its dotted prefixes.
"""
import csv
import gzip
import logging
import time
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from services.common.db import is_postgresql
from services.common.errors import NotFound, invalid
from services.common.events import utcnow
from services.common.regions import REGION_CODE_PATTERN
from services.common.text import strip_blank
from services.registry.models import Region, RegionLoad

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
SOURCE = "idn-area-data 4.0.1"
LEVELS = ("province", "regency", "district", "village")
# file, parent column, level
FILES = (
    ("provinces", None, "province"),
    ("regencies", "province_code", "regency"),
    ("districts", "regency_code", "district"),
    ("villages", "district_code", "village"),
)
LOAD_LOCK_KEY = 0x6B696D_0001
MAX_PAGE = 500


def level_of(code: str) -> str:
    return LEVELS[code.count(".")]


def ancestor_codes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def check_code(code) -> str:
    if not isinstance(code, str) or not REGION_CODE_PATTERN.match(code):
        raise invalid("code", "a Kemendagri code such as 14, 14.71, 14.71.01 or 14.71.01.1001",
                      "Kode wilayah tidak valid.", "Invalid region code.")
    return code


# --- loading ---------------------------------------------------------------

def read_source_rows() -> dict[str, list[dict]]:
    rows = {}
    for name, parent_column, level in FILES:
        with gzip.open(DATA_DIR / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
            rows[name] = [
                {"code": r["code"], "name": r["name"], "level": level,
                 "parent_code": r[parent_column] if parent_column else None}
                for r in csv.DictReader(f)
            ]
    return rows


def load_regions(engine: Engine) -> dict | None:
    """Load all regions in one transaction, once. Returns the counts loaded,
    or None when this source was loaded before."""
    with engine.begin() as conn:
        if is_postgresql(engine):
            conn.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK_KEY)))
        if conn.scalar(select(RegionLoad.source).where(RegionLoad.source == SOURCE)):
            return None
        started = time.perf_counter()
        rows = read_source_rows()
        everything = [row for name, _, _ in FILES for row in rows[name]]
        # one executemany: SQLAlchemy batches it into multi-row INSERTs
        # (COPY would be faster on PostgreSQL but psycopg2 refuses it under
        # the green wait callback the services run with)
        conn.execute(insert(Region), everything)
        counts = {name: len(rows[name]) for name, _, _ in FILES}
        conn.execute(insert(RegionLoad).values(source=SOURCE, loaded_at=utcnow(), **counts))
    log.info("loaded %s regions from %s in %.2fs", sum(counts.values()), SOURCE,
             time.perf_counter() - started)
    return counts


# --- reading ---------------------------------------------------------------

REGION_COLUMNS = (Region.code, Region.name, Region.level, Region.parent_code)


def region_dict(region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level,
            "parent_code": region.parent_code}


def get_region(session: Session, code: str) -> dict:
    """One region with its ancestors (province first) and its children, in one query."""
    check_code(code)
    ancestors = ancestor_codes(code)
    rows = session.execute(
        select(*REGION_COLUMNS)
        .where(Region.code.in_(ancestors + [code]) | (Region.parent_code == code))
        .order_by(Region.code)
    ).all()
    found = {r.code: r for r in rows}
    if code not in found:
        raise NotFound(f"Wilayah dengan kode {code} tidak ditemukan.",
                       detail_en=f"No region with code {code}.", code=code)
    result = region_dict(found[code])
    result["ancestors"] = [region_dict(found[c]) for c in ancestors if c in found]
    result["children"] = [region_dict(r) for r in rows if r.parent_code == code]
    return result


def _page(limit, offset):
    if not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise invalid("limit", f"1..{MAX_PAGE}", "limit di luar batas.", "limit out of range.")
    if not isinstance(offset, int) or offset < 0:
        raise invalid("offset", ">= 0", "offset tidak valid.", "Invalid offset.")


def list_children(session: Session, parent: str | None, limit: int = 50, offset: int = 0) -> dict:
    """Children of a region (provinces when parent is None), by code."""
    _page(limit, offset)
    if parent is None:
        condition = Region.parent_code.is_(None)
    else:
        check_code(parent)
        if session.get(Region, parent) is None:
            raise NotFound(f"Wilayah dengan kode {parent} tidak ditemukan.",
                           detail_en=f"No region with code {parent}.", code=parent)
        condition = Region.parent_code == parent
    total = session.scalar(select(func.count()).select_from(Region).where(condition))
    items = session.scalars(select(Region).where(condition).order_by(Region.code)
                            .limit(limit).offset(offset)).all()
    return {"items": [region_dict(r) for r in items], "total": total}


def search(session: Session, q: str, level: str | None = None, limit: int = 50, offset: int = 0) -> dict:
    """Regions whose name contains `q` (case-insensitive, without the spaces around it), shortest
    names first. `q` is 2 to 100 characters as sent, as the API's schema says (counting what
    `strip()` left refused schema-valid text: "É" and U+001C). Text that is all blank finds
    nothing."""
    _page(limit, offset)
    if not isinstance(q, str) or not 2 <= len(q) <= 100:
        raise invalid("q", "2..100 characters", "Kata pencarian harus 2 sampai 100 karakter.",
                      "The search text must be 2 to 100 characters.")
    if level is not None and level not in LEVELS:
        raise invalid("level", f"one of {', '.join(LEVELS)}", "Tingkat wilayah tidak dikenal.",
                      "Unknown region level.")
    words = strip_blank(q)
    if not words:
        return {"items": [], "total": 0}
    pattern = "%" + words.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    condition = func.lower(Region.name).like(pattern, escape="\\")
    if level:
        condition = condition & (Region.level == level)
    total = session.scalar(select(func.count()).select_from(Region).where(condition))
    items = session.scalars(select(Region).where(condition)
                            .order_by(func.length(Region.name), Region.code)
                            .limit(limit).offset(offset)).all()
    return {"items": [region_dict(r) for r in items], "total": total}

