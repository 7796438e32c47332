"""CSRF on every form and on the API by cookie, one group kept out of
another's pages, and no personal data on public pages."""
import re

from tests.conftest import wait_for
from tests.web.people import csrf, new_account, sign_in, unique, visitor


def _register(admin, name: str, village: str = "14.71.01.1002", **fields) -> dict:
    response = admin.post("/api/v1/kims", json={
        "name": name, "village_code": village, "classification": "tumbuh",
        "sk": {"number": unique("SK/"), "date": "2024-02-01", "issuer": "Lurah"}, **fields})
    assert response.status_code == 201, response.text
    return response.json()


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(platform):
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
        name = unique("KIM Tanpa Token ")
        form = {"name": name, "village_code": "14.71.01.1002", "sk.number": unique("SK/"), "sk.date": "2024-01-01",
                "sk.issuer": "Lurah", "classification": "tumbuh"}
        for token in (None, "salah", csrf(visitor(platform).get("/masuk").text)):  # none, wrong, someone else's
            data = form if token is None else {**form, "csrf_token": token}
            refused = operator.post("/konsol/kim/baru", data=data)
            assert refused.status_code == 403 and "Formulir ini kedaluwarsa" in refused.text
        assert admin.get("/api/v1/kims", params={"q": name}).json()["total"] == 0
        # a citizen's form needs it too
        citizen = visitor(platform)
        citizen.get("/aspirasi")
        refused = citizen.post("/aspirasi", data={"kind": "aspirasi", "category": "sosial", "body": "Tanpa token.",
                                                  "village_code": "14.71.01.1002"})
        assert refused.status_code == 403


def test_the_api_by_session_cookie_needs_the_csrf_header_for_changes(platform):
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
    token = re.search(r'name="csrf-token" content="([^"]+)"', operator.get("/konsol").text).group(1)
    assert operator.get("/api/v1/kims", params={"limit": 1}).status_code == 200
    body = {"target": {"regions": ["14.71"]}}
    refused = operator.post("/api/v1/broadcasts/preview", json=body)
    assert refused.status_code == 403 and refused.headers["content-type"].startswith("application/problem+json")
    assert operator.post("/api/v1/broadcasts/preview", json=body, headers={"X-CSRF-Token": "x"}).status_code == 403
    counted = operator.post("/api/v1/broadcasts/preview", json=body, headers={"X-CSRF-Token": token})
    assert counted.status_code == 200 and "recipients" in counted.json()


def test_a_group_cannot_open_another_groups_pages(platform):
    with platform.admin as admin:
        mine, theirs = _register(admin, unique("KIM Kami ")), _register(admin, unique("KIM Mereka "))
        group = sign_in(platform, new_account(admin, "kim", kim_id=mine["id"]))
        broadcast = admin.post("/api/v1/broadcasts", json={
            "title": "Untuk semua di Jadirejo", "body": "Isi.", "category": "pengumuman",
            "target": {"regions": ["14.71.01.1002"]}}).json()
        admin.post(f"/api/v1/broadcasts/{broadcast['id']}/publish")
    with platform.admin as admin:
        def both():
            found = {d["kim_id"]: d["id"] for d in admin.get(
                f"/api/v1/broadcasts/{broadcast['id']}/deliveries", params={"limit": 500}).json()["items"]}
            return found if mine["id"] in found and theirs["id"] in found else None
        deliveries = wait_for(both, message="both groups' deliveries")
    for path in ("/konsol", f"/konsol/kim/{theirs['id']}", "/konsol/aspirasi", "/konsol/akun"):
        assert group.get(path).status_code == 403, path
    token = csrf(group.get("/portal").text)
    other = group.post(f"/portal/pesan/{deliveries[theirs['id']]}/terima", data={"csrf_token": token})
    assert other.status_code == 404
    assert group.get(f"/api/v1/kims/{theirs['id']}/inbox").status_code in (403, 404)
    own = group.post(f"/portal/pesan/{deliveries[mine['id']]}/terima", data={"csrf_token": token})
    assert own.status_code == 303


def test_public_pages_carry_no_personal_data(platform):
    secrets = {"person": "Siti Pribadi", "phone": "+62 811 7777 1234", "member": "Ahmad Anggota",
               "member_phone": "+62 813 5555 6789", "citizen": "Budi Tersembunyi", "citizen_phone": "+62 812 9999 0000"}
    with platform.admin as admin:
        kim = _register(admin, unique("KIM Privasi "), contact={"person": secrets["person"], "phone": secrets["phone"]},
                        lat=0.51, lon=101.45)
        assert admin.post(f"/api/v1/kims/{kim['id']}/members", json={
            "name": secrets["member"], "role": "anggota", "phone": secrets["member_phone"]}).status_code == 201
    citizen = visitor(platform)
    page = citizen.get("/aspirasi")
    sent = citizen.post("/aspirasi", data={
        "csrf_token": csrf(page.text), "kind": "pengaduan", "category": "infrastruktur",
        "body": "Lampu jalan mati di gang kami.", "village_code": "14.71.01.1002", "kim_id": kim["id"],
        "submitter.name": secrets["citizen"], "submitter.phone": secrets["citizen_phone"], "anonim": "ya"})
    assert sent.status_code == 202
    code = re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', sent.text).group(1)
    secret_one = citizen.post("/aspirasi", data={
        "csrf_token": csrf(page.text), "kind": "pengaduan", "category": "keamanan",
        "body": "Isi yang sangat rahasia sekali.", "village_code": "14.71.01.1002", "rahasia": "ya"})
    secret_code = re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', secret_one.text).group(1)
    wait_for(lambda: citizen.get(f"/lacak/{code}").status_code == 200, message="tracking")
    wait_for(lambda: citizen.get(f"/lacak/{secret_code}").status_code == 200, message="tracking")

    public = visitor(platform)
    pages = ["/", "/peta", "/peta/14.71.01", "/peta/14.71.01.1002", f"/kim?q={kim['name']}", f"/kim/{kim['id']}",
             f"/lacak/{code}", f"/lacak/{secret_code}"]
    for path in pages:
        html = public.get(path).text
        for secret in secrets.values():
            assert secret not in html, (path, secret)
    assert kim["name"] in public.get("/peta/14.71.01.1002").text
    assert "Lampu jalan mati" in public.get(f"/lacak/{code}").text
    assert "sangat rahasia" not in public.get(f"/lacak/{secret_code}").text
