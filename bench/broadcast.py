"""Broadcast service figures, on SQLite and on PostgreSQL.

  python bench/broadcast.py [fanout] [replica]      (or: make bench; both by default)

fanout: one KIM in each of the 83,762 villages, one broadcast to all of
them, from publish to every delivery recorded; next to a bulk insert of the
same number of rows into the same database, in the same run. Runs the
service's own fan-out step (what its timer runs: one committed batch of
KIM_FANOUT_BATCH_SIZE deliveries at a time).

replica: the broadcast service running as its own process
(`python -m services.broadcast`), fed `kim_registered` events by the
registry's own outbox relay (a registry-shaped outbox in a bench database):
1. BENCH_EVENTS (default 100,000) events recorded in one transaction and
   published by the relay while the service is frozen (SIGSTOP), then the
   time from its SIGCONT until the replica holds them all (a backlog drain);
2. events recorded and relayed one at a time at BENCH_EVENT_RATE (default
   200) a second for BENCH_SECONDS, as registrations do: p50 / p99 from the
   registry's commit to the replica row written (its `updated_at`).
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Column, MetaData, String, Table, func, insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.common import ROOT  # noqa: E402
from services.broadcast import broadcasts  # noqa: E402
from services.broadcast.models import Broadcast, Delivery, DirectoryKim  # noqa: E402
from services.broadcast.settings import BroadcastSettings  # noqa: E402
from services.common.bus import ConfirmedPublisher  # noqa: E402
from services.common.db import make_engine, plumbing_metadata, unit_of_work  # noqa: E402
from services.common.events import as_utc, record_event, record_events, utcnow  # noqa: E402
from services.common.migrations import upgrade  # noqa: E402
from services.common.outbox import OutboxRelay  # noqa: E402
from services.common.scope import Actor  # noqa: E402
from services.common.testing import (  # noqa: E402
    amqp_uri_for,
    create_postgres_database,
    create_vhost,
    delete_vhost,
    drop_postgres_database,
    rabbit_api,
)
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


def fanout_figures(villages: list[str]):
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


EVENTS = int(os.environ.get("BENCH_EVENTS", "100000"))
EVENT_RATE = float(os.environ.get("BENCH_EVENT_RATE", "200"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
REPLICA_QUEUE = "evt-registry-kim_registered--broadcast.on_kim_registered"


def kim_record(n: int, village: str) -> dict:
    """A kim_registered payload (its contract: KimRecord), as the registry builds it."""
    now = utcnow().isoformat()
    return {"id": f"KIM-BENCH-{n:07d}", "name": f"KIM Bench {n}", "village_code": village,
            "region_path": [village[:2], village[:5], village[:8], village], "address": None, "lat": None,
            "lon": None, "sk": {"number": f"BENCH/{n}", "date": "2024-01-01", "issuer": "Kepala Desa"},
            "tags": ["pemuda"] if n % 2 else [], "classification": "tumbuh", "status": "active",
            "status_reason": None, "last_activity_on": "2024-01-01", "version": 1, "created_at": now,
            "updated_at": now}


def replica_rows(url: str) -> dict:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return dict(conn.execute(select(DirectoryKim.id, DirectoryKim.updated_at)).all())
    finally:
        engine.dispose()


def replica_count(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(DirectoryKim))
    finally:
        engine.dispose()


def start_broadcast(amqp_uri: str, url: str, data_dir: str) -> subprocess.Popen:
    env = {**os.environ, "AMQP_URI": amqp_uri, "BROADCAST_DATABASE_URL": url, "BROADCAST_METRICS_PORT": "0",
           "KIM_DATA_DIR": data_dir, "KIM_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "services.broadcast"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if rabbit_api("GET", f"/api/queues/{amqp_uri.rsplit('/', 1)[1]}/{REPLICA_QUEUE}").json().get("consumers"):
                return process
        except Exception:
            pass  # not declared yet
        time.sleep(0.3)
    raise SystemExit("the broadcast service did not start consuming")


def replica_run(url: str, amqp_uri: str, data_dir: str, villages: list[str]) -> dict:
    outbox_engine = make_engine(f"sqlite:///{data_dir}/registry-outbox.db")
    plumbing_metadata.create_all(outbox_engine)
    relay = OutboxRelay(outbox_engine, ConfirmedPublisher(amqp_uri), "registry")
    upgrade(url, ROOT / "services" / "broadcast" / "migrations")
    service = start_broadcast(amqp_uri, url, data_dir)
    try:
        with unit_of_work(outbox_engine, "registry") as session:
            record_events(session, "kim_registered", [kim_record(n, villages[n % len(villages)])
                                                      for n in range(EVENTS)])
        # the service frozen while the relay publishes: then the drain is the consumer's alone
        os.kill(service.pid, signal.SIGSTOP)
        started = time.perf_counter()
        relay.relay_all()
        published = time.perf_counter() - started
        started = time.perf_counter()
        os.kill(service.pid, signal.SIGCONT)
        while replica_count(url) < EVENTS:
            time.sleep(0.2)
        backlog = time.perf_counter() - started

        occurred: dict[str, datetime] = {}
        paced = int(EVENT_RATE * SECONDS)
        started = time.perf_counter()
        for i in range(paced):
            pause = started + i / EVENT_RATE - time.perf_counter()
            if pause > 0:
                time.sleep(pause)
            n = EVENTS + i
            with unit_of_work(outbox_engine, "registry") as session:
                record_event(session, "kim_registered", kim_record(n, villages[n % len(villages)]))
            occurred[f"KIM-BENCH-{n:07d}"] = utcnow()  # committed
            relay.relay_once()
        offered = paced / (time.perf_counter() - started)
        while replica_count(url) < EVENTS + paced:
            time.sleep(0.2)
        rows = replica_rows(url)
        delays = sorted((as_utc(rows[kim_id]) - at).total_seconds() for kim_id, at in occurred.items())
    finally:
        service.terminate()
        service.wait(timeout=60)
        relay.publisher.close()
        outbox_engine.dispose()
    return {"published": published, "backlog": backlog, "offered": offered,
            "p50": delays[len(delays) // 2], "p99": delays[int(len(delays) * 0.99)]}


def replica_figures(villages: list[str]):
    print(f"== kim_registered events from the registry's outbox relay to the broadcast replica "
          f"({EVENTS:,} at once; then {EVENT_RATE:.0f}/s for {SECONDS:.0f} s, one at a time)")
    for backend in ("sqlite", "postgresql"):
        vhost = create_vhost("kim-bench")
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/broadcast.db" if backend == "sqlite" else create_postgres_database("kim_bench")
            try:
                figures = replica_run(url, amqp_uri_for(vhost), tmp, villages)
            finally:
                if backend == "postgresql":
                    drop_postgres_database(url)
                delete_vhost(vhost)
        print(f"  {backend:10s}: the relay published {EVENTS:,} in {figures['published']:.1f} s; the service, frozen "
              f"meanwhile, put them in the replica in {figures['backlog']:.1f} s ({EVENTS / figures['backlog']:,.0f} "
              f"events/s) | at {figures['offered']:.0f} events/s: commit to replica p50 "
              f"{figures['p50'] * 1000:.1f} ms, p99 {figures['p99'] * 1000:.1f} ms")


def main():
    parts = sys.argv[1:] or ["fanout", "replica"]
    villages = [r["code"] for r in read_source_rows()["villages"]]
    if "fanout" in parts:
        fanout_figures(villages)
    if "replica" in parts:
        replica_figures(villages)


if __name__ == "__main__":
    main()
