"""The console's evaluation page (issue 15) in a real browser: an operator of Kota
Bima (52.72, which no other test touches) sees its groups ranked with the charts,
downloads the printable PDF, and the page passes the accessibility check in
Indonesian and in English."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest

from tests.web.conftest import check_page
from tests.web.people import new_account, unique

pytestmark = pytest.mark.timeout(600)


@pytest.fixture(scope="module")
def bima(platform):
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()
    names = []
    with platform.admin as admin:
        for village, activities in (("52.72.01.1001", 2), ("52.72.01.1002", 0)):
            name = unique("KIM Evaluasi Halaman ")
            created = admin.post("/api/v1/kims", json={
                "name": name, "village_code": village, "classification": "tumbuh",
                "sk": {"number": unique("SK/EVH/"), "date": "2024-02-01", "issuer": "Lurah"}})
            assert created.status_code == 201, created.text
            for _ in range(activities):
                reported = admin.post(f"/api/v1/kims/{created.json()['id']}/activities", json={
                    "date": today.isoformat(), "title": "Diseminasi", "kind": "diseminasi", "participants": 12})
                assert reported.status_code == 201, reported.text
            names.append(name)
        operator = new_account(admin, "operator", scope_region="52.72")
    return {"names": names, "operator": operator, "month": today.strftime("%Y-%m")}


def sign_in(page, account: dict):
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(account["username"])
    page.get_by_label("Kata sandi").fill(account["password"])
    page.get_by_role("button", name="Masuk", exact=True).click()
    page.wait_for_url("**/konsol")


def test_an_operator_sees_ranks_charts_and_prints_the_report(platform, new_page, bima):
    page = new_page()
    sign_in(page, bima["operator"])
    page.get_by_role("link", name="Evaluasi", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Evaluasi KIM Kota Bima"
    page.get_by_label("Sampai bulan (TTTT-BB)").fill(bima["month"])
    page.get_by_label("Jumlah bulan").fill("1")
    page.get_by_role("button", name="Tampilkan").click()
    page.wait_for_url(f"**sampai={bima['month']}*")
    # one month, two activities: 6 points, both of its months active -> 100 × 6/12 = 50.0
    busy, quiet = bima["names"]
    rows = page.locator("#peringkat ~ div table tbody tr")
    assert rows.nth(0).locator("th").inner_text() == busy and "50.0" in rows.nth(0).inner_text()
    assert rows.nth(1).locator("th").inner_text() == quiet
    assert page.get_by_role("img", name="Jumlah KIM menurut rentang indeks").count() == 1
    assert page.get_by_role("img", name="Poin kegiatan semua KIM per bulan").count() == 1
    criteria = page.locator("#kriteria ~ ul").inner_text()
    assert "Berkembang: Indeks keaktifan ≥ 15" in criteria  # the defaults: nobody set Kota Bima's
    check_page(page, f"{platform.backend}/console-evaluation")

    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh PDF untuk dicetak").click()
    pdf = pypdf.PdfReader(download.value.path())
    text = "".join(p.extract_text() for p in pdf.pages)
    assert "Evaluasi KIM Kota Bima (52.72)" in text and busy in text and quiet in text

    page.goto(f"/konsol/evaluasi?lang=en&sampai={bima['month']}&bulan=1")
    assert page.get_by_role("heading", level=1).inner_text() == "Evaluation of the groups Kota Bima"
    check_page(page, f"{platform.backend}/console-evaluation-english")
