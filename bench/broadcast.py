"""Fan-out figures: one KIM in each of the 83,762 villages, one broadcast to
all of them, from publish to every delivery recorded; next to a bulk insert
of the same number of rows into the same database, in the same run.

  python bench/broadcast.py        (or: make bench)

Runs the service's own fan-out step (what its timer runs: one committed
batch of KIM_FANOUT_BATCH_SIZE deliveries at a time) on SQLite and on
PostgreSQL.
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, MetaData, String, Table, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import ROOT  # noqa: E402
from services.broadcast import broadcasts  # noqa: E402
from services.broadcast.models import Broadcast, Delivery, DirectoryKim  # noqa: E402
from services.broadcast.settings import BroadcastSettings  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.events import utcnow  # noqa: E402
from services.common.migrations import upgrade  # noqa: E402
from services.common.scope import Actor  # noqa: E402
from services.common.testing import create_postgres_database, drop_postgres_database  # noqa: E402
from services.registry.regions import read_source_rows  # noqa: E402

BATCH = BroadcastSettings().fanout_batch_size


def baseline_table(metadata: MetaData) -> Table:
    """A table shaped like the deliveries a broadcast writes, for the baseline."""
    return Table("bulk_baseline", metadata, *[Column(c.name, c.type) for c in Delivery.__table__.columns
                                               if c.name != "id"], Column("n", String(10), primary_key=True))


def run(url: str, villages: list[str]) -> dict:
    upgrade(url, ROOT / "services" / "broadcast" / "migrations")
    engine = make_engine(url)
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.execute(insert(DirectoryKim), [
            {"id": f"KIM-{v.replace('.', '')}-01", "name": f"KIM {v}", "village_code": v, "district_code": v[:8],
             "regency_code": v[:5], "province_code": v[:2], "classification": "tumbuh", "status": "active",
             "version": 1, "updated_at": now} for v in villages])

    metadata = MetaData()
    table = baseline_table(metadata)
    metadata.create_all(engine)
    rows = [{"n": str(i), "kind": "broadcast", "broadcast_id": None, "kim_id": f"KIM-{v.replace('.', '')}-01",
             "village_code": v, "created_at": now, "reached": 0, "push_state": "none", "push_attempts": 0}
            for i, v in enumerate(villages)]
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        session.execute(insert(table), rows)
    bulk = time.perf_counter() - started

    admin = Actor("admin")
    provinces = sorted({v[:2] for v in villages})
    with Session(engine) as session, session.begin():
        session.info["service"] = "broadcast"
        created = broadcasts.create_broadcast(session, admin, {
            "title": "Ke semua desa", "body": "Satu siaran untuk satu KIM di setiap desa.", "category": "pengumuman",
            "target": {"regions": provinces}})
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        broadcasts.publish(session, admin, created["id"])
    while True:  # what the service's fan-out timer does
        with Session(engine) as session, session.begin():
            session.info["service"] = "broadcast"
            broadcast_id, _ = broadcasts.fanout_step(session, BATCH)
        if broadcast_id is None:
            break
    fanout = time.perf_counter() - started
    with Session(engine) as session:
        delivered = session.scalar(select(func.count()).select_from(Delivery))
        assert session.get(Broadcast, created["id"]).recipients == delivered == len(villages)
    engine.dispose()
    return {"bulk": bulk, "fanout": fanout, "rows": delivered}


def main():
    villages = [r["code"] for r in read_source_rows()["villages"]]
    print(f"== one broadcast to one KIM in each of {len(villages):,} villages (batches of {BATCH})")
    for backend in ("sqlite", "postgresql"):
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/broadcast.db" if backend == "sqlite" else create_postgres_database("kim_bench")
            try:
                figures = run(url, villages)
            finally:
                if backend == "postgresql":
                    drop_postgres_database(url)
        print(f"  {backend:10s}: bulk insert of {figures['rows']:,} rows {figures['bulk']:.2f} s | "
              f"publish to every delivery recorded {figures['fanout']:.2f} s "
              f"({figures['rows'] / figures['fanout']:,.0f} deliveries/s) | "
              f"ratio {figures['fanout'] / figures['bulk']:.2f}x the bulk insert")


if __name__ == "__main__":
    main()
