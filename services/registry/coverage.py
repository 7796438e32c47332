"""Coverage: how many villages have a KIM, an active KIM, and how many groups
are active or vakum, for every region and the whole country (`ID`).

Counters per region are updated in the same transaction as every change of
a group's status or village, so reading coverage is one indexed query
whatever the number of groups. `rebuild` recomputes them from the groups
(after a bulk seed, or to repair).
"""
from collections import Counter, defaultdict

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

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


COUNTERS = ("villages_with_kim", "villages_with_active_kim", "kim_active", "kim_vakum", "kim_dissolved")
_counts = RegionCount.__table__
# one statement, compiled once, run for every region a change touches
_ADD = update(_counts).where(_counts.c.code == bindparam("region")).values(
    {column: _counts.c[column] + bindparam(f"add_{column}") for column in COUNTERS})


def apply(session: Session, changes: list[tuple[str, str | None, str | None]]):
    """Apply groups moving between states: (village_code, status before, status
    after), None meaning "not in this village". Village rows are locked in
    code order before any ancestor, so concurrent writers cannot deadlock;
    then one statement adds the deltas to the villages and their ancestors
    (the country first), in that order."""
    per_village: dict[str, Counter] = defaultdict(Counter)
    for village, before, after in changes:
        if before:
            per_village[village][STATUS_COLUMN[before]] -= 1
        if after:
            per_village[village][STATUS_COLUMN[after]] += 1
    additions: list[tuple[str, Counter]] = []
    ancestor_deltas: dict[str, Counter] = defaultdict(Counter)
    for village in sorted(per_village):
        delta = per_village[village]
        active, vakum = session.execute(select(_counts.c.kim_active, _counts.c.kim_vakum)
                                        .where(_counts.c.code == village).with_for_update()).one()
        had_kim, had_active = active + vakum > 0, active > 0
        active += delta["kim_active"]
        vakum += delta["kim_vakum"]
        delta["villages_with_kim"] = int(active + vakum > 0) - int(had_kim)
        delta["villages_with_active_kim"] = int(active > 0) - int(had_active)
        additions.append((village, delta))
        for code in [COUNTRY, *ancestor_codes(village)]:
            ancestor_deltas[code].update(delta)
    additions += [(code, ancestor_deltas[code]) for code in sorted(ancestor_deltas, key=lambda c: (c != COUNTRY, c))]
    rows = [{"region": code, **{f"add_{column}": delta[column] for column in COUNTERS}}
            for code, delta in additions if any(delta[column] for column in COUNTERS)]
    if rows:
        session.execute(_ADD, rows)


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

