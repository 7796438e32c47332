"""The KIM endpoints end to end: a few smoke tests per rule family, for what
only HTTP shows (statuses, problem+json, ETag and Location headers, paging
cursors, query validation) and that the routes reach the registry's rules.
The rules themselves, for every role (the scope matrix, personal data,
versions, members, activities, status), are tested on the domain functions
in services/registry/tests/test_kims_rules.py; every route for every role on
another tenant's objects in tests/test_authorization_matrix.py.

The platform is shared with the other test modules of the session, so every
group here has a unique name and decree number and no test assumes an empty
database."""
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from services.common.testing import keys_anywhere

PROBLEM = "application/problem+json"
PEKANBARU_VILLAGE = "14.71.01.1002"  # Jadirejo, Kota Pekanbaru
PEKANBARU_OTHER_VILLAGE = "14.71.01.1003"  # Kampung Tengah, Kota Pekanbaru
DUMAI_VILLAGE = "14.72.01.1003"  # Pangkalan Sesai, Kota Dumai
UNKNOWN_KIM = "KIM-9999999999-99"


def assert_problem(response, status):
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body = response.json()
    assert body["status"] == status
    return body


def ok(response, status=200):
    assert response.status_code == status, f"{response.request.method} {response.request.url}: {response.text}"
    return response.json()


def unique_phone(prefix: str) -> str:
    """A phone number no other test writes (8 random digits)."""
    return f"{prefix} {uuid.uuid4().int % 10**8:08d}"


def group_body(name: str, village: str, **overrides) -> dict:
    body = {
        "name": name, "village_code": village,
        "sk": {"number": f"SCOPE/{uuid.uuid4().hex[:12]}", "date": "2024-03-01", "issuer": "Lurah Setempat"},
        "tags": ["pemuda"], "classification": "tumbuh",
        "contact": {"person": "Pengurus", "phone": unique_phone("0812"), "email": "kim@example.org"},
        "address": "Jl. Uji No. 1", "lat": 0.5071, "lon": 101.4478,
    }
    body.update(overrides)
    return body


@pytest.fixture(scope="module")
def world(platform):
    """KIM A in Kota Pekanbaru, with a ketua with a phone, and KIM B in Kota
    Dumai; keys for the two operators and for group A."""
    token = uuid.uuid4().hex[:10]
    with platform.admin as admin:
        a_body = group_body(f"KIM Lingkup {token} Alfa", PEKANBARU_VILLAGE, tags=["pemuda", "umkm"],
                            classification="berkembang")
        b_body = group_body(f"KIM Lingkup {token} Beta", DUMAI_VILLAGE, tags=["perikanan"], classification="maju")
        a = ok(admin.post("/api/v1/kims", json=a_body), 201)
        b = ok(admin.post("/api/v1/kims", json=b_body), 201)
        phone_a = unique_phone("+62 811")
        a_ketua = ok(admin.post(f"/api/v1/kims/{a['id']}/members",
                                json={"name": "Siti Ketua Alfa", "role": "ketua", "phone": phone_a}), 201)
        issued = {}
        for name, body in {
            "inside": {"name": f"Operator Pekanbaru {token}", "role": "operator", "scope_region": "14.71"},
            "outside": {"name": f"Operator Dumai {token}", "role": "operator", "scope_region": "14.72"},
            "own": {"name": f"KIM Alfa {token}", "role": "kim", "kim_id": a["id"]},
        }.items():
            issued[name] = ok(admin.post("/api/v1/keys", json=body), 201)["key"]
    return SimpleNamespace(
        token=token, a=a, b=b, a_body=a_body, b_body=b_body, a_ketua=a_ketua, phone_a=phone_a,
        contact_phone_a=a_body["contact"]["phone"],
        admin=lambda: platform.admin,
        inside=lambda: platform.client(issued["inside"]),
        outside=lambda: platform.client(issued["outside"]),
        own=lambda: platform.client(issued["own"]),
        anonymous=lambda: platform.client(),
    )


# --- registering and reading -----------------------------------------------------------

