"""A group's channels on the website without a browser: only the group's own office and the
group itself manage them, the forms need their CSRF token, the pages speak English too, and a
broadcast that went through no channel says so."""
import re

from tests.web.people import csrf, new_account, sign_in, unique


def _group(admin, village: str = "14.71.01.1004") -> str:
    created = admin.post("/api/v1/kims", json={
        "name": unique("KIM Saluran Halaman "), "village_code": village, "classification": "tumbuh",
        "sk": {"number": unique("SK/SH/"), "date": "2024-02-01", "issuer": "Lurah"}})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def _channels(admin, kim_id: str) -> list[dict]:
    return admin.get(f"/api/v1/kims/{kim_id}/channels").json()["items"]


def test_only_the_groups_office_and_the_group_manage_its_channels(platform):
    with platform.admin as admin:
        ours, theirs = _group(admin), _group(admin)
        dumai = sign_in(platform, new_account(admin, "operator", scope_region="14.72"))
        pekanbaru = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
        their_group = sign_in(platform, new_account(admin, "kim", kim_id=theirs))
    token = csrf(pekanbaru.get(f"/konsol/kim/{ours}").text)
    added = pekanbaru.post(f"/konsol/kim/{ours}/saluran", data={"csrf_token": token, "kind": "telegram"})
    assert added.status_code == 200 and re.search(r'id="kode-saluran">[A-Z2-9]{8}<', added.text)
    with platform.admin as admin:
        channel = _channels(admin, ours)[0]

    # an office outside the group's region, without the page's token, a verb that is none
    outside = dumai.post(f"/konsol/kim/{ours}/saluran", data={"csrf_token": csrf(dumai.get("/konsol").text),
                                                                "kind": "telegram"})
    assert outside.status_code == 403
    assert pekanbaru.post(f"/konsol/kim/{ours}/saluran", data={"kind": "telegram"}).status_code == 403
    assert pekanbaru.post(f"/konsol/kim/{ours}/saluran/{channel['id']}/hapus", data={}).status_code == 403
    assert pekanbaru.post(f"/konsol/kim/{ours}/saluran/{channel['id']}/bakar",
                          data={"csrf_token": token}).status_code == 404
    # another group's portal names the channel as unknown: its page answers for its own group only
    page = their_group.get("/portal/saluran")
    assert page.status_code == 200 and "Belum ada saluran." in page.text
    refused = their_group.post(f"/portal/saluran/{channel['id']}/hapus", data={"csrf_token": csrf(page.text)})
    assert refused.status_code == 404 and "Saluran tidak ditemukan." in refused.text
    with platform.admin as admin:
        assert [c["id"] for c in _channels(admin, ours)] == [channel["id"]]
        assert _channels(admin, theirs) == []

    # a pending channel is not paused: the office is told why, on the page
    paused = pekanbaru.post(f"/konsol/kim/{ours}/saluran/{channel['id']}/jeda", data={"csrf_token": token})
    assert paused.status_code == 409 and "Saluran belum ditautkan dengan kodenya." in paused.text
    removed = pekanbaru.post(f"/konsol/kim/{ours}/saluran/{channel['id']}/hapus", data={"csrf_token": token})
    assert removed.status_code == 303 and removed.headers["location"].endswith(f"/konsol/kim/{ours}#saluran")
    with platform.admin as admin:
        assert _channels(admin, ours) == []


def test_a_refused_channel_keeps_what_was_typed_and_pages_speak_english(platform):
    with platform.admin as admin:
        kim_id = _group(admin)
        group = sign_in(platform, new_account(admin, "kim", kim_id=kim_id), **{"Accept-Language": "en-US,en"})
        broadcast = admin.post("/api/v1/broadcasts", json={
            "title": "Draf tanpa saluran", "body": "Belum diterbitkan.", "category": "program",
            "target": {"regions": ["14.71.01.1004"]}}).json()
        office = sign_in(platform, new_account(admin, "admin"))  # a draft is seen by its author's level
    page = group.get("/portal/saluran")
    assert "<h1>The group&#39;s channels</h1>" in page.text and "Add a channel" in page.text
    refused = group.post("/portal/saluran", data={"csrf_token": csrf(page.text), "kind": "email",
                                                  "address": "bukan-alamat"})
    assert refused.status_code == 422
    assert 'id="f-saluran-address-error"' in refused.text and 'value="bukan-alamat"' in refused.text
    assert '<option value="email" selected>' in refused.text
    added = group.post("/portal/saluran", data={"csrf_token": csrf(page.text), "kind": "whatsapp",
                                                "address": "0812 7777 0001"})
    assert added.status_code == 200 and "Link code:" in added.text
    assert "Send a WhatsApp message from this number" in added.text  # how to link, in English
    assert "Waiting for its code" in added.text
    # a draft went through no channel; the office reads that on its page
    draft = office.get(f"/konsol/siaran/{broadcast['id']}").text
    assert 'id="angka-saluran-kosong"' in draft and "tidak dikirim lewat saluran mana pun" in draft
