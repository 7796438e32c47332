"""Loading a newer release of the region data (idn-area-data) into a running registry.

    python -m services.registry.regions_update FOLDER [--apply] [--json]

FOLDER holds the release's provinces, regencies, districts and villages
(`.csv` or `.csv.gz`, the columns of idn-area-data 4). Without --apply it only
prints the difference with the registry's regions; with --apply it makes them
equal in one transaction:

- added regions are inserted, renamed ones renamed;
- a village whose code disappeared while exactly one new code of the same
  province carries its name (Kemendagri recodes a village it moves to another
  district) is *moved*: its groups follow it to the new code, each with a
  `kim_updated` event carrying the new region path, so every replica follows;
- a removed village without groups is deleted; one with groups is kept, with
  its groups, until its office reassigns them (the `region_reassignments`
  list): nothing is deleted nor moved silently. Running the command again
  after the reassignments deletes the emptied villages;
- the coverage counters of every region on a changed path are recounted.

Applying the same release twice changes nothing the second time.
"""
import argparse
import csv
import gzip
import json
import sys
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, distinct, func, insert, select, text, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from services.common.db import make_engine, service_session, unit_of_work
from services.common.events import record_events, utcnow
from services.common.regions import REGION_CODE_PATTERN
from services.common.scope import Actor, require_office
from services.registry import events
from services.registry.coverage import COUNTRY
from services.registry.kims.groups import _locate
from services.registry.models import Kim, Region, RegionCount, RegionReassignment
from services.registry.regions import FILES, LEVELS, LOAD_LOCK_KEY, ancestor_codes, level_of

REMOVED = "village_removed"


class ReleaseError(ValueError):
    """A release that cannot be loaded (a missing file, a code without its parent)."""


# --- reading a release -------------------------------------------------------------

def _open(folder: Path, name: str):
    for candidate, opener in ((folder / f"{name}.csv.gz", gzip.open), (folder / f"{name}.csv", open)):
        if candidate.exists():
            return opener(candidate, "rt", encoding="utf-8", newline="")
    raise ReleaseError(f"{folder} has no {name}.csv nor {name}.csv.gz")


def read_release(folder: Path) -> dict[str, tuple[str, str | None]]:
    """Every region of the release: code -> (name, parent code), checked: a
    code's parent is its dotted prefix and is in the release."""
    regions: dict[str, tuple[str, str | None]] = {}
    for name, parent_column, level in FILES:
        with _open(folder, name) as f:
            for row in csv.DictReader(f):
                code, parent = row["code"].strip(), (row[parent_column].strip() if parent_column else None)
                if not REGION_CODE_PATTERN.match(code) or level_of(code) != level:
                    raise ReleaseError(f"{name}: {code!r} is not a {level} code")
                expected = ancestor_codes(code)[-1] if parent_column else None
                if parent != expected or (parent is not None and parent not in regions):
                    raise ReleaseError(f"{name}: {code} has parent {parent!r}, expected {expected!r} in the release")
                regions[code] = (row["name"].strip(), parent)
    return regions


# --- the difference --------------------------------------------------------------

