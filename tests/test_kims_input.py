"""Bad input to the registry's endpoints: a 4xx problem, nothing stored."""
import uuid

import pytest

GOOD = {"name": "KIM Masukan Uji", "village_code": "14.71.01.1002", "classification": "tumbuh", "tags": ["pemuda"],
        "sk": {"number": "INPUT/1", "date": "2024-01-01", "issuer": "Lurah Jadirejo"}}


def variant(**changes):
    body = {**GOOD, "sk": dict(GOOD["sk"]), "name": f"KIM Masukan {uuid.uuid4().hex[:8]}"}
    for key, value in changes.items():
        if key.startswith("sk_"):
            body["sk"][key[3:]] = value
        elif value is ...:
            body.pop(key)
        else:
            body[key] = value
    return body


def assert_problem(response, *statuses):
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()


def stored(platform) -> int:
    with platform.admin as admin:
        return admin.get("/api/v1/kims", params={"q": "KIM Masukan", "limit": 1}).json()["total"]


@pytest.mark.parametrize("body, status, field", [
    (variant(village_code="14.71.01.9999"), 422, "village_code"),  # no such village
    (variant(village_code="14.71.01"), 422, "village_code"),  # a district, not a village
    (variant(sk_date="2024-13-45"), 422, "sk.date"),
    (variant(sk_date="kemarin"), 422, "sk.date"),
    (variant(sk_date="2999-01-01"), 422, "sk.date"),
    (variant(tags=["astronomi"]), 422, "tags"),
    (variant(tags=["Pemuda!"]), 422, "tags"),
    (variant(classification="hebat"), 422, "classification"),
    (variant(name="K" * 10_000), 422, "name"),
    (variant(name="  "), 422, "name"),
    (variant(lat=48.85, lon=2.35), 422, "lat"),
    (variant(lat="utara"), 422, "lat"),
    (variant(sk=...), 422, "sk"),
    (variant(owner="saya"), 422, "owner"),
    (variant(contact={"phone": "call me"}), 422, "contact.phone"),
])
def test_bad_registrations_are_refused_and_store_nothing(platform, body, status, field):
    before = stored(platform)
    with platform.admin as admin:
        problem = assert_problem(admin.post("/api/v1/kims", json=body), status)
    assert any(e["field"].startswith(field) for e in problem.get("errors", [])), problem
    assert stored(platform) == before


def test_malformed_and_oversized_bodies(platform):
    before = stored(platform)
    with platform.admin as admin:
        assert_problem(admin.post("/api/v1/kims", content=b'{"name": ', headers={"Content-Type": "application/json"}), 400)
        assert_problem(admin.post("/api/v1/kims", content=b'{"name": "' + b"x" * 1_000_000 + b'"}',
                                  headers={"Content-Type": "application/json"}), 413)
        assert_problem(admin.post("/api/v1/kims", json=[GOOD]), 422)
    assert stored(platform) == before


@pytest.fixture(scope="module")
def kim(platform):
    with platform.admin as admin:
        response = admin.post("/api/v1/kims", json=variant(sk_number=f"INPUT/{uuid.uuid4().hex[:8]}"))
        assert response.status_code == 201, response.text
        return response.json()


@pytest.mark.parametrize("body, field", [
    ({"date": "2026-01-01", "title": "Rapat", "kind": "pertemuan", "participants": -3}, "participants"),
    ({"date": "2026-01-01", "title": "Rapat", "kind": "pertemuan", "participants": "banyak"}, "participants"),
    ({"date": "2999-01-01", "title": "Rapat", "kind": "pertemuan", "participants": 3}, "date"),
    ({"date": "2026-01-01", "title": "Rapat", "kind": "pesta", "participants": 3}, "kind"),
    ({"date": "2026-01-01", "title": "R" * 10_000, "kind": "pertemuan", "participants": 3}, "title"),
    ({"date": "2026-01-01", "kind": "pertemuan", "participants": 3}, "title"),
])
def test_bad_activities_are_refused(platform, kim, body, field):
    with platform.admin as admin:
        before = admin.get(f"/api/v1/kims/{kim['id']}/activities").json()["total"]
        problem = assert_problem(admin.post(f"/api/v1/kims/{kim['id']}/activities", json=body), 422)
        assert any(e["field"].startswith(field) for e in problem["errors"]), problem
        assert admin.get(f"/api/v1/kims/{kim['id']}/activities").json()["total"] == before


@pytest.mark.parametrize("body, field", [
    ({"name": "Budi", "role": "raja"}, "role"),
    ({"name": "Budi", "role": "anggota", "phone": "0812-ABC"}, "phone"),
    ({"name": "B" * 10_000, "role": "anggota"}, "name"),
    ({"role": "anggota"}, "name"),
])
def test_bad_members_are_refused(platform, kim, body, field):
    with platform.admin as admin:
        before = admin.get(f"/api/v1/kims/{kim['id']}/members").json()["total"]
        problem = assert_problem(admin.post(f"/api/v1/kims/{kim['id']}/members", json=body), 422)
        assert any(e["field"].startswith(field) for e in problem["errors"]), problem
        assert admin.get(f"/api/v1/kims/{kim['id']}/members").json()["total"] == before


def test_bad_updates_status_and_queries(platform, kim):
    with platform.admin as admin:
        url = f"/api/v1/kims/{kim['id']}"
        assert_problem(admin.patch(url, json={"classification": "hebat"}), 422)
        assert_problem(admin.patch(url, json={"name": None}), 422)
        assert_problem(admin.patch(url, json={"village_code": "99.99.99.9999"}), 422)
        assert_problem(admin.patch(url, json={"tags": ["astronomi"]}), 422)
        assert_problem(admin.patch(url, json={"address": "x"}, headers={"If-Match": "kemarin"}), 400)
        assert_problem(admin.post(f"{url}/status", json={"status": "tidur", "reason": "uji"}), 422)
        assert_problem(admin.post(f"{url}/status", json={"status": "vakum"}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"status": "tidur"}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"region": "14.7"}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"q": "x"}), 422)
        assert_problem(admin.get("/api/v1/kims/tidak ada"), 422)
        assert_problem(admin.get("/api/v1/kims/KIM-0000000000-01"), 404)
        after = admin.get(url).json()
        assert after["version"] == kim["version"] and after["classification"] == kim["classification"]
        assert_problem(admin.post("/api/v1/tags", json={"code": "Bad Tag", "label_id": "x", "label_en": "x"}), 422)


def test_duplicates_are_409_with_the_existing_id(platform, kim):
    with platform.admin as admin:
        same_name = variant(name=kim["name"].upper(), sk_number=f"OTHER/{uuid.uuid4().hex[:8]}")
        problem = assert_problem(admin.post("/api/v1/kims", json=same_name), 409)
        assert problem["existing_id"] == kim["id"]
        same_sk = variant(sk_number=kim["sk"]["number"].lower().replace("/", " / "))
        problem = assert_problem(admin.post("/api/v1/kims", json=same_sk), 409)
        assert problem["existing_id"] == kim["id"]
