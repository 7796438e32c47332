"""Issue 16: an office withdraws a broadcast from its console page (with the
page's CSRF token); the page then says when, and offers nothing more."""
from tests.web.people import csrf, new_account, sign_in, unique


def test_an_office_withdraws_a_broadcast_from_the_console(platform):
    with platform.admin as admin:
        pekanbaru = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
        key = admin.post("/api/v1/keys", json={"name": unique("Kantor Pekanbaru "), "role": "operator",
                                               "scope_region": "14.71"})
        assert key.status_code == 201, key.text
    with platform.client(key.json()["key"]) as office:  # written by an office of the same scope
        created = office.post("/api/v1/broadcasts", json={
            "title": unique("Siaran keliru "), "body": "Terkirim karena salah.", "category": "darurat",
            "priority": "high", "target": {"regions": ["14.71.01.1004"]}})
        assert created.status_code == 201, created.text
        broadcast_id = created.json()["id"]
        assert office.post(f"/api/v1/broadcasts/{broadcast_id}/publish").status_code == 200
    page = pekanbaru.get(f"/konsol/siaran/{broadcast_id}")
    assert page.status_code == 200 and "Tarik siaran ini" in page.text, page.text[:500]
    assert pekanbaru.post(f"/konsol/siaran/{broadcast_id}/tarik", data={}).status_code == 403  # no token
    withdrawn = pekanbaru.post(f"/konsol/siaran/{broadcast_id}/tarik", data={"csrf_token": csrf(page.text)})
    assert withdrawn.status_code == 303, withdrawn.text[:500]
    after = pekanbaru.get(f"/konsol/siaran/{broadcast_id}")
    assert "Ditarik" in after.text and "Tarik siaran ini" not in after.text
