"""The KIM endpoints end to end, for every role: the national admin, an
operator inside the group's regency (Kota Pekanbaru, 14.71), an operator
outside it (Kota Dumai, 14.72), the group's own kim key, another group's kim
key and anonymous callers. The scope matrix, and the personal-data rule
(contacts and member phones) on every read path.

The platform is shared with the other test modules of the session, so every
group here has a unique name and decree number and no test assumes an empty
database."""
import uuid
from datetime import date, timedelta
from types import SimpleNamespace

import pytest

PROBLEM = "application/problem+json"
PEKANBARU_VILLAGE = "14.71.01.1002"  # Jadirejo, Kota Pekanbaru
PEKANBARU_OTHER_VILLAGE = "14.71.01.1003"  # Kampung Tengah, Kota Pekanbaru
PEKANBARU_THIRD_VILLAGE = "14.71.01.1005"  # Kedung Sari, Kota Pekanbaru
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


def keys_anywhere(value, key: str) -> bool:
    if isinstance(value, dict):
        return key in value or any(keys_anywhere(v, key) for v in value.values())
    if isinstance(value, list):
        return any(keys_anywhere(v, key) for v in value)
    return False


def every_page(client, path: str, **params) -> list[dict]:
    """All items of a listing, following `next`."""
    items, cursor = [], None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        page = ok(client.get(path, params=query))
        items.extend(page["items"])
        cursor = page["next"]
        if cursor is None:
            return items


@pytest.fixture(scope="module")
def world(platform):
    """KIM A in Kota Pekanbaru and KIM B in Kota Dumai, each with a ketua
    with a phone, and keys: the two operators and a kim key for each group."""
    token = uuid.uuid4().hex[:10]
    with platform.admin as admin:
        a_body = group_body(f"KIM Lingkup {token} Alfa", PEKANBARU_VILLAGE, tags=["pemuda", "umkm"],
                            classification="berkembang")
        b_body = group_body(f"KIM Lingkup {token} Beta", DUMAI_VILLAGE, tags=["perikanan"], classification="maju")
        a = ok(admin.post("/api/v1/kims", json=a_body), 201)
        b = ok(admin.post("/api/v1/kims", json=b_body), 201)
        phones = {"a": unique_phone("+62 811"), "b": unique_phone("+62 813")}
        a_ketua = ok(admin.post(f"/api/v1/kims/{a['id']}/members",
                                json={"name": "Siti Ketua Alfa", "role": "ketua", "phone": phones["a"]}), 201)
        b_ketua = ok(admin.post(f"/api/v1/kims/{b['id']}/members",
                                json={"name": "Budi Ketua Beta", "role": "ketua", "phone": phones["b"]}), 201)
        issued = {}
        for name, body in {
            "inside": {"name": f"Operator Pekanbaru {token}", "role": "operator", "scope_region": "14.71"},
            "outside": {"name": f"Operator Dumai {token}", "role": "operator", "scope_region": "14.72"},
            "own": {"name": f"KIM Alfa {token}", "role": "kim", "kim_id": a["id"]},
            "other": {"name": f"KIM Beta {token}", "role": "kim", "kim_id": b["id"]},
        }.items():
            issued[name] = ok(admin.post("/api/v1/keys", json=body), 201)["key"]
    return SimpleNamespace(
        token=token, a=a, b=b, a_body=a_body, b_body=b_body, a_ketua=a_ketua, b_ketua=b_ketua,
        phone_a=phones["a"], phone_b=phones["b"], contact_phone_a=a_body["contact"]["phone"],
        keys=issued,
        admin=lambda: platform.admin,
        inside=lambda: platform.client(issued["inside"]),
        outside=lambda: platform.client(issued["outside"]),
        own=lambda: platform.client(issued["own"]),
        other=lambda: platform.client(issued["other"]),
        anonymous=lambda: platform.client(),
    )


# --- registering ---------------------------------------------------------------------