def test_register_is_201_with_location_and_etag_and_refusals_are_problems(platform, world):
    body = group_body(f"KIM Daftar Operator {uuid.uuid4().hex[:8]}", PEKANBARU_OTHER_VILLAGE)
    with world.inside() as operator:
        response = operator.post("/api/v1/kims", json=body)
        kim = ok(response, 201)
        assert response.headers["Location"] == f"/api/v1/kims/{kim['id']}"
        assert response.headers["ETag"] == '"1"'
        assert kim["status"] == "active" and kim["version"] == 1
        assert kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_OTHER_VILLAGE]
        assert kim["contact"]["phone"] == body["contact"]["phone"]
        assert ok(operator.get(response.headers["Location"]))["id"] == kim["id"]
    name = f"KIM Daftar Ditolak {uuid.uuid4().hex[:8]}"
    with world.outside() as operator:
        assert_problem(operator.post("/api/v1/kims", json=group_body(name, PEKANBARU_VILLAGE)), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.post("/api/v1/kims", json=group_body(name, PEKANBARU_VILLAGE)), 401)
    with world.admin() as admin:  # neither registered anything
        assert ok(admin.get("/api/v1/kims", params={"q": name}))["total"] == 0


def test_read_one_sends_its_version_as_etag_or_a_problem(platform, world):
    with world.own() as kim:
        response = kim.get(f"/api/v1/kims/{world.a['id']}")
        body = ok(response)
        assert body["id"] == world.a["id"] and body["contact"]["phone"] == world.contact_phone_a
        assert response.headers["ETag"] == f'"{body["version"]}"'
    with world.outside() as operator:
        response = operator.get(f"/api/v1/kims/{world.a['id']}")
        assert_problem(response, 403)
        assert world.contact_phone_a not in response.text
    with world.admin() as admin:
        assert_problem(admin.get(f"/api/v1/kims/{UNKNOWN_KIM}"), 404)


# --- listing -------------------------------------------------------------------------

def test_list_filters_reach_the_registry_and_bad_values_are_422(platform, world):
    a, b = world.a["id"], world.b["id"]

    def ids(client, **params):
        return [k["id"] for k in ok(client.get("/api/v1/kims", params={"q": world.token, **params}))["items"]]

    with world.admin() as admin:
        assert ids(admin) == sorted([a, b])
        assert ids(admin, region="14.72") == [b]
        assert ids(admin, tag="umkm") == [a]
        assert ids(admin, classification="maju") == [b]
        assert ids(admin, status="dissolved") == []
        assert ids(admin, q=f"lingkup {world.token} ALFA") == [a]
        assert_problem(admin.get("/api/v1/kims", params={"status": "asleep"}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"classification": "besar"}), 422)
    with world.inside() as operator:
        assert_problem(operator.get("/api/v1/kims", params={"region": "14.72"}), 403)
        assert ids(operator) == [a]
    with world.anonymous() as anyone:
        assert_problem(anyone.get("/api/v1/kims"), 401)


def test_list_pagination(platform, world):
    with world.admin() as admin:
        first = ok(admin.get("/api/v1/kims", params={"q": world.token, "limit": 1}))
        assert first["total"] == 2 and len(first["items"]) == 1 and first["next"] == "1"
        second = ok(admin.get("/api/v1/kims", params={"q": world.token, "limit": 1, "cursor": first["next"]}))
        assert second["total"] == 2 and len(second["items"]) == 1 and second["next"] is None
        assert [first["items"][0]["id"], second["items"][0]["id"]] == sorted([world.a["id"], world.b["id"]])
        assert_problem(admin.get("/api/v1/kims", params={"limit": 0}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"cursor": "abc"}), 422)
    with world.inside() as operator:
        page = ok(operator.get("/api/v1/kims", params={"limit": 1}))
        assert len(page["items"]) == 1
        assert page["next"] == ("1" if page["total"] > 1 else None)


# --- the public directory and personal data -------------------------------------------

def test_public_directory_without_personal_data(platform, world):
    secrets = (world.phone_a, world.contact_phone_a, world.b_body["contact"]["phone"])
    with world.anonymous() as anyone:
        listing = anyone.get("/api/v1/public/kims", params={"q": world.token})
        assert sorted(k["id"] for k in ok(listing)["items"]) == sorted([world.a["id"], world.b["id"]])
        one = anyone.get(f"/api/v1/public/kims/{world.a['id']}")
        kim = ok(one)
        assert kim["id"] == world.a["id"] and kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE]
        for response in (listing, one):
            assert not keys_anywhere(response.json(), "contact"), response.text
            assert not any(secret in response.text for secret in secrets), response.text
        assert_problem(anyone.get(f"/api/v1/public/kims/{UNKNOWN_KIM}"), 404)


