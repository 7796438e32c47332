"""Object-level authorization, end to end (issue 11, section 3): drafts stay
with the office that wrote them and the offices above it; account
management follows a group's current village; a group sees personal data
only of what it filed itself; reading an inbox changes nothing."""
import uuid

import pytest

from tests.conftest import wait_for, wait_for_broadcast_directory
from tests.web.people import new_account, unique

PEKANBARU_VILLAGE, DUMAI_VILLAGE = "14.71.01.1002", "14.72.01.1003"


@pytest.fixture(scope="module")
def town(platform, keys):
    """A group in Pekanbaru with a kim key, known to both services' directories."""
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Objek {run}", "village_code": PEKANBARU_VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"OBJ/{run}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        key = admin.post("/api/v1/keys", json={"name": "KIM Objek", "role": "kim", "kim_id": kim["id"]}).json()
        wait_for_broadcast_directory(admin, kim["id"])
    return {"id": kim["id"], "key": key["key"], "run": run}


def draft(client, regions, title="Rancangan") -> dict:
    created = client.post("/api/v1/broadcasts", json={
        "title": title, "body": "Isi rancangan.", "category": "pengumuman", "target": {"regions": regions}})
    assert created.status_code == 201, created.text
    return created.json()


def test_a_draft_is_seen_and_changed_only_by_its_office_and_those_above(platform, keys):
    with platform.client(keys["riau"]["key"]) as riau, platform.client(keys["pekanbaru"]["key"]) as pekanbaru, \
            platform.client(keys["dumai"]["key"]) as dumai, platform.admin as national:
        provincial = draft(riau, ["14.71"], "Rancangan provinsi")
        for path in (f"/api/v1/broadcasts/{provincial['id']}", f"/api/v1/broadcasts/{provincial['id']}/deliveries"):
            assert pekanbaru.get(path).status_code == 404, path  # the target is its regency, the author is above
            assert dumai.get(path).status_code == 404, path
            assert riau.get(path).status_code == 200 and national.get(path).status_code == 200
        assert pekanbaru.post(f"/api/v1/broadcasts/{provincial['id']}/publish").status_code == 404
        assert riau.get(f"/api/v1/broadcasts/{provincial['id']}").json()["status"] == "draft"

        local = draft(pekanbaru, ["14.71.01"], "Rancangan kota")
        assert dumai.get(f"/api/v1/broadcasts/{local['id']}").status_code == 404
        assert local["id"] in {b["id"] for b in riau.get("/api/v1/broadcasts", params={"limit": 500}).json()["items"]}
        assert riau.get(f"/api/v1/broadcasts/{local['id']}").status_code == 200  # the office above

        def listed(client) -> set[str]:
            return {b["id"] for b in client.get("/api/v1/broadcasts", params={"limit": 500}).json()["items"]}
        assert provincial["id"] not in listed(pekanbaru)

        # published, it is readable by the offices whose scope meets its target; still changed by its own
        assert riau.post(f"/api/v1/broadcasts/{provincial['id']}/publish").status_code == 200
        assert pekanbaru.get(f"/api/v1/broadcasts/{provincial['id']}").status_code == 200
        assert provincial["id"] in listed(pekanbaru) and provincial["id"] not in listed(dumai)
        assert pekanbaru.post(f"/api/v1/broadcasts/{provincial['id']}/publish").status_code == 403
        assert dumai.get(f"/api/v1/broadcasts/{provincial['id']}").status_code == 404


def test_reading_the_inbox_marks_nothing_read_and_a_post_does(platform, keys, town):
    with platform.admin as admin:
        broadcast = draft(admin, [PEKANBARU_VILLAGE], f"Untuk dibaca {town['run']}")
        assert admin.post(f"/api/v1/broadcasts/{broadcast['id']}/publish").status_code == 200
    inbox = f"/api/v1/kims/{town['id']}/inbox"
    with platform.client(town["key"]) as group:
        message = wait_for(lambda: next((d for d in group.get(inbox, params={"limit": 500}).json()["items"]
                                         if d["broadcast_id"] == broadcast["id"]), None), message="the message")
        again = next(d for d in group.get(inbox, params={"limit": 500}).json()["items"] if d["id"] == message["id"])
        assert message["read_at"] is None and again["read_at"] is None  # a GET changes nothing
    with platform.client(keys["pekanbaru"]["key"]) as operator, platform.client(keys["kim"]["key"]) as other:
        assert operator.post(f"{inbox}/{message['id']}/read").status_code == 403  # an office reading is no group
        assert other.post(f"{inbox}/{message['id']}/read").status_code == 403
        assert other.post(f"/api/v1/kims/{keys['kim']['kim_id']}/inbox/{message['id']}/read").status_code == 404
    with platform.client(town["key"]) as group:
        read = group.post(f"{inbox}/{message['id']}/read")
        assert read.status_code == 200 and read.json()["read_at"] is not None
        assert group.post(f"{inbox}/{message['id']}/read").json()["read_at"] == read.json()["read_at"]


