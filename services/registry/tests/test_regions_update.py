"""A newer release of the region data, crafted from the shipped one, loaded
into a registry with groups in the villages it changes: a rename, a village
moved to another district (recoded), a split (a new village beside one whose
groups stay), a removal with a group and one without. The registry holds
only Riau's two cities (14.71 Pekanbaru, 14.72 Dumai), so the release is
those rows too."""
import csv
import gzip
import json
from collections import Counter

import pytest
from sqlalchemy import select

from services.common.db import make_engine, service_session, unit_of_work
from services.common.events import outbox
from services.common.migrations import upgrade
from services.common.scope import Actor
from services.registry import coverage, kims, regions, regions_update
from services.registry.models import Kim, Region, RegionCount, RegionReassignment
from services.registry.startup import MIGRATIONS

ZONE = "Asia/Jakarta"
ADMIN = Actor("admin", key_id="admin")
PEKANBARU = Actor("operator", "14.71", key_id="operator-pekanbaru")
DUMAI = Actor("operator", "14.72", key_id="operator-dumai")
RENAMED = "14.71.01.1002"  # Jadirejo -> Jadirejo Baru
MOVED, MOVED_TO = "14.71.01.1003", "14.71.02.1099"  # Kampung Tengah, from Sukajadi to Pekanbaru Kota
SPLIT, SPLIT_NEW = "14.71.01.1005", "14.71.01.1099"  # Kedung Sari stays, Kedung Sari Baru is new
REMOVED, REMOVED_EMPTY = "14.72.01.1003", "14.72.01.1006"  # Pangkalan Sesai (a group), Purnama (none)
OTHER = "14.72.01.1008"  # Bagan Keladi, where the removed village's group is reassigned


def subset() -> dict[str, list[dict]]:
    rows = regions.read_source_rows()
    keep = {name: [r for r in rows[name] if r["code"] == "14" or r["code"][:5] in ("14.71", "14.72")]
            for name in rows}
    keep["provinces"] = [r for r in rows["provinces"] if r["code"] == "14"]
    return keep


