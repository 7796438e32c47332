"""Kill the broadcast service (SIGKILL) in the middle of a 20,000-recipient
fan-out, start it again: exactly 20,000 deliveries, none twice."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.broadcast import broadcasts
from services.broadcast.models import Broadcast, Delivery, DirectoryKim
from services.common.db import make_engine, unit_of_work
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.common.scope import Actor

ROOT = Path(__file__).resolve().parents[3]
MIGRATIONS = ROOT / "services" / "broadcast" / "migrations"
GROUPS = 20_000
# 20 committed batches: the kill (after 2,000 deliveries) still comes in the middle, and the
# fan-out does not wait on a hundred commits, as with batches of 200 (several times slower)
BATCH = 1_000


def start_service(url: str, amqp_uri: str) -> subprocess.Popen:
    env = {**os.environ, "BROADCAST_DATABASE_URL": url, "AMQP_URI": amqp_uri, "BROADCAST_METRICS_PORT": "0",
           "KIM_FANOUT_BATCH_SIZE": str(BATCH), "KIM_FANOUT_CHECK_SECONDS": "0.1", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "services.broadcast"], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_in_the_middle_of_a_fanout_loses_and_repeats_nothing(databases, amqp_uri):
    url = databases("broadcast")
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    now = utcnow()
    with Session(engine) as session, session.begin():
        session.execute(insert(DirectoryKim), [
            {"id": f"KIM-CRASH-{n:05d}", "name": f"KIM {n}", "village_code": "14.71.01.1002",
             "district_code": "14.71.01", "regency_code": "14.71", "province_code": "14",
             "classification": "tumbuh", "status": "active", "version": 1, "updated_at": now}
            for n in range(GROUPS)])
    with unit_of_work(engine, "broadcast") as session:
        admin = Actor("admin")
        created = broadcasts.create_broadcast(session, admin, {
            "title": "Uji gagal di tengah", "body": "isi", "category": "pengumuman", "target": {"regions": ["14"]}})
        broadcasts.publish(session, admin, created["id"])

    def delivered() -> int:
        with Session(engine) as session:
            return session.scalar(select(func.count()).select_from(Delivery))

    service = start_service(url, amqp_uri)
    try:
        deadline = time.monotonic() + 180  # the service starting on a loaded machine, not a limit under test
        while delivered() < 2_000 and time.monotonic() < deadline:
            time.sleep(0.02)
        service.send_signal(signal.SIGKILL)
        service.wait()
        at_kill = delivered()
        assert 0 < at_kill < GROUPS, f"the kill came at {at_kill} deliveries, not in the middle"

        service = start_service(url, amqp_uri)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Session(engine) as session:
                if session.get(Broadcast, created["id"]).status == "published":
                    break
            time.sleep(0.2)
    finally:
        # this test is about a kill, not a graceful stop: everything it checks below was committed
        # before the broadcast read `published` (a graceful stop took up to 30 s on SQLite)
        service.kill()
        service.wait()
    assert delivered() == GROUPS
    with Session(engine) as session:
        assert session.get(Broadcast, created["id"]).status == "published"
        assert session.get(Broadcast, created["id"]).recipients == GROUPS
        assert session.scalar(select(func.count(func.distinct(Delivery.kim_id)))) == GROUPS
    engine.dispose()
