"""Issue 16 in a browser: the public aspiration form shows its privacy notice and sends the notice's
version, which the aspirations service records with the contact; the privacy page (/privasi) is
reached from every page's footer, says what is kept, why and for how long, in Indonesian and in
English, and passes the accessibility check."""
import random

from tests.conftest import wait_for
from tests.web.conftest import check_page

VILLAGE = "14.71.01.1002"


def test_the_form_shows_its_notice_and_the_privacy_page_says_what_is_kept(platform, new_page):
    name = f"{platform.backend}/"
    phone = "0812" + "".join(random.choices("0123456789", k=8))
    citizen = new_page()
    citizen.goto(f"/aspirasi?desa={VILLAGE}")
    notice = citizen.locator(".privacy-notice")
    assert "hanya dipakai oleh kantor yang menangani aspirasi ini" in notice.inner_text()
    citizen.get_by_label("Aspirasi: saran atau usulan").check()
    citizen.locator("#f-category").select_option("kesehatan")
    citizen.get_by_label("Isi aspirasi").fill("Posyandu di RW 02 perlu timbangan bayi yang baru.")
    citizen.locator("#f-submitter-phone").fill(phone)
    citizen.get_by_role("button", name="Kirim aspirasi").click()
    code = citizen.locator("#kode-pelacakan").inner_text()

    with platform.admin as admin:
        def held():
            items = admin.post("/api/v1/privacy/search", json={"phone": phone}).json()["items"]
            return [i for i in items if i["facts"].get("tracking_code") == code]
        found = wait_for(held, message="the aspiration with its consent")
        version = admin.get("/api/v1/privacy/notices").json()["items"]
        current = next(n["version"] for n in version if n["purpose"] == "aspiration_contact" and n["current"])
        assert [(c["purpose"], c["notice_version"], c["given_by"], c["fields"]) for c in found[0]["consents"]] == [
            ("aspiration_contact", current, "warga", ["phone"])]

    citizen.get_by_role("link", name="Kebijakan privasi").click()
    citizen.wait_for_url("**/privasi")
    body = citizen.locator("main").inner_text()
    assert "Dihapus 365 hari setelah aspirasi selesai" in body and "3 × 24 jam" in body
    check_page(citizen, name + "publik-privasi")
    citizen.goto("/privasi?lang=en")
    assert "Erased 365 days after the aspiration is closed" in citizen.locator("main").inner_text()
    check_page(citizen, name + "publik-privasi-english")