def write_release(folder, rows: dict[str, list[dict]]):
    """The release as idn-area-data ships it: villages gzip-compressed, the rest plain CSV."""
    folder.mkdir()
    for name, parent_column, _ in regions.FILES:
        columns = ["code"] + ([parent_column] if parent_column else []) + ["name"]
        path = folder / (f"{name}.csv.gz" if name == "villages" else f"{name}.csv")
        opener = gzip.open if name == "villages" else open
        with opener(path, "wt", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(columns)
            for r in rows[name]:
                writer.writerow([r["code"]] + ([r["parent_code"]] if parent_column else []) + [r["name"]])


def newer(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    villages = []
    for r in rows["villages"]:
        if r["code"] in (MOVED, REMOVED, REMOVED_EMPTY):
            continue
        villages.append({**r, "name": "Jadirejo Baru"} if r["code"] == RENAMED else r)
    villages.append({"code": MOVED_TO, "name": "Kampung Tengah", "parent_code": "14.71.02"})
    villages.append({"code": SPLIT_NEW, "name": "Kedung Sari Baru", "parent_code": "14.71.01"})
    districts = [{**r, "name": "Dumai Barat Lama"} if r["code"] == "14.72.01" else r for r in rows["districts"]]
    return {**rows, "villages": sorted(villages, key=lambda r: r["code"]), "districts": districts}


def group(name: str, village: str, number: str) -> dict:
    return {"name": name, "village_code": village, "classification": "tumbuh",
            "sk": {"number": number, "date": "2024-03-01", "issuer": "Lurah Setempat"}}


@pytest.fixture
def registry(databases, tmp_path):
    """A registry with the two cities and five groups; the crafted release's folder."""
    url = databases("registry")
    upgrade(url, MIGRATIONS)
    rows = subset()
    engine = make_engine(url)
    with unit_of_work(engine, "registry") as session:
        session.execute(Region.__table__.insert(), [r for name in rows for r in rows[name]])
        coverage.ensure_counts(session)
    ids = {}
    for key, name, village in (("renamed", "KIM Jadirejo", RENAMED), ("moved", "KIM Kampung Tengah", MOVED),
                               ("moved_vakum", "KIM Tengah Dua", MOVED), ("split", "KIM Kedung Sari", SPLIT),
                               ("removed", "KIM Pangkalan", REMOVED)):
        with unit_of_work(engine, "registry") as session:
            ids[key] = kims.register_kim(session, ADMIN, group(name, village, f"SK/{key}/2024"), timezone=ZONE)["id"]
    with unit_of_work(engine, "registry") as session:
        kims.change_status(session, ADMIN, ids["moved_vakum"], "vakum", "tidak ada kegiatan")
    folder = tmp_path / "idn-area-data-4.1.0"
    write_release(folder, newer(rows))
    yield engine, folder, ids
    engine.dispose()


def recount(session) -> dict[str, dict]:
    """Every counter computed from scratch, independently of the code under test."""
    village_codes = [c for c, level in session.execute(select(Region.code, Region.level)) if level == "village"]
    expected: dict[str, Counter] = {code: Counter() for code in session.scalars(select(RegionCount.code))}
    for village in village_codes:
        for code in [coverage.COUNTRY, *regions.ancestor_codes(village), village]:
            expected[code]["villages_total"] += 1
    per_village: dict[str, Counter] = {}
    for village, status in session.execute(select(Kim.village_code, Kim.status)):
        per_village.setdefault(village, Counter())[coverage.STATUS_COLUMN[status]] += 1
    for village, counts in per_village.items():
        counts["villages_with_kim"] = int(counts["kim_active"] + counts["kim_vakum"] > 0)
        counts["villages_with_active_kim"] = int(counts["kim_active"] > 0)
        for code in [coverage.COUNTRY, *regions.ancestor_codes(village), village]:
            expected[code].update(counts)
    columns = ("villages_total", "villages_with_kim", "villages_with_active_kim", "kim_active", "kim_vakum",
               "kim_dissolved")
    return {code: {c: counts[c] for c in columns} for code, counts in expected.items()}


def counters(session) -> dict[str, dict]:
    return {r.code: {c: getattr(r, c) for c in ("villages_total", "villages_with_kim", "villages_with_active_kim",
                                                   "kim_active", "kim_vakum", "kim_dissolved")}
            for r in session.scalars(select(RegionCount))}


def state(engine) -> dict:
    with service_session(engine, "registry") as session:
        return {"regions": {r.code: (r.name, r.parent_code) for r in session.scalars(select(Region))},
                "kims": {k.id: (k.village_code, k.district_code, k.version) for k in session.scalars(select(Kim))},
                "counts": counters(session),
                "reassign": {r.kim_id: (r.village_code, r.reason) for r in session.scalars(select(RegionReassignment))},
                "events": session.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id)).all()}