def test_admin_registers_a_group(platform, world):
    body = group_body(f"KIM Daftar Admin {uuid.uuid4().hex[:8]}", PEKANBARU_VILLAGE)
    with world.admin() as admin:
        response = admin.post("/api/v1/kims", json=body)
        kim = ok(response, 201)
        assert response.headers["Location"] == f"/api/v1/kims/{kim['id']}"
        assert response.headers["ETag"] == '"1"'
        assert kim["id"] and kim["status"] == "active" and kim["version"] == 1
        assert kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE]
        assert kim["name"] == body["name"] and kim["village_code"] == PEKANBARU_VILLAGE
        assert kim["contact"]["phone"] == body["contact"]["phone"]
        # the fixture's groups too
        assert world.a["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE]
        assert world.b["region_path"] == ["14", "14.72", "14.72.01", DUMAI_VILLAGE]
        assert ok(admin.get(response.headers["Location"]))["id"] == kim["id"]


def test_operator_inside_registers_in_its_regency(platform, world):
    body = group_body(f"KIM Daftar Operator {uuid.uuid4().hex[:8]}", PEKANBARU_OTHER_VILLAGE)
    with world.inside() as operator:
        response = operator.post("/api/v1/kims", json=body)
        kim = ok(response, 201)
        assert response.headers["Location"] == f"/api/v1/kims/{kim['id']}"
        assert response.headers["ETag"] == '"1"'
        assert kim["status"] == "active" and kim["version"] == 1
        assert kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_OTHER_VILLAGE]


def test_register_refused_outside_scope_for_kim_keys_and_anonymous(platform, world):
    name = f"KIM Daftar Ditolak {uuid.uuid4().hex[:8]}"
    with world.outside() as operator:
        assert_problem(operator.post("/api/v1/kims", json=group_body(name, PEKANBARU_VILLAGE)), 403)
    with world.inside() as operator:
        assert_problem(operator.post("/api/v1/kims", json=group_body(name, DUMAI_VILLAGE)), 403)
    with world.own() as kim:
        assert_problem(kim.post("/api/v1/kims", json=group_body(name, PEKANBARU_VILLAGE)), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.post("/api/v1/kims", json=group_body(name, PEKANBARU_VILLAGE)), 401)
    with world.admin() as admin:  # none of them registered anything
        assert ok(admin.get("/api/v1/kims", params={"q": name}))["total"] == 0


# --- reading one ---------------------------------------------------------------------

def test_read_one_with_contact_for_admin_operator_inside_and_own_group(platform, world):
    for make in (world.admin, world.inside, world.own):
        with make() as client:
            response = client.get(f"/api/v1/kims/{world.a['id']}")
            kim = ok(response)
            assert kim["id"] == world.a["id"] and kim["village_code"] == PEKANBARU_VILLAGE
            assert kim["contact"]["phone"] == world.contact_phone_a
            assert response.headers["ETag"] == f'"{kim["version"]}"'


def test_read_one_refused_outside_scope_anonymous_and_unknown(platform, world):
    for make in (world.outside, world.other):
        with make() as client:
            response = client.get(f"/api/v1/kims/{world.a['id']}")
            assert_problem(response, 403)
            assert world.contact_phone_a not in response.text
    with world.anonymous() as anyone:
        assert_problem(anyone.get(f"/api/v1/kims/{world.a['id']}"), 401)
    with world.admin() as admin:
        assert_problem(admin.get(f"/api/v1/kims/{UNKNOWN_KIM}"), 404)


# --- listing -------------------------------------------------------------------------

def test_operator_lists_only_its_regency(platform, world):
    with world.inside() as operator:
        items = every_page(operator, "/api/v1/kims")
        assert items and all(k["village_code"].startswith("14.71.") for k in items)
        ids = {k["id"] for k in items}
        assert world.a["id"] in ids and world.b["id"] not in ids
        mine = ok(operator.get("/api/v1/kims", params={"q": world.token}))
        assert [k["id"] for k in mine["items"]] == [world.a["id"]] and mine["total"] == 1
        assert mine["items"][0]["contact"]["phone"] == world.contact_phone_a
    with world.outside() as operator:
        items = every_page(operator, "/api/v1/kims")
        assert all(k["village_code"].startswith("14.72.") for k in items)
        assert world.b["id"] in {k["id"] for k in items} and world.a["id"] not in {k["id"] for k in items}


def test_kim_key_lists_only_its_own_group(platform, world):
    with world.own() as kim:
        page = ok(kim.get("/api/v1/kims"))
        assert [k["id"] for k in page["items"]] == [world.a["id"]] and page["total"] == 1
        assert page["items"][0]["contact"]["phone"] == world.contact_phone_a
    with world.other() as kim:
        page = ok(kim.get("/api/v1/kims"))
        assert [k["id"] for k in page["items"]] == [world.b["id"]] and page["total"] == 1
        assert ok(kim.get("/api/v1/kims", params={"region": "14.71"}))["total"] == 0


