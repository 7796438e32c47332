"""Coverage: how many villages have a KIM, an active KIM, and how many groups
are active or vakum, for every region and the whole country (`ID`).

Counters per region are updated in the same transaction as every change of
a group's status or village, so reading coverage is one indexed query
whatever the number of groups. `rebuild` recomputes them from the groups
(after a bulk seed, or to repair).
"""
from collections import Counter, defaultdict

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from services.common.db import add_to_rows
from services.common.errors import NotFound
from services.common.regions import REGION_CODE_PATTERN
from services.registry.models import Kim, Region, RegionCount
from services.registry.regions import LOAD_LOCK_KEY, ancestor_codes

COUNTRY = "ID"
COUNTRY_NAME = "Indonesia"
STATUS_COLUMN = {"active": "kim_active", "vakum": "kim_vakum", "dissolved": "kim_dissolved"}


def ensure_counts(session: Session):
    """Create the counter rows of every region once (after the region load)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK_KEY)))  # one instance at a time
    if session.scalar(select(func.count()).select_from(RegionCount)):
        return
    rows = session.execute(select(Region.code, Region.level, Region.parent_code)).all()
    villages_total = Counter()
    for code, level, _ in rows:
        if level == "village":
            for prefix in [COUNTRY, *ancestor_codes(code), code]:
                villages_total[prefix] += 1
    counters = [{"code": COUNTRY, "parent_code": None, "villages_total": villages_total[COUNTRY]}]
    counters += [{"code": code, "parent_code": parent or COUNTRY, "villages_total": villages_total[code]}
                 for code, _, parent in rows]
    session.execute(insert(RegionCount), counters)


def apply(session: Session, changes: list[tuple[str, str | None, str | None]]):
    """Apply groups moving between states: (village_code, status before, status
    after), None meaning "not in this village". The village rows are locked in
    code order, then their ancestors' in code order, each in one statement, so
    concurrent writers cannot deadlock; rows changing by the same amounts are
    updated in one statement (an import's batch of thousands of groups too)."""
    per_village: dict[str, Counter] = defaultdict(Counter)
    for village, before, after in changes:
        if before:
            per_village[village][STATUS_COLUMN[before]] -= 1
        if after:
            per_village[village][STATUS_COLUMN[after]] += 1
    if not per_village:
        return
    villages = sorted(per_village)
    current = {code: (active, vakum) for code, active, vakum in session.execute(
        select(RegionCount.code, RegionCount.kim_active, RegionCount.kim_vakum)
        .where(RegionCount.code.in_(villages)).order_by(RegionCount.code).with_for_update())}
    deltas: dict[str, Counter] = {}
    ancestor_deltas: dict[str, Counter] = defaultdict(Counter)
    for village in villages:
        delta = per_village[village]
        kim_active, kim_vakum = current[village]  # every village has its row (ensure_counts)
        had_kim, had_active = kim_active + kim_vakum > 0, kim_active > 0
        active = kim_active + delta["kim_active"]
        vakum = kim_vakum + delta["kim_vakum"]
        delta["villages_with_kim"] = int(active + vakum > 0) - int(had_kim)
        delta["villages_with_active_kim"] = int(active > 0) - int(had_active)
        deltas[village] = delta
        for code in [COUNTRY, *ancestor_codes(village)]:
            ancestor_deltas[code].update(delta)
    session.execute(select(RegionCount.code).where(RegionCount.code.in_(sorted(ancestor_deltas)))
                    .order_by(RegionCount.code).with_for_update())
    changed = [(code, delta) for code, delta in [*deltas.items(), *ancestor_deltas.items()] if any(delta.values())]
    columns = sorted({column for _, delta in changed for column, amount in delta.items() if amount})
    add_to_rows(session, RegionCount.__table__, "code",
                [{"code": code, **{column: delta[column] for column in columns}} for code, delta in changed])


def rebuild(session: Session):
    """Recompute every counter from the groups themselves."""
    session.execute(update(RegionCount).values(villages_with_kim=0, villages_with_active_kim=0,
                                               kim_active=0, kim_vakum=0, kim_dissolved=0))
    per_village = defaultdict(Counter)
    for village, status, count in session.execute(
            select(Kim.village_code, Kim.status, func.count()).group_by(Kim.village_code, Kim.status)):
        per_village[village][STATUS_COLUMN[status]] += count
    totals: dict[str, Counter] = defaultdict(Counter)
    for village, counts in per_village.items():
        counts["villages_with_kim"] = int(counts["kim_active"] + counts["kim_vakum"] > 0)
        counts["villages_with_active_kim"] = int(counts["kim_active"] > 0)
        for code in [COUNTRY, *ancestor_codes(village), village]:
            totals[code].update(counts)
    for code, counts in totals.items():
        session.execute(update(RegionCount).where(RegionCount.code == code).values(**counts))


def percent(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def _figures(row, name: str, level: str, public: bool) -> dict:
    figures = {
        "code": row.code, "name": name, "level": level,
        "villages_total": row.villages_total,
        "villages_with_kim": row.villages_with_kim,
        "villages_with_active_kim": row.villages_with_active_kim,
        "kim_active": row.kim_active,
        "kim_vakum": row.kim_vakum,
        "coverage_percent": percent(row.villages_with_kim, row.villages_total),
        "active_coverage_percent": percent(row.villages_with_active_kim, row.villages_total),
    }
    if not public:
        figures["kim_dissolved"] = row.kim_dissolved
    return figures


def get_coverage(session: Session, code: str, public: bool = False) -> dict:
    """The figures of a region and of each of its children: one query."""
    if code != COUNTRY and not (isinstance(code, str) and REGION_CODE_PATTERN.match(code)):
        raise NotFound(f"Wilayah {code} tidak ditemukan.", detail_en=f"No region {code}.", code=code)
    rows = session.execute(
        select(RegionCount, Region.name, Region.level)
        .join(Region, Region.code == RegionCount.code, isouter=True)
        .where((RegionCount.code == code) | (RegionCount.parent_code == code))
        .order_by(RegionCount.code)
    ).all()
    own = next((r for r in rows if r[0].code == code), None)
    if own is None:
        raise NotFound(f"Wilayah {code} tidak ditemukan.", detail_en=f"No region {code}.", code=code)
    result = _figures(own[0], own[1] or COUNTRY_NAME, own[2] or "country", public)
    result["children"] = [_figures(r[0], r[1], r[2], public) for r in rows if r[0].code != code]
    return result