def test_a_group_named_by_a_citizen_sees_no_personal_data_nor_a_secret_body(platform, keys, town):
    secret_body, name, email = f"Pungutan liar {town['run']} di kantor.", "Warga Pelapor", "pelapor@contoh.id"
    with platform.client() as citizen:
        def send():
            # 422 until the aspirations service's directory knows the group
            answer = citizen.post("/api/v1/aspirations", json={
                "kind": "pengaduan", "category": "layanan", "body": secret_body, "village_code": PEKANBARU_VILLAGE,
                "kim_id": town["id"], "rahasia": True, "submitter": {"name": name, "email": email}})
            return answer.json()["tracking_code"] if answer.status_code == 202 else None
        code = wait_for(send, message="the aspirations service to know the group")
    with platform.client(town["key"]) as group:
        filed = group.post("/api/v1/aspirations", json={
            "kind": "aspirasi", "category": "layanan", "body": f"Dari KIM sendiri {town['run']}.",
            "village_code": PEKANBARU_VILLAGE, "rahasia": True, "submitter": {"name": "Warga Dibantu KIM"}})
        own_code = filed.json()["tracking_code"]

        def listed(tracking_code):
            return next((a for a in group.get("/api/v1/aspirations", params={"limit": 500}).json()["items"]
                         if a["tracking_code"] == tracking_code), None)
        item = wait_for(lambda: listed(code), message="the named aspiration in the group's list")
        own = wait_for(lambda: listed(own_code), message="the group's own aspiration")
        detail = group.get(f"/api/v1/aspirations/{item['id']}")
        assert detail.status_code == 200  # it is linked to the group...
        for text in (str(item), detail.text):  # ...but shows it nothing personal nor secret
            assert secret_body not in text and name not in text and email not in text
        assert own["body"] == f"Dari KIM sendiri {town['run']}." and own["submitter"]["name"] == "Warga Dibantu KIM"
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        handled = operator.get(f"/api/v1/aspirations/{item['id']}").json()
        assert handled["body"] == secret_body and handled["submitter"]["email"] == email
        for step in ("verified", "forwarded", "in_progress"):
            assert operator.post(f"/api/v1/aspirations/{item['id']}/transition", json={"to": step}).status_code == 200
        assert operator.post(f"/api/v1/aspirations/{item['id']}/transition", json={
            "to": "responded", "response": f"Jawaban rahasia {town['run']}"}).status_code == 200
        for step in ("verified", "forwarded", "in_progress"):
            operator.post(f"/api/v1/aspirations/{own['id']}/transition", json={"to": step})
        operator.post(f"/api/v1/aspirations/{own['id']}/transition", json={
            "to": "responded", "response": f"Jawaban milik KIM {town['run']}"})
    with platform.client(town["key"]) as group:
        def answers():
            return {d["message"]["tracking_code"] for d in group.get(
                f"/api/v1/kims/{town['id']}/inbox", params={"limit": 500}).json()["items"]
                if d["kind"] == "aspiration_answer"}
        wait_for(lambda: own_code in answers(), message="the answer to the group's own aspiration")
        assert code not in answers()  # the answer to a citizen's secret goes to the citizen, not the group


def test_account_management_follows_the_groups_current_village(platform, keys):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client(keys["pekanbaru"]["key"]) as pekanbaru, \
            platform.client(keys["dumai"]["key"]) as dumai:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Pindah {run}", "village_code": PEKANBARU_VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"PINDAH/{run}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        account = new_account(pekanbaru, "kim", kim_id=kim["id"])
        moved = admin.patch(f"/api/v1/kims/{kim['id']}", json={"village_code": DUMAI_VILLAGE},
                            headers={"If-Match": f'"{kim["version"]}"'})
        assert moved.status_code == 200, moved.text

        # the old regency's operator no longer manages the group's account: no link, no sign-in as the group
        assert pekanbaru.post(f"/api/v1/accounts/{account['id']}/setup-link").status_code == 404
        assert pekanbaru.delete(f"/api/v1/accounts/{account['id']}").status_code == 404
        seen = {a["id"] for a in pekanbaru.get("/api/v1/accounts", params={"limit": 500}).json()["items"]}
        assert account["id"] not in seen
        # the new one does
        listed = {a["id"]: a for a in dumai.get("/api/v1/accounts", params={"limit": 500}).json()["items"]}
        assert listed[account["id"]]["scope_region"] == DUMAI_VILLAGE
        assert dumai.post(f"/api/v1/accounts/{account['id']}/setup-link").status_code == 200