def test_list_region_filter_outside_scope_is_403(platform, world):
    with world.inside() as operator:
        assert_problem(operator.get("/api/v1/kims", params={"region": "14.72"}), 403)
        assert_problem(operator.get("/api/v1/kims", params={"region": DUMAI_VILLAGE}), 403)
        inside = ok(operator.get("/api/v1/kims", params={"region": "14.71.01", "q": world.token}))
        assert [k["id"] for k in inside["items"]] == [world.a["id"]]
    with world.outside() as operator:
        assert_problem(operator.get("/api/v1/kims", params={"region": "14.71"}), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.get("/api/v1/kims"), 401)


def test_list_filters(platform, world):
    a, b = world.a["id"], world.b["id"]

    def ids(client, **params):
        return [k["id"] for k in ok(client.get("/api/v1/kims", params={"q": world.token, **params}))["items"]]

    with world.admin() as admin:
        assert ids(admin) == sorted([a, b])
        assert ids(admin, region="14.72") == [b]
        assert ids(admin, tag="umkm") == [a]
        assert ids(admin, tag="perikanan") == [b]
        assert ids(admin, tag="kesehatan") == []
        assert ids(admin, classification="berkembang") == [a]
        assert ids(admin, classification="maju") == [b]
        assert ids(admin, classification="mandiri") == []
        assert ids(admin, status="active") == sorted([a, b])
        assert ids(admin, status="dissolved") == []
        # q is a part of the name, case-insensitive
        assert ids(admin, q=f"lingkup {world.token} ALFA") == [a]
        assert ids(admin, q=f"{world.token} beta") == [b]
        # a vakum group of its own, for the status filter
        token = uuid.uuid4().hex[:10]
        quiet = ok(admin.post("/api/v1/kims", json=group_body(f"KIM Sepi {token}", PEKANBARU_THIRD_VILLAGE)), 201)
        ok(admin.post(f"/api/v1/kims/{quiet['id']}/status", json={"status": "vakum", "reason": "Pengurus pindah"}))
        assert ids(admin, q=token, status="vakum") == [quiet["id"]]
        assert ids(admin, q=token, status="active") == []
        assert_problem(admin.get("/api/v1/kims", params={"status": "asleep"}), 422)
        assert_problem(admin.get("/api/v1/kims", params={"classification": "besar"}), 422)


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


# --- the public directory -------------------------------------------------------------

def test_public_directory_without_personal_data(platform, world):
    with world.anonymous() as anyone:
        listing = anyone.get("/api/v1/public/kims", params={"q": world.token})
        page = ok(listing)
        assert sorted(k["id"] for k in page["items"]) == sorted([world.a["id"], world.b["id"]])
        whole = anyone.get("/api/v1/public/kims", params={"limit": 500})
        ok(whole)
        one = anyone.get(f"/api/v1/public/kims/{world.a['id']}")
        kim = ok(one)
        assert kim["id"] == world.a["id"] and kim["region_path"] == ["14", "14.71", "14.71.01", PEKANBARU_VILLAGE]
        assert kim["name"] == world.a_body["name"]
        for response in (listing, whole, one, anyone.get(f"/api/v1/public/kims/{world.b['id']}"),
                         anyone.get("/api/v1/public/kims", params={"region": "14.71"}),
                         anyone.get("/api/v1/public/kims", params={"tag": "umkm", "q": world.token})):
            ok(response)
            assert not keys_anywhere(response.json(), "contact"), response.text
            for phone in (world.phone_a, world.phone_b, world.contact_phone_a, world.b_body["contact"]["phone"]):
                assert phone not in response.text
        assert_problem(anyone.get(f"/api/v1/public/kims/{UNKNOWN_KIM}"), 404)
    # a key is not needed, but a key holder sees the same public view
    with world.own() as kim:
        response = kim.get(f"/api/v1/public/kims/{world.a['id']}")
        assert not keys_anywhere(ok(response), "contact") and world.phone_a not in response.text


# --- personal data ---------------------------------------------------------------------

