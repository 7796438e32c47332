"""python -m services.registry.seed N: register N made-up KIM spread over
the real villages, in bulk, for benchmarks and demonstrations.

Groups are registered the way the service does it (ids, tags, status
history, `kim_registered` events in the outbox), then the coverage counters
are rebuilt once. Run it against a stopped or running registry database.
"""
import argparse
import json
import random
import time
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from services.common.db import make_engine, unit_of_work
from services.common.events import record_events, utcnow
from services.common.migrations import upgrade
from services.registry import coverage
from services.registry.events import kim_registered
from services.registry.kims import CLASSIFICATIONS, kim_id_prefix, name_key, sk_key
from services.registry.models import Kim, KimTag, Region, StatusChange, Tag
from services.registry.settings import RegistrySettings
from services.registry.startup import MIGRATIONS, load_reference_data

WORDS = ["Maju", "Bersama", "Sejahtera", "Mandiri", "Harapan", "Cerdas", "Bersatu", "Lestari", "Makmur", "Bangkit"]


def seed(engine, count: int, rng: random.Random, batch: int = 5000) -> int:
    with Session(engine) as session:
        villages = session.scalars(select(Region.code).where(Region.level == "village").order_by(Region.code)).all()
        tags = session.scalars(select(Tag.code)).all()
        taken = session.scalar(select(func.count()).select_from(Kim))
        # ids number the groups of each village, as the service does
        in_village = Counter(dict(session.execute(select(Kim.village_code, func.count()).group_by(Kim.village_code))
                                  .all()))
    created = 0
    while created < count:
        now, rows, tag_rows, history = utcnow(), [], [], []
        for _ in range(min(batch, count - created)):
            number = taken + created + 1
            village = rng.choice(villages)
            in_village[village] += 1
            kim_id = f"{kim_id_prefix(village)}{in_village[village]:02d}"
            name = f"KIM {rng.choice(WORDS)} {rng.choice(WORDS)} {number}"
            sk = f"SEED/{number:07d}/{now.year}"
            rows.append(dict(
                id=kim_id, name=name, name_key=name_key(name), village_code=village, district_code=village[:8],
                regency_code=village[:5], province_code=village[:2], address=None, lat=None, lon=None,
                sk_number=sk, sk_number_key=sk_key(sk), sk_date=date(2020, 1, 1) + timedelta(days=rng.randrange(1500)),
                sk_issuer="Kepala Desa", classification=rng.choice(CLASSIFICATIONS), contact={},
                status=rng.choices(["active", "vakum"], weights=[4, 1])[0], status_reason="seeded",
                last_activity_on=now.date(), version=1, created_at=now, updated_at=now))
            for tag in rng.sample(tags, rng.randint(0, 2)):
                tag_rows.append({"kim_id": kim_id, "tag": tag})
            history.append({"kim_id": kim_id, "old": None, "new": rows[-1]["status"], "reason": "seeded",
                            "actor": "system:seed", "changed_at": now})
            created += 1
        with unit_of_work(engine, "registry") as session:
            session.execute(insert(Kim), rows)
            if tag_rows:
                session.execute(insert(KimTag), tag_rows)
            session.execute(insert(StatusChange), history)
            by_id = {t["kim_id"]: [] for t in tag_rows}
            for t in tag_rows:
                by_id[t["kim_id"]].append(t["tag"])
            record_events(session, "kim_registered", [_event(row, by_id.get(row["id"], [])) for row in rows])
    with Session(engine) as session, session.begin():
        coverage.rebuild(session)
    return created


def _event(row: dict, tags: list[str]):
    kim = Kim(**row)
    kim.tags = [KimTag(tag=t) for t in sorted(tags)]
    return kim_registered(kim)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("--random-seed", type=int, default=2026)
    args = parser.parse_args()
    settings = RegistrySettings()
    upgrade(settings.db_url, MIGRATIONS)
    load_reference_data(settings)
    engine = make_engine(settings.db_url, pool_size=1)
    started = time.perf_counter()
    created = seed(engine, args.count, random.Random(args.random_seed))
    engine.dispose()
    print(json.dumps({"seeded": created, "seconds": round(time.perf_counter() - started, 2)}))


if __name__ == "__main__":
    main()