def test_an_operator_manages_group_accounts_only_and_an_admin_those_below_it(platform, keys):
    with platform.admin as admin, platform.client(keys["pekanbaru"]["key"]) as pekanbaru, \
            platform.client(keys["riau"]["key"]) as riau:
        colleague = admin.post("/api/v1/accounts", json={
            "username": unique("op.kota."), "name": "Rekan", "role": "operator", "scope_region": "14.71"}).json()
        peer = admin.post("/api/v1/accounts", json={
            "username": unique("admin.riau."), "name": "Admin Lain", "role": "admin", "scope_region": "14"}).json()
        refused = pekanbaru.post("/api/v1/accounts", json={
            "username": unique("op.baru."), "name": "Op", "role": "operator", "scope_region": "14.71"})
        assert refused.status_code == 403, refused.text
        assert pekanbaru.post(f"/api/v1/accounts/{colleague['id']}/setup-link").status_code == 404
        assert pekanbaru.delete(f"/api/v1/accounts/{colleague['id']}").status_code == 404
        assert colleague["id"] not in {a["id"] for a in pekanbaru.get(
            "/api/v1/accounts", params={"limit": 500}).json()["items"]}
        # a province admin: its operators and groups, not another admin of its province
        assert riau.post(f"/api/v1/accounts/{colleague['id']}/setup-link").status_code == 200
        assert riau.post(f"/api/v1/accounts/{peer['id']}/setup-link").status_code == 404
        assert riau.post("/api/v1/accounts", json={
            "username": unique("admin.lagi."), "name": "A", "role": "admin", "scope_region": "14"}).status_code == 403
        assert admin.post(f"/api/v1/accounts/{peer['id']}/setup-link").status_code == 200


def test_the_portal_marks_a_message_read_when_the_group_opens_it(platform, town):
    from tests.web.people import csrf, sign_in
    body = f"Isi yang dibuka {town['run']}."
    with platform.admin as admin:
        group = sign_in(platform, new_account(admin, "kim", kim_id=town["id"]))
        broadcast = admin.post("/api/v1/broadcasts", json={
            "title": f"Dibuka di portal {town['run']}", "body": body, "category": "pengumuman",
            "target": {"regions": [PEKANBARU_VILLAGE]}}).json()
        assert admin.post(f"/api/v1/broadcasts/{broadcast['id']}/publish").status_code == 200
        message = wait_for(lambda: next((d for d in admin.get(f"/api/v1/kims/{town['id']}/inbox", params={
            "limit": 500}).json()["items"] if d["broadcast_id"] == broadcast["id"]), None), message="the message")
    page = group.get("/portal")
    assert f"Dibuka di portal {town['run']}" in page.text and body not in page.text  # listed, not opened
    assert f'action="/portal/pesan/{message["id"]}/baca"' in page.text
    opened = group.post(f"/portal/pesan/{message['id']}/baca", data={"csrf_token": csrf(page.text)})
    assert opened.status_code == 303 and opened.headers["location"].endswith(f"#pesan-{message['id']}")
    # read messages come after the unread ones: look through the pages
    pages = (group.get("/portal", params={"mulai": offset}).text for offset in range(0, 500, 25))
    assert any(body in page for page in pages)
    with platform.admin as admin:
        read = next(d for d in admin.get(f"/api/v1/kims/{town['id']}/inbox", params={"limit": 500}).json()["items"]
                    if d["id"] == message["id"])
        assert read["read_at"] is not None


def test_a_groups_key_follows_it_to_another_province(platform, keys):
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin, platform.client(keys["riau"]["key"]) as riau:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Pindah Provinsi {run}", "village_code": PEKANBARU_VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"PINDAHPROV/{run}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        key = riau.post("/api/v1/keys", json={"name": "KIM pindah", "role": "kim", "kim_id": kim["id"]}).json()
        assert key["scope_region"] == PEKANBARU_VILLAGE
        moved = admin.patch(f"/api/v1/kims/{kim['id']}", json={"village_code": "13.71.01.1002"},
                            headers={"If-Match": f'"{kim["version"]}"'})
        assert moved.status_code == 200, moved.text
        assert key["id"] not in {k["id"] for k in riau.get("/api/v1/keys", params={"limit": 500}).json()["items"]}
        assert riau.delete(f"/api/v1/keys/{key['id']}").status_code == 404
        listed = {k["id"]: k for k in admin.get("/api/v1/keys", params={"limit": 500}).json()["items"]}
        assert listed[key["id"]]["scope_region"] == "13.71.01.1002"