def test_member_phones_for_the_entitled_only(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/members"
    for make in (world.admin, world.inside, world.own):
        with make() as client:
            response = client.get(path)
            members = ok(response)
            ketua = [m for m in members["items"] if m["id"] == world.a_ketua["id"]]
            assert ketua and ketua[0]["phone"] == world.phone_a and ketua[0]["role"] == "ketua"
            assert world.phone_a in response.text
    for make in (world.outside, world.other):
        with make() as client:
            response = client.get(path)
            assert_problem(response, 403)
            assert world.phone_a not in response.text
    with world.anonymous() as anyone:
        assert_problem(anyone.get(path), 401)


def test_phones_never_reach_callers_outside_the_group(platform, world):
    """Every read path a caller outside group A may use: A's member phone and
    A's contact phone never appear."""
    secrets = (world.phone_a, world.contact_phone_a)
    a = world.a["id"]
    with world.other() as kim:
        responses = [
            kim.get("/api/v1/kims"), kim.get("/api/v1/kims", params={"limit": 500}),
            kim.get("/api/v1/kims", params={"q": world.token}),
            kim.get(f"/api/v1/kims/{a}"), kim.get(f"/api/v1/kims/{a}/members"),
            kim.get(f"/api/v1/kims/{a}/activities"), kim.get(f"/api/v1/kims/{a}/status"),
            kim.get("/api/v1/public/kims", params={"limit": 500}), kim.get(f"/api/v1/public/kims/{a}"),
        ]
        own_members = ok(kim.get(f"/api/v1/kims/{world.b['id']}/members"))  # its own phones, yes
        assert world.phone_b in {m["phone"] for m in own_members["items"]}
    with world.outside() as operator:
        responses += [
            operator.get("/api/v1/kims", params={"limit": 500}), operator.get(f"/api/v1/kims/{a}"),
            operator.get(f"/api/v1/kims/{a}/members"), operator.get(f"/api/v1/kims/{a}/activities"),
            operator.get(f"/api/v1/kims/{a}/status"),
        ]
    with world.anonymous() as anyone:
        responses += [
            anyone.get("/api/v1/public/kims"), anyone.get("/api/v1/public/kims", params={"limit": 500}),
            anyone.get("/api/v1/public/kims", params={"q": world.token}), anyone.get(f"/api/v1/public/kims/{a}"),
            anyone.get(f"/api/v1/kims/{a}"), anyone.get(f"/api/v1/kims/{a}/members"),
        ]
    for response in responses:
        assert response.status_code in (200, 401, 403), response.text
        if response.status_code != 200:
            assert_problem(response, response.status_code)
        for secret in secrets:
            assert secret not in response.text, f"{response.request.url}: {response.text[:500]}"


# --- changing ------------------------------------------------------------------------

def test_patch_with_if_match_increments_the_etag(platform, world):
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


def test_patch_with_a_stale_version_is_412(platform, world):
    path = f"/api/v1/kims/{world.a['id']}"
    with world.admin() as admin:
        version = ok(admin.get(path))["version"]
        ok(admin.patch(path, json={"lat": 0.51}, headers={"If-Match": f'"{version}"'}))
        body = assert_problem(admin.patch(path, json={"address": "Jl. Basi"}, headers={"If-Match": f'"{version}"'}),
                              412)
        # nameko's error serialisation turns the integer into a string on the way
        assert body["current_version"] == version + 1
        after = ok(admin.get(path))
        assert after["version"] == version + 1 and after["address"] != "Jl. Basi"


def test_kim_edits_its_address_but_not_its_village_or_classification(platform, world):
    path = f"/api/v1/kims/{world.a['id']}"
    with world.own() as kim:
        version = ok(kim.get(path))["version"]
        changed = ok(kim.patch(path, json={"address": "Jl. Kenanga No. 3"}, headers={"If-Match": f'"{version}"'}))
        assert changed["address"] == "Jl. Kenanga No. 3" and changed["version"] == version + 1
        for change in ({"village_code": PEKANBARU_OTHER_VILLAGE}, {"classification": "mandiri"}):
            body = assert_problem(kim.patch(path, json=change, headers={"If-Match": f'"{version + 1}"'}), 422)
            assert body["errors"][0]["field"] == next(iter(change))
        after = ok(kim.get(path))
        assert after["version"] == version + 1
        assert after["village_code"] == PEKANBARU_VILLAGE and after["classification"] == "berkembang"
    with world.other() as other:
        assert_problem(other.patch(path, json={"address": "Jl. Orang Lain"}), 403)


def test_operator_outside_cannot_patch(platform, world):
    path = f"/api/v1/kims/{world.a['id']}"
    with world.outside() as operator:
        assert_problem(operator.patch(path, json={"address": "Jl. Dumai"}, headers={"If-Match": '"1"'}), 403)
        assert_problem(operator.patch(path, json={"address": "Jl. Dumai"}), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.patch(path, json={"address": "Jl. Siapa"}), 401)
    with world.admin() as admin:
        assert ok(admin.get(path))["address"] != "Jl. Dumai"


# --- members -------------------------------------------------------------------------

def test_a_second_ketua_is_a_conflict(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/members"
    with world.own() as kim:
        body = assert_problem(kim.post(path, json={"name": "Ketua Kedua", "role": "ketua", "phone": "0812 000 111"}),
                              409)
        assert body["existing_id"] == world.a_ketua["id"]
        assert "Ketua Kedua" not in {m["name"] for m in ok(kim.get(path))["items"]}
    with world.other() as other:
        assert_problem(other.post(path, json={"name": "Penyusup", "role": "anggota"}), 403)


def test_remove_a_member(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/members"
    with world.inside() as operator:
        member = ok(operator.post(path, json={"name": f"Anggota {world.token}", "role": "anggota",
                                              "phone": unique_phone("0813")}), 201)
        assert member["id"] in {m["id"] for m in ok(operator.get(path))["items"]}
        with world.outside() as outsider:
            assert_problem(outsider.delete(f"{path}/{member['id']}"), 403)
        response = operator.delete(f"{path}/{member['id']}")
        assert response.status_code == 204, response.text
        assert member["id"] not in {m["id"] for m in ok(operator.get(path))["items"]}
        assert_problem(operator.delete(f"{path}/{member['id']}"), 404)
        # the ketua is still there
        assert world.a_ketua["id"] in {m["id"] for m in ok(operator.get(path))["items"]}


# --- activities ---------------------------------------------------------------------

def test_activities(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/activities"
    held_on = (date.today() - timedelta(days=1)).isoformat()
    report = {"date": held_on, "title": f"Sosialisasi {world.token}", "kind": "diseminasi",
              "participants": 45, "place": "Balai Kelurahan Jadirejo"}
    with world.own() as kim:
        activity = ok(kim.post(path, json=report), 201)
        assert activity["kim_id"] == world.a["id"] and activity["title"] == report["title"]
        assert activity["participants"] == 45 and activity["date"] == held_on
        listed = ok(kim.get(path))
        assert activity["id"] in {a["id"] for a in listed["items"]} and listed["total"] >= 1
    for make in (world.admin, world.inside):
        with make() as client:
            assert activity["id"] in {a["id"] for a in ok(client.get(path))["items"]}
    for make in (world.other, world.outside):
        with make() as client:
            assert_problem(client.get(path), 403)
            assert_problem(client.post(path, json=report), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.get(path), 401)
        assert_problem(anyone.post(path, json=report), 401)


# --- status --------------------------------------------------------------------------

def test_status_vakum_with_history(platform, world):
    with world.admin() as admin:
        kim = ok(admin.post("/api/v1/kims", json=group_body(f"KIM Status {uuid.uuid4().hex[:8]}",
                                                            PEKANBARU_OTHER_VILLAGE)), 201)
    path = f"/api/v1/kims/{kim['id']}/status"
    with world.inside() as operator:
        changed = ok(operator.post(path, json={"status": "vakum", "reason": "Pengurus pindah kerja"}))
        assert changed["status"] == "vakum" and changed["version"] == 2
        history = ok(operator.get(path))
        assert history["status"] == "vakum" and history["kim_id"] == kim["id"]
        assert [(h["old"], h["new"], h["reason"]) for h in history["history"]] == [
            (None, "active", "registered"), ("active", "vakum", "Pengurus pindah kerja")]
    for make in (world.outside, world.other):
        with make() as client:
            assert_problem(client.get(path), 403)
            assert_problem(client.post(path, json={"status": "active", "reason": "Bangkit lagi"}), 403)
    with world.anonymous() as anyone:
        assert_problem(anyone.get(path), 401)


def test_kim_cannot_dissolve_itself(platform, world):
    path = f"/api/v1/kims/{world.a['id']}/status"
    with world.own() as kim:
        before = ok(kim.get(path))
        body = assert_problem(kim.post(path, json={"status": "dissolved", "reason": "Kami bubar"}), 409)
        assert "dissolved" not in body["allowed"]
        after = ok(kim.get(path))
        assert after["status"] == before["status"] and len(after["history"]) == len(before["history"])


def test_dissolved_is_final(platform, world):
    with world.admin() as admin:
        kim = ok(admin.post("/api/v1/kims", json=group_body(f"KIM Bubar {uuid.uuid4().hex[:8]}",
                                                            PEKANBARU_THIRD_VILLAGE)), 201)
    path = f"/api/v1/kims/{kim['id']}/status"
    with world.inside() as operator:
        assert ok(operator.post(path, json={"status": "dissolved", "reason": "SK dicabut lurah"}))["status"] == \
            "dissolved"
        body = assert_problem(operator.post(path, json={"status": "active", "reason": "Dibentuk lagi"}), 409)
        assert "allowed" in body and body["allowed"] == []
        assert ok(operator.get(path))["status"] == "dissolved"