def _folded(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass
class Difference:
    added: dict[str, list[dict]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    renamed: dict[str, list[dict]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    removed: dict[str, list[dict]] = field(default_factory=lambda: {level: [] for level in LEVELS})
    moved: list[dict] = field(default_factory=list)  # villages: old code -> new code
    groups_moved: list[dict] = field(default_factory=list)
    to_reassign: list[dict] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # removed regions kept while groups are in them

    @property
    def empty(self) -> bool:
        return not (self.moved or self.groups_moved or any(
            changes for kind in (self.added, self.renamed) for changes in kind.values())
            or any(r["code"] not in self.kept for rows in self.removed.values() for r in rows))

    def as_dict(self) -> dict:
        return {"added": self.added, "renamed": self.renamed, "moved": self.moved, "removed": self.removed,
                "kept": self.kept, "groups": {"moved": self.groups_moved, "to_reassign": self.to_reassign}}


def difference(session: Session, release: dict[str, tuple[str, str | None]]) -> Difference:
    current = {r.code: (r.name, r.parent_code) for r in session.execute(
        select(Region.code, Region.name, Region.parent_code))}
    diff = Difference()
    added = sorted(set(release) - set(current))
    removed = sorted(set(current) - set(release))
    for code in sorted(set(release) & set(current)):
        if release[code][0] != current[code][0]:
            diff.renamed[level_of(code)].append(
                {"code": code, "old_name": current[code][0], "new_name": release[code][0]})
    # a village recoded under another district: one removed and one added code, same province, same name
    gone: dict[tuple, list[str]] = defaultdict(list)
    new: dict[tuple, list[str]] = defaultdict(list)
    for code in removed:
        if level_of(code) == "village":
            gone[(code[:2], _folded(current[code][0]))].append(code)
    for code in added:
        if level_of(code) == "village":
            new[(code[:2], _folded(release[code][0]))].append(code)
    moved_from, moved_to = set(), set()
    for key, old_codes in gone.items():
        if len(old_codes) == 1 and len(new.get(key, [])) == 1:
            old, to = old_codes[0], new[key][0]
            moved_from.add(old)
            moved_to.add(to)
            diff.moved.append({"old_code": old, "new_code": to, "name": release[to][0],
                               "old_district": current[old][1], "new_district": release[to][1]})
    diff.moved.sort(key=lambda m: m["old_code"])
    for code in added:
        if code not in moved_to:
            diff.added[level_of(code)].append({"code": code, "name": release[code][0], "parent_code": release[code][1]})
    for code in removed:
        if code not in moved_from:
            diff.removed[level_of(code)].append({"code": code, "name": current[code][0]})
    # the groups concerned
    new_code = {m["old_code"]: m["new_code"] for m in diff.moved}
    removed_villages = [r["code"] for r in diff.removed["village"]]
    for kim_id, village, status in session.execute(
            select(Kim.id, Kim.village_code, Kim.status)
            .where(Kim.village_code.in_(sorted(new_code) + removed_villages)).order_by(Kim.id)):
        if village in new_code:
            diff.groups_moved.append({"kim_id": kim_id, "old_village": village, "new_village": new_code[village]})
        else:
            if village not in diff.kept:
                diff.kept.append(village)
            if status != "dissolved":  # a dissolved group cannot be edited: it keeps its old village
                diff.to_reassign.append({"kim_id": kim_id, "village_code": village, "reason": REMOVED})
    kept_villages = list(diff.kept)
    for level in ("district", "regency", "province"):
        for region in diff.removed[level]:
            if any(v.startswith(region["code"] + ".") for v in kept_villages):
                diff.kept.append(region["code"])
    diff.kept.sort()
    return diff


# --- applying it ------------------------------------------------------------------

def _recount(session: Session, code: str) -> dict:
    """The exact counters of one region (or the country) from the regions and the groups."""
    villages: ColumnElement[bool]
    groups: ColumnElement[bool]
    if code == COUNTRY:
        villages, groups = Region.level == "village", Kim.id.is_not(None)
    else:
        villages = (Region.level == "village") & (Region.code.like(code + ".%") | (Region.code == code))
        column = {0: Kim.province_code, 1: Kim.regency_code, 2: Kim.district_code, 3: Kim.village_code}
        groups = column[code.count(".")] == code
    by_status: Counter[str] = Counter({status: count for status, count in session.execute(
        select(Kim.status, func.count()).where(groups).group_by(Kim.status))})

    def villages_with(*statuses):
        return session.scalar(select(func.count(distinct(Kim.village_code)))
                              .where(groups & Kim.status.in_(statuses)))

    return {"villages_total": session.scalar(select(func.count()).select_from(Region).where(villages)),
            "villages_with_kim": villages_with("active", "vakum"),
            "villages_with_active_kim": villages_with("active"),
            "kim_active": by_status["active"], "kim_vakum": by_status["vakum"],
            "kim_dissolved": by_status["dissolved"]}


def _lock(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        # one update at a time, and no group registered or moved meanwhile:
        # the recount below must see every group (a group's write waits seconds at most)
        session.execute(select(func.pg_advisory_xact_lock(LOAD_LOCK_KEY)))
        session.execute(text("LOCK TABLE kims IN SHARE ROW EXCLUSIVE MODE"))


def apply(session: Session, release: dict[str, tuple[str, str | None]], source: str) -> Difference:
    """Make the registry's regions those of `release`, in the caller's transaction."""
    _lock(session)
    diff = difference(session, release)
    if diff.empty and not diff.to_reassign:
        return diff
    now = utcnow()
    touched: set[str] = set()
    added = [row for level in LEVELS for row in diff.added[level]]
    added += [{"code": m["new_code"], "name": m["name"], "parent_code": m["new_district"]} for m in diff.moved]
    added.sort(key=lambda r: r["code"])
    if added:
        session.execute(insert(Region), [{**r, "level": level_of(r["code"])} for r in added])
        session.execute(insert(RegionCount), [{"code": r["code"], "parent_code": r["parent_code"] or COUNTRY}
                                              for r in added])
        touched.update(r["code"] for r in added)
    for level in LEVELS:
        for r in diff.renamed[level]:
            session.execute(update(Region).where(Region.code == r["code"]).values(name=r["new_name"]))
    # the groups of a moved village follow it, each announced to the replicas
    new_code = {m["old_code"]: m["new_code"] for m in diff.moved}
    moved_kims = session.scalars(select(Kim).where(Kim.village_code.in_(sorted(new_code)))
                                 .order_by(Kim.id)).all() if new_code else []
    for kim in moved_kims:
        _locate(kim, new_code[kim.village_code])
        kim.version += 1
        kim.updated_at = now
    session.flush()
    record_events(session, "kim_updated", [events.kim_updated(kim) for kim in moved_kims])
    # groups of a removed village wait for their office
    listed = set(session.scalars(select(RegionReassignment.kim_id)
                                 .where(RegionReassignment.kim_id.in_([g["kim_id"] for g in diff.to_reassign]))))
    fresh = [g for g in diff.to_reassign if g["kim_id"] not in listed]
    if fresh:
        session.execute(insert(RegionReassignment), [
            {**g, "regency_code": g["village_code"][:5], "source": source[:200], "created_at": now} for g in fresh])
    gone = [m["old_code"] for m in diff.moved] + [r["code"] for level in reversed(LEVELS)
                                                  for r in diff.removed[level] if r["code"] not in diff.kept]
    if gone:
        session.execute(delete(Region).where(Region.code.in_(gone)))
        session.execute(delete(RegionCount).where(RegionCount.code.in_(gone)))
        touched.update(gone)
    if not touched:
        return diff
    paths = {COUNTRY}
    for code in touched:
        paths.update(ancestor_codes(code))
    paths -= set(gone)
    for code in sorted(paths | (touched - set(gone))):
        session.execute(update(RegionCount).where(RegionCount.code == code).values(**_recount(session, code)))
    return diff


# --- the list an office reads -------------------------------------------------------

def list_reassignments(session: Session, actor: Actor) -> dict:
    """The groups within the office's scope waiting for a village (their own
    was removed by a region update), oldest first, with the removed village's name."""
    require_office(actor)
    query = select(RegionReassignment, Kim.name, Region.name).join(Kim, Kim.id == RegionReassignment.kim_id) \
        .join(Region, Region.code == RegionReassignment.village_code, isouter=True)
    if actor.scope_region:
        scope = actor.scope_region
        query = query.where((RegionReassignment.village_code == scope)
                            | RegionReassignment.village_code.like(scope + ".%"))
    items = [{"kim_id": r.kim_id, "kim_name": kim_name, "village_code": r.village_code, "village_name": village,
              "reason": r.reason, "source": r.source, "since": r.created_at.isoformat()}
             for r, kim_name, village in session.execute(
                 query.order_by(RegionReassignment.created_at, RegionReassignment.kim_id))]
    return {"items": items, "total": len(items)}


# --- the command -------------------------------------------------------------------

def readable(diff: Difference, applied: bool) -> str:
    lines = ["Perubahan data wilayah / region data changes" + (" (diterapkan / applied)" if applied else
                                                                 " (uji coba / dry run)")]
    for level in LEVELS:
        counts = (len(diff.added[level]), len(diff.renamed[level]), len(diff.removed[level]))
        lines.append(f"  {level}: +{counts[0]} added, {counts[1]} renamed, -{counts[2]} removed")
        for r in diff.added[level]:
            lines.append(f"    + {r['code']} {r['name']}")
        for r in diff.renamed[level]:
            lines.append(f"    ~ {r['code']} {r['old_name']} -> {r['new_name']}")
        for r in diff.removed[level]:
            kept = " (kept until its groups are reassigned)" if r["code"] in diff.kept else ""
            lines.append(f"    - {r['code']} {r['name']}{kept}")
    lines.append(f"  villages moved: {len(diff.moved)}")
    for m in diff.moved:
        lines.append(f"    > {m['old_code']} -> {m['new_code']} {m['name']}")
    lines.append(f"  groups following a moved village: {len(diff.groups_moved)}")
    for g in diff.groups_moved:
        lines.append(f"    > {g['kim_id']} {g['old_village']} -> {g['new_village']}")
    lines.append(f"  groups to reassign (village removed): {len(diff.to_reassign)}")
    for g in diff.to_reassign:
        lines.append(f"    ! {g['kim_id']} {g['village_code']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from services.registry.settings import RegistrySettings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--apply", action="store_true", help="update the registry (default: a dry run)")
    parser.add_argument("--json", action="store_true", help="print the difference as JSON")
    args = parser.parse_args(argv)
    try:
        release = read_release(args.folder)
    except ReleaseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(RegistrySettings().db_url, pool_size=1)
    try:
        if args.apply:
            with unit_of_work(engine, "registry") as session:
                diff = apply(session, release, args.folder.name)
        else:
            with service_session(engine, "registry") as session:
                diff = difference(session, release)
    finally:
        engine.dispose()
    print(json.dumps({"applied": args.apply, **diff.as_dict()}, indent=1) if args.json
          else readable(diff, args.apply))
    return 0


if __name__ == "__main__":
    sys.exit(main())