# --- changing ------------------------------------------------------------------------

def test_patch_with_if_match_increments_the_etag_and_a_stale_one_is_412(platform, world):
    path = f"/api/v1/kims/{world.a['id']}"
    with world.inside() as operator:
        read = operator.get(path)
        version = ok(read)["version"]
        assert read.headers["ETag"] == f'"{version}"'
        response = operator.patch(path, json={"address": "Jl. Melati No. 9", "tags": ["pemuda", "umkm"]},
                                  headers={"If-Match": f'"{version}"'})
        kim = ok(response)
        assert kim["version"] == version + 1 and kim["address"] == "Jl. Melati No. 9"
        assert response.headers["ETag"] == f'"{version + 1}"'
        assert operator.get(path).headers["ETag"] == f'"{version + 1}"'
        body = assert_problem(operator.patch(path, json={"address": "Jl. Basi"}, headers={"If-Match": f'"{version}"'}),
                              412)
        # nameko's error serialisation turns the integer into a string on the way
        assert body["current_version"] == version + 1
        assert ok(operator.get(path))["address"] == "Jl. Melati No. 9"


def test_a_group_changing_its_village_is_a_422_naming_the_field(platform, world):
    path = f"/api/v1/kims/{world.a['id']}"
    with world.own() as kim:
        version = ok(kim.get(path))["version"]
        body = assert_problem(kim.patch(path, json={"village_code": PEKANBARU_OTHER_VILLAGE},
                                        headers={"If-Match": f'"{version}"'}), 422)
        assert body["errors"][0]["field"] == "village_code"
        assert ok(kim.get(path))["village_code"] == PEKANBARU_VILLAGE


# --- members and activities -------------------------------------------------------------

def test_members(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/members"
    with world.own() as kim:
        members = kim.get(path)
        assert world.a_ketua["id"] in {m["id"] for m in ok(members)["items"]} and world.phone_a in members.text
        body = assert_problem(kim.post(path, json={"name": "Ketua Kedua", "role": "ketua", "phone": "0812 000 111"}),
                              409)
        assert body["existing_id"] == world.a_ketua["id"]
        member = ok(kim.post(path, json={"name": f"Anggota {world.token}", "role": "anggota"}), 201)
        response = kim.delete(f"{path}/{member['id']}")
        assert response.status_code == 204, response.text
        assert_problem(kim.delete(f"{path}/{member['id']}"), 404)
    with world.outside() as operator:
        response = operator.get(path)
        assert_problem(response, 403)
        assert world.phone_a not in response.text


def test_activities(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/activities"
    held_on = (date.today() - timedelta(days=1)).isoformat()
    report = {"date": held_on, "title": f"Sosialisasi {world.token}", "kind": "diseminasi",
              "participants": 45, "place": "Balai Kelurahan Jadirejo"}
    with world.own() as kim:
        activity = ok(kim.post(path, json=report), 201)
        assert activity["kim_id"] == world.a["id"] and activity["participants"] == 45 and activity["date"] == held_on
        assert activity["id"] in {a["id"] for a in ok(kim.get(path))["items"]}


# --- status --------------------------------------------------------------------------

def test_status_with_history_and_dissolved_is_final(platform, world):
    with world.admin() as admin:
        kim = ok(admin.post("/api/v1/kims", json=group_body(f"KIM Status {uuid.uuid4().hex[:8]}",
                                                            PEKANBARU_OTHER_VILLAGE)), 201)
    path = f"/api/v1/kims/{kim['id']}/status"
    with world.inside() as operator:
        changed = ok(operator.post(path, json={"status": "vakum", "reason": "Pengurus pindah kerja"}))
        assert changed["status"] == "vakum" and changed["version"] == 2
        history = ok(operator.get(path))
        assert [(h["old"], h["new"], h["reason"]) for h in history["history"]] == [
            (None, "active", "registered"), ("active", "vakum", "Pengurus pindah kerja")]
        ok(operator.post(path, json={"status": "dissolved", "reason": "SK dicabut lurah"}))
        body = assert_problem(operator.post(path, json={"status": "active", "reason": "Dibentuk lagi"}), 409)
        assert body["allowed"] == []
        assert ok(operator.get(path))["status"] == "dissolved"
