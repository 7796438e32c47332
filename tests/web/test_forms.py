"""The public aspiration form without JavaScript: the same form sent twice
files one aspiration; a village found by name; errors next to the fields."""
import re

from tests.web.people import csrf, field_errors, visitor


def _form(html: str) -> dict:
    return {"csrf_token": csrf(html),
            "submission_key": re.search(r'name="submission_key" value="([^"]+)"', html).group(1)}


def test_the_same_form_sent_twice_files_one_aspiration(platform):
    citizen = visitor(platform)
    page = citizen.get("/aspirasi?cari=Jadirejo")
    assert '<option value="14.71.01.1002">Jadirejo (14.71.01.1002)</option>' in page.text
    data = {**_form(page.text), "kind": "aspirasi", "category": "lainnya", "category_other": "Taman Bermain",
            "body": "Mohon taman bermain anak di RW 2.", "village_code": "14.71.01.1002"}
    first = citizen.post("/aspirasi", data=data)
    again = citizen.post("/aspirasi", data=data)  # a double tap, or a retry after a lost answer
    codes = [re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', r.text).group(1) for r in (first, again)]
    assert first.status_code == again.status_code == 202 and codes[0] == codes[1]
    another = citizen.post("/aspirasi", data={**data, **_form(citizen.get("/aspirasi").text)})
    assert re.search(r'id="kode-pelacakan">([A-Z0-9]+)<', another.text).group(1) != codes[0]


def test_every_wrong_field_is_named_next_to_it(platform):
    citizen = visitor(platform)
    page = citizen.get("/aspirasi")
    response = citizen.post("/aspirasi", data={**_form(page.text), "kind": "", "category": "",
                                               "body": "", "village_code": "14.71",
                                               "submitter.email": "bukan-surel"})
    assert response.status_code == 422
    errors = field_errors(response.text)
    assert set(errors) >= {"f-kind", "f-category", "f-body", "f-village-code", "f-submitter-email"}
    assert errors["f-body"].startswith("Terlalu pendek")
    # the fields keep what was typed, and point at their error for screen readers
    assert 'value="bukan-surel"' in response.text
    assert 'aria-describedby="f-submitter-email-error" aria-invalid="true"' in response.text


def test_a_refused_edit_keeps_what_was_typed_next_to_its_error(platform):
    from tests.web.people import new_account, sign_in, unique
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": unique("KIM Ubah "), "village_code": "14.71.01.1005", "classification": "tumbuh",
            "sk": {"number": unique("SK/UBAH/"), "date": "2024-01-01", "issuer": "Lurah"}}).json()
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
    missing = operator.get("/konsol/kim/KIM-1471011005-99")  # the page's calls run together: still one 404
    assert missing.status_code == 404 and "KIM KIM-1471011005-99 tidak ditemukan." in missing.text
    page = operator.get(f"/konsol/kim/{kim['id']}")
    form = {"csrf_token": csrf(page.text), "version": str(kim["version"]), "name": "Nama Baru Sekali",
            "village_code": kim["village_code"], "sk.number": kim["sk"]["number"], "sk.date": "2024-01-01",
            "sk.issuer": "Lurah", "classification": "maju", "lat": "utara"}
    refused = operator.post(f"/konsol/kim/{kim['id']}/ubah", data=form)
    assert refused.status_code == 422
    assert field_errors(refused.text) == {"f-ubah-lat": "Isi dengan angka."}
    assert 'value="Nama Baru Sekali"' in refused.text and 'value="utara"' in refused.text
    saved = operator.post(f"/konsol/kim/{kim['id']}/ubah", data={**form, "lat": "0.51"})
    assert saved.status_code == 303
    with platform.admin as admin:
        assert admin.get(f"/api/v1/kims/{kim['id']}").json()["name"] == "Nama Baru Sekali"


def test_the_forms_topics_are_the_open311_services(platform):
    # the form once offered administrasi_kependudukan where Open311 says administrasi
    citizen = visitor(platform)
    page = citizen.get("/aspirasi?cari=Jadirejo")
    select = re.search(r'<select[^>]*name="category".*?</select>', page.text, re.S).group(0)
    offered = [code for code in re.findall(r'<option value="([^"]*)"', select) if code]
    services = citizen.get("/open311/v2/services.json").json()
    assert offered == [service["service_code"] for service in services]
    assert "administrasi" in offered and "Administrasi kependudukan" in select