def test_dry_run_reports_the_difference_and_changes_nothing(registry, monkeypatch, capsys):
    engine, folder, ids = registry
    before = state(engine)
    monkeypatch.setenv("REGISTRY_DATABASE_URL", str(engine.url.render_as_string(hide_password=False)))
    assert regions_update.main([str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["applied"] is False
    assert report["renamed"]["village"] == [{"code": RENAMED, "old_name": "Jadirejo", "new_name": "Jadirejo Baru"}]
    assert report["renamed"]["district"] == [{"code": "14.72.01", "old_name": "Dumai Barat",
                                              "new_name": "Dumai Barat Lama"}]
    assert report["moved"] == [{"old_code": MOVED, "new_code": MOVED_TO, "name": "Kampung Tengah",
                                "old_district": "14.71.01", "new_district": "14.71.02"}]
    assert report["added"]["village"] == [{"code": SPLIT_NEW, "name": "Kedung Sari Baru", "parent_code": "14.71.01"}]
    assert report["removed"]["village"] == [{"code": REMOVED, "name": "Pangkalan Sesai"},
                                            {"code": REMOVED_EMPTY, "name": "Purnama"}]
    assert report["kept"] == [REMOVED]
    assert sorted(g["kim_id"] for g in report["groups"]["moved"]) == sorted([ids["moved"], ids["moved_vakum"]])
    assert report["groups"]["to_reassign"] == [{"kim_id": ids["removed"], "village_code": REMOVED,
                                                "reason": "village_removed"}]
    assert state(engine) == before
    assert regions_update.main([str(folder)]) == 0  # the readable form
    text = capsys.readouterr().out
    assert f"> {MOVED} -> {MOVED_TO} Kampung Tengah" in text and f"! {ids['removed']} {REMOVED}" in text


def test_apply_updates_regions_groups_counters_and_events_once(registry):
    engine, folder, ids = registry
    release = regions_update.read_release(folder)
    before = state(engine)
    with unit_of_work(engine, "registry") as session:
        regions_update.apply(session, release, folder.name)
    after = state(engine)

    # regions: names, parents, the moved and removed codes
    assert after["regions"][RENAMED] == ("Jadirejo Baru", "14.71.01")
    assert after["regions"]["14.72.01"][0] == "Dumai Barat Lama"
    assert after["regions"][MOVED_TO] == ("Kampung Tengah", "14.71.02") and MOVED not in after["regions"]
    assert after["regions"][SPLIT_NEW] == ("Kedung Sari Baru", "14.71.01")
    assert after["regions"][SPLIT] == before["regions"][SPLIT]
    assert REMOVED_EMPTY not in after["regions"] and REMOVED_EMPTY not in after["counts"]
    assert REMOVED in after["regions"]  # kept while its group waits for a village
    # groups: the moved village's follow it, the others stay, none deleted
    assert set(after["kims"]) == set(before["kims"])
    for key in ("moved", "moved_vakum"):
        assert after["kims"][ids[key]] == (MOVED_TO, "14.71.02", before["kims"][ids[key]][2] + 1)
    for key in ("renamed", "split", "removed"):
        assert after["kims"][ids[key]] == before["kims"][ids[key]]
    assert after["reassign"] == {ids["removed"]: (REMOVED, "village_removed")}
    # counters equal a recount, and moved as the groups did
    with service_session(engine, "registry") as session:
        assert after["counts"] == recount(session)
    assert after["counts"][MOVED_TO]["kim_active"] == 1 and after["counts"][MOVED_TO]["kim_vakum"] == 1
    assert after["counts"]["14.71.01"]["villages_total"] == before["counts"]["14.71.01"]["villages_total"]  # -1 +1
    assert after["counts"]["14.71.02"]["villages_total"] == before["counts"]["14.71.02"]["villages_total"] + 1
    assert after["counts"]["14.72"]["villages_total"] == before["counts"]["14.72"]["villages_total"] - 1
    # one kim_updated per moved group, with its new place
    new_events = after["events"][len(before["events"]):]
    assert [t for t, _ in new_events] == ["kim_updated", "kim_updated"]
    for _, envelope in new_events:
        data = json.loads(envelope)["data"]
        assert data["id"] in (ids["moved"], ids["moved_vakum"])
        assert data["village_code"] == MOVED_TO and data["region_path"] == ["14", "14.71", "14.71.02", MOVED_TO]

    # the office of Dumai sees its group to reassign, Pekanbaru's does not
    with service_session(engine, "registry") as session:
        listed = regions_update.list_reassignments(session, DUMAI)
        assert [(i["kim_id"], i["village_code"], i["village_name"]) for i in listed["items"]] == [
            (ids["removed"], REMOVED, "Pangkalan Sesai")]
        assert regions_update.list_reassignments(session, PEKANBARU) == {"items": [], "total": 0}

    # the same release again changes nothing
    with unit_of_work(engine, "registry") as session:
        again = regions_update.apply(session, release, folder.name)
    assert again.empty and state(engine) == after

    # the office reassigns the group (the group's PATCH): its entry goes; a new run removes the emptied village
    with unit_of_work(engine, "registry") as session:
        kims.update_kim(session, DUMAI, ids["removed"], {"village_code": OTHER}, None, timezone=ZONE)
    with service_session(engine, "registry") as session:
        assert session.scalars(select(RegionReassignment)).all() == []
    with unit_of_work(engine, "registry") as session:
        regions_update.apply(session, release, folder.name)
    final = state(engine)
    assert REMOVED not in final["regions"] and REMOVED not in final["counts"]
    assert final["kims"][ids["removed"]][0] == OTHER
    with service_session(engine, "registry") as session:
        assert final["counts"] == recount(session)


def test_a_release_with_a_code_outside_its_parent_is_refused(tmp_path):
    rows = subset()
    rows["villages"] = rows["villages"] + [{"code": "14.71.01.1098", "name": "Salah", "parent_code": "14.71.02"}]
    write_release(tmp_path / "bad", rows)
    with pytest.raises(regions_update.ReleaseError):
        regions_update.read_release(tmp_path / "bad")
