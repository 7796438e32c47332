"""Issue 16 in a browser: the public aspiration form shows its privacy notice and sends the notice's
version, which the aspirations service records with the contact; the privacy page (/privasi) is
reached from every page's footer, says what is kept, why and for how long, in Indonesian and in
English, and passes the accessibility check."""
import random

from tests.conftest import wait_for
from tests.web.conftest import check_page
from tests.web.people import new_account

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


def browser_sign_in(page, account: dict):
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(account["username"])
    page.get_by_label("Kata sandi").fill(account["password"])
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url("**/konsol")


def test_an_office_finds_copies_and_erases_a_persons_data_in_the_console(platform, new_page):
    name = f"{platform.backend}/"
    phone = "0813" + "".join(random.choices("0123456789", k=8))
    with platform.admin as admin, platform.client() as citizen:
        sent = citizen.post("/api/v1/aspirations", json={
            "kind": "pengaduan", "category": "infrastruktur", "body": "Lampu jalan di gang 4 mati.",
            "village_code": VILLAGE, "submitter": {"name": "Ibu Sari", "phone": phone}})
        code = sent.json()["tracking_code"]
        wait_for(lambda: citizen.get(f"/api/v1/aspirations/track/{code}").status_code == 200,
                 message="the aspiration taken in")
        operator, national = new_account(admin, "operator", scope_region="14.71"), new_account(admin, "admin")
    page = new_page()
    browser_sign_in(page, operator)
    page.get_by_role("link", name="Data pribadi").click()
    page.get_by_label("Nomor telepon atau e-mail").fill(phone)
    page.get_by_role("button", name="Cari di semua layanan").click()
    assert "Ibu Sari" in page.locator("#hasil-cari").locator("..").inner_text()
    assert phone not in page.url  # posted, never in a URL
    check_page(page, name + "konsol-privasi-hasil")
    with page.context.expect_page() as opened:  # the copy to print opens beside the search
        page.get_by_role("button", name="Salinan untuk dicetak").click()
    copy = opened.value
    copy.wait_for_load_state()
    assert "Data pribadi yang disimpan" in copy.content() and code in copy.content()
    copy.close()
    page.get_by_label("Alasan").fill("Surat permintaan 7/2026")
    page.get_by_role("button", name="Hapus dari semua layanan").click()
    assert "Permintaan penghapusan dicatat" in page.locator("main").inner_text()
    check_page(page, name + "konsol-privasi-dihapus")

    admin_page = new_page()
    browser_sign_in(admin_page, national)
    admin_page.goto("/konsol/privasi/log")
    assert "privacy_erasure" in admin_page.locator("main").inner_text()
    check_page(admin_page, name + "konsol-privasi-log")
    with platform.admin as admin:
        wait_for(lambda: admin.post("/api/v1/privacy/search", json={"phone": phone}).json()["items"] == [],
                 timeout=60, message="the person's data erased")
