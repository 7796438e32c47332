"""The region master data: every row of the shipped CSVs, loaded once."""
import csv
import gzip
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.migrations import upgrade
from services.common.regions import REGION_CODE_PATTERN
from services.registry import regions
from services.registry.models import Region

REGISTRY = Path(__file__).resolve().parents[1]


def csv_rows(name: str) -> int:
    with gzip.open(REGISTRY / "data" / f"{name}.csv.gz", "rt", encoding="utf-8", newline="") as f:
        return sum(1 for _ in csv.DictReader(f))


def test_load_matches_the_csvs_and_happens_once(databases):
    url = databases("registry")
    upgrade(url, REGISTRY / "migrations")
    engine = make_engine(url)
    started = time.perf_counter()
    counts = regions.load_regions(engine)
    print(f"{databases.backend}: loaded {sum(counts.values())} regions in {time.perf_counter() - started:.2f}s")
    expected = {name: csv_rows(name) for name in ("provinces", "regencies", "districts", "villages")}
    assert expected == {"provinces": 38, "regencies": 514, "districts": 7285, "villages": 83762}
    assert counts == expected
    with Session(engine) as session:
        by_level = dict(session.execute(select(Region.level, func.count()).group_by(Region.level)).all())
        assert by_level == {"province": 38, "regency": 514, "district": 7285, "village": 83762}
        riau = session.get(Region, "14")
        assert riau.name == "Riau" and riau.parent_code is None
        assert session.get(Region, "14.71").name == "Kota Pekanbaru"

    assert regions.load_regions(engine) is None  # a second start loads nothing
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Region)) == sum(expected.values())
    engine.dispose()


def test_every_parent_exists():
    rows = regions.read_source_rows()
    codes = {r["code"] for name in rows for r in rows[name]}
    for name in rows:
        for r in rows[name]:
            assert r["parent_code"] is None or r["parent_code"] in codes, r
            assert REGION_CODE_PATTERN.match(r["code"]), r
            assert regions.level_of(r["code"]) == r["level"]
