"""Broadcasts end to end: targeting selects exactly the right groups, scope,
inbox isolation, receipts moving the figures, late registrations, answers."""
import time
import uuid

import pytest

from tests.conftest import wait_for

# Two regencies, several villages; each group: (key, village, tags, classification, status)
GROUPS = [
    ("P1", "14.71.01.1002", ["t1"], "tumbuh", "active"),
    ("P2", "14.71.01.1003", ["t1", "t2"], "maju", "active"),
    ("P3", "14.71.02.1001", ["t2"], "maju", "vakum"),
    ("P4", "14.71.02.1002", ["t1"], "mandiri", "dissolved"),
    ("D1", "14.72.01.1003", ["t1"], "tumbuh", "active"),
    ("D2", "14.72.01.1006", ["t2"], "berkembang", "vakum"),
]


@pytest.fixture(scope="module")
def world(platform, keys):
    run = uuid.uuid4().hex[:6]
    tags = {"t1": f"b1_{run}", "t2": f"b2_{run}"}
    ids = {}
    with platform.admin as admin:
        for tag in tags.values():
            assert admin.post("/api/v1/tags", json={"code": tag, "label_id": tag, "label_en": tag}).status_code == 201
        for key, village, group_tags, classification, status in GROUPS:
            created = admin.post("/api/v1/kims", json={
                "name": f"KIM Siaran {key} {run}", "village_code": village, "classification": classification,
                "tags": [tags[t] for t in group_tags],
                "sk": {"number": f"SIARAN/{run}/{key}", "date": "2024-03-03", "issuer": "Kepala Desa"}})
            assert created.status_code == 201, created.text
            ids[key] = created.json()["id"]
            if status != "active":
                changed = admin.post(f"/api/v1/kims/{ids[key]}/status", json={"status": status, "reason": "uji"})
                assert changed.status_code == 200, changed.text
        group_keys = {}
        for key in ("P1", "P2", "D1"):
            issued = admin.post("/api/v1/keys", json={"name": f"KIM {key}", "role": "kim", "kim_id": ids[key]})
            group_keys[key] = issued.json()["key"]
        # the broadcast service learns about the groups from the registry's events
        def count(regions, tag_keys, include_vakum):
            target = {"regions": regions, "tags": [tags[t] for t in tag_keys], "include_vakum": include_vakum}
            return admin.post("/api/v1/broadcasts/preview", json={"target": target}).json().get("recipients")

        # (5 with vakum and 3 without is only the final state: P3, D2 vakum and P4 dissolved)
        wait_for(lambda: count(["14"], ["t1", "t2"], True) == 5 and count(["14"], ["t1", "t2"], False) == 3,
                 message="the broadcast directory to see the groups and their statuses")
    return {"ids": ids, "tags": tags, "keys": group_keys, "run": run}


def publish(client, target, **fields) -> dict:
    body = {"title": "Informasi program", "body": "Isi siaran untuk uji.", "category": "program",
            "target": target, **fields}
    created = client.post("/api/v1/broadcasts", json=body)
    assert created.status_code == 201, created.text
    published = client.post(f"/api/v1/broadcasts/{created.json()['id']}/publish")
    assert published.status_code == 200, published.text
    return wait_for(lambda: (b := client.get(f"/api/v1/broadcasts/{created.json()['id']}").json())
                    ["status"] == "published" and b, message="the fan-out")


def recipients_of(client, broadcast_id) -> set[str]:
    items = client.get(f"/api/v1/broadcasts/{broadcast_id}/deliveries", params={"limit": 500}).json()["items"]
    return {d["kim_id"] for d in items}


@pytest.mark.parametrize("regions, tags, classifications, include_vakum, expected", [
    (["14"], ["t1", "t2"], [], False, {"P1", "P2", "D1"}),
    (["14"], ["t1", "t2"], [], True, {"P1", "P2", "P3", "D1", "D2"}),
    (["14.71"], ["t1"], [], False, {"P1", "P2"}),
    (["14.71.02"], ["t1", "t2"], [], True, {"P3"}),
    (["14.71.01.1003", "14.72"], ["t2"], [], True, {"P2", "D2"}),
    (["14"], ["t1", "t2"], ["maju"], True, {"P2", "P3"}),
    (["14"], ["t1"], ["tumbuh", "mandiri"], False, {"P1", "D1"}),
    (["14.72"], ["t1", "t2"], ["maju"], True, set()),
])
def test_targeting_selects_exactly_the_right_groups(platform, world, regions, tags, classifications,
                                                    include_vakum, expected):
    target = {"regions": regions, "tags": [world["tags"][t] for t in tags], "classifications": classifications,
              "include_vakum": include_vakum}
    with platform.admin as admin:
        assert admin.post("/api/v1/broadcasts/preview", json={"target": target}).json()["recipients"] == len(expected)
        broadcast = publish(admin, target)
        assert broadcast["recipients"] == len(expected) == broadcast["stats"]["recipients"]
        assert recipients_of(admin, broadcast["id"]) == {world["ids"][k] for k in expected}


def test_scope_of_offices(platform, world, keys):
    inside = {"regions": ["14.71"], "tags": [world["tags"]["t1"]]}
    with platform.client(keys["dumai"]["key"]) as dumai:
        assert dumai.post("/api/v1/broadcasts", json={"title": "Luar", "body": "x", "category": "program",
                                                        "target": inside}).status_code == 403
        assert dumai.post("/api/v1/broadcasts/preview", json={"target": inside}).status_code == 403
    with platform.client(keys["pekanbaru"]["key"]) as pekanbaru:
        mine = publish(pekanbaru, inside)
        assert mine["issuer_region"] == "14.71"
        assert mine["id"] in [b["id"] for b in pekanbaru.get("/api/v1/broadcasts").json()["items"]]
    with platform.client(keys["dumai"]["key"]) as dumai:
        assert dumai.get(f"/api/v1/broadcasts/{mine['id']}").status_code == 404
        assert mine["id"] not in [b["id"] for b in dumai.get("/api/v1/broadcasts").json()["items"]]
    with platform.client(world["keys"]["P1"]) as group:
        assert group.post("/api/v1/broadcasts", json={"title": "Saya", "body": "x", "category": "program",
                                                        "target": inside}).status_code == 403
        assert group.get("/api/v1/broadcasts").status_code == 403
    with platform.client() as anyone:
        assert anyone.get("/api/v1/broadcasts").status_code == 401


def test_inbox_isolation_ack_and_relay_move_the_figures(platform, world):
    ids, group_keys = world["ids"], world["keys"]
    target = {"regions": ["14"], "tags": [world["tags"]["t1"]]}
    with platform.admin as admin:
        broadcast = publish(admin, target, title="Pupuk bersubsidi", priority="high")
    with platform.client(group_keys["P1"]) as p1, platform.client(group_keys["D1"]) as d1:
        inbox = p1.get(f"/api/v1/kims/{ids['P1']}/inbox").json()
        mine = next(d for d in inbox["items"] if d["broadcast_id"] == broadcast["id"])
        assert mine["broadcast"]["title"] == "Pupuk bersubsidi" and mine["kim_id"] == ids["P1"]
        theirs = next(d for d in d1.get(f"/api/v1/kims/{ids['D1']}/inbox").json()["items"]
                      if d["broadcast_id"] == broadcast["id"])
        # isolation: another group's inbox and deliveries are out of reach
        assert d1.get(f"/api/v1/kims/{ids['P1']}/inbox").status_code == 403
        assert d1.post(f"/api/v1/kims/{ids['D1']}/inbox/{mine['id']}/ack").status_code == 404
        assert d1.post(f"/api/v1/kims/{ids['P1']}/inbox/{mine['id']}/ack").status_code == 403
        assert all(d["kim_id"] == ids["D1"] for d in d1.get(f"/api/v1/kims/{ids['D1']}/inbox").json()["items"])

        assert p1.post(f"/api/v1/kims/{ids['P1']}/inbox/{mine['id']}/ack").status_code == 200
        relayed = p1.post(f"/api/v1/kims/{ids['P1']}/inbox/{mine['id']}/relay",
                          json={"reached": 120, "channel": "whatsapp", "date": time.strftime("%Y-%m-%d")})
        assert relayed.status_code == 200, relayed.text
        assert p1.post(f"/api/v1/kims/{ids['P1']}/inbox/{mine['id']}/relay",
                       json={"reached": 30, "channel": "pertemuan", "date": time.strftime("%Y-%m-%d")}).status_code == 200
        # implausible reach, channels longer than they are kept (also once lower-cased): refused, nothing counted
        for bad in ({"reached": 100_001, "channel": "whatsapp"}, {"reached": 5, "channel": "x" * 31},
                    {"reached": 5, "channel": "İ" * 20}):
            refused = p1.post(f"/api/v1/kims/{ids['P1']}/inbox/{mine['id']}/relay",
                              json={**bad, "date": time.strftime("%Y-%m-%d")})
            assert refused.status_code == 422, (bad, refused.text)
            assert refused.json()["errors"][0]["field"] in ("reached", "channel")
        assert d1.post(f"/api/v1/kims/{ids['D1']}/inbox/{theirs['id']}/ack").status_code == 200
    with platform.admin as admin:
        stats = admin.get(f"/api/v1/broadcasts/{broadcast['id']}").json()["stats"]
        assert (stats["recipients"], stats["delivered"]) == (3, 3)
        assert (stats["read"], stats["acknowledged"], stats["relayed"], stats["reached"]) == (2, 2, 1, 150)
        by_region = {r["region"]: r for r in stats["by_region"]}
        assert (by_region["14.71"]["recipients"], by_region["14.71"]["reached"]) == (2, 150)
        assert (by_region["14.72"]["acknowledged"], by_region["14.72"]["relayed"]) == (1, 0)


def test_a_group_registered_later_receives_a_running_broadcast(platform, world):
    target = {"regions": ["14.71"], "tags": [world["tags"]["t2"]]}
    with platform.admin as admin:
        broadcast = publish(admin, target, expires_at="2999-01-01T00:00:00+07:00")
        assert broadcast["recipients"] == 1  # P2 (P3 is vakum)
        late = admin.post("/api/v1/kims", json={
            "name": f"KIM Terlambat {world['run']}", "village_code": "14.71.01.1004", "classification": "tumbuh",
            "tags": [world["tags"]["t2"]],
            "sk": {"number": f"SIARAN/{world['run']}/LATE", "date": "2024-03-03", "issuer": "Lurah"}}).json()
        wait_for(lambda: late["id"] in recipients_of(admin, broadcast["id"]), message="the late group's delivery")
        assert admin.get(f"/api/v1/broadcasts/{broadcast['id']}").json()["stats"]["recipients"] == 2


def test_bad_broadcasts_are_refused(platform, world):
    good = {"title": "Judul", "body": "Isi", "category": "program", "target": {"regions": ["14.71"]}}
    with platform.admin as admin:
        before = admin.get("/api/v1/broadcasts").json()["total"]
        for body, status in [
            ({**good, "target": {"regions": []}}, 422),
            ({**good, "target": {}}, 422),
            ({**good, "target": {"regions": ["99"]}}, 422),
            ({**good, "target": {"regions": ["14.7"]}}, 422),
            ({**good, "publish_at": "2030-01-02T00:00:00Z", "expires_at": "2030-01-01T00:00:00Z"}, 422),
            ({**good, "expires_at": "2001-01-01T00:00:00Z"}, 422),
            ({**good, "category": "gosip"}, 422),
            ({**good, "priority": "sangat"}, 422),
            ({**good, "body": "x" * 1_000_000}, 413),
            ({**good, "sender": "saya"}, 422),
        ]:
            response = admin.post("/api/v1/broadcasts", json=body)
            assert response.status_code == status, (body.keys(), response.text[:300])
            assert response.headers["content-type"].startswith("application/problem+json")
        assert admin.get("/api/v1/broadcasts").json()["total"] == before
        assert admin.post(f"/api/v1/broadcasts/{uuid.uuid4()}/publish").status_code == 404
        assert admin.get("/api/v1/broadcasts/not-an-id").status_code == 422
    with platform.client(world["keys"]["P1"]) as p1:
        ids = world["ids"]
        assert p1.post(f"/api/v1/kims/{ids['P1']}/inbox/999999999/ack").status_code == 404
        bad = p1.post(f"/api/v1/kims/{ids['P1']}/inbox/1/relay", json={"reached": -1, "channel": "whatsapp",
                                                                          "date": "2026-01-01"})
        assert bad.status_code == 422


def test_a_scheduled_broadcast_goes_out_at_its_time(platform, world):
    target = {"regions": ["14.71"], "tags": [world["tags"]["t1"]]}
    soon = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3))
    with platform.admin as admin:
        created = admin.post("/api/v1/broadcasts", json={"title": "Terjadwal", "body": "x", "category": "pengumuman",
                                                         "target": target, "publish_at": soon}).json()
        assert admin.post(f"/api/v1/broadcasts/{created['id']}/publish").json()["status"] == "scheduled"
        assert admin.get(f"/api/v1/broadcasts/{created['id']}").json()["stats"]["recipients"] == 0
        done = wait_for(lambda: (b := admin.get(f"/api/v1/broadcasts/{created['id']}").json())["status"]
                        == "published" and b, message="the scheduled time")
        assert done["recipients"] == 2
        # publishing again changes nothing
        assert admin.post(f"/api/v1/broadcasts/{created['id']}/publish").json()["recipients"] == 2
