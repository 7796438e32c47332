"""Posts in a real browser (issue 15): the regency's office turns review on,
a group writes a post with a photo in its portal, the office approves it in
the console, a citizen finds it on /berita, its page and the group's
profile, the office takes it down and the group sees why. Every page is
screenshotted and checked with axe-core. In Kabupaten Pelalawan (14.05),
a regency no other test uses, since review is a setting per regency."""
import io

import pytest
from PIL import Image

from tests.web.conftest import check_page
from tests.web.people import new_account, unique
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.timeout(600)

VILLAGE, REGENCY = "14.05.01.1010", "14.05"  # Ukui I, Kabupaten Pelalawan


def photo() -> bytes:
    image = Image.new("RGB", (1600, 900), (40, 140, 90))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (0.0, 10.0, 1.0), 3: "E", 4: (102.0, 5.0, 2.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_group_posts_the_office_reviews_and_the_public_reads(platform, new_page):
    name = f"{platform.backend}/berita-"
    title = f"Panen jagung bersama {unique('')}"
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Ukui {unique('')}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"UKUI/{unique('')}", "date": "2024-01-02", "issuer": "Lurah Ukui I"}})
        assert kim.status_code == 201, kim.text
        kim = kim.json()
        operator_account = new_account(admin, "operator", scope_region=REGENCY)
        group_account = new_account(admin, "kim", kim_id=kim["id"])
    try:
        # The regency's office requires review before publication.
        office = new_page()
        sign_in(office, operator_account["username"], operator_account["password"])
        office.wait_for_url("**/konsol")
        office.goto("/konsol/berita")
        office.get_by_label(f"Berita KIM di kabupaten/kota {REGENCY} ditinjau sebelum terbit").check()
        office.get_by_role("button", name="Simpan pengaturan").click()
        office.wait_for_url("**/konsol/berita?kabupaten=*")
        assert office.get_by_label(f"Berita KIM di kabupaten/kota {REGENCY} ditinjau sebelum terbit").is_checked()
        check_page(office, name + "konsol-tinjauan-kosong")

        # The group writes a post with a photo on a phone; it waits for review.
        group = new_page(width=390)
        sign_in(group, group_account["username"], group_account["password"])
        group.wait_for_url("**/portal")
        group.goto("/portal/berita")
        group.get_by_label("Jenis").select_option("kegiatan")
        group.get_by_label("Judul").fill(title)
        group.get_by_label("Isi berita").fill("Kelompok tani **memanen** jagung.\n\n<script>alert(1)</script>")
        group.get_by_label("Tag").fill("pertanian, umkm")
        group.get_by_label("Foto (paling banyak 4; JPEG, PNG atau WebP)").set_input_files(
            files=[{"name": "panen.jpg", "mimeType": "image/jpeg", "buffer": photo()}])
        group.get_by_role("button", name="Kirim berita").click()
        group.get_by_text("Berita tersimpan.").wait_for()
        row = group.locator("tr", has_text=title)
        assert "Menunggu tinjauan" in row.inner_text()
        check_page(group, name + "portal-menunggu")

        # The office approves it.
        office.goto("/konsol/berita")
        post = office.locator("article.post-card", has_text=title)
        assert post.locator("img").count() == 1 and "<script>" not in post.inner_html()
        check_page(office, name + "konsol-tinjauan")
        post.get_by_role("button", name="Setujui dan terbitkan").click()
        office.wait_for_url("**/konsol/berita?status=in_review")

        # A citizen finds it on /berita of the regency, opens it, and the group's profile lists it.
        citizen = new_page()
        citizen.goto(f"/berita?region={REGENCY}")
        check_page(citizen, name + "publik-daftar")
        citizen.get_by_role("link", name=title).click()
        citizen.wait_for_url("**/berita/*")
        assert citizen.locator('meta[property="og:title"]').get_attribute("content") == title
        assert "/1280.jpg" in citizen.locator('meta[property="og:image"]').get_attribute("content")
        assert citizen.locator("article.post img").count() == 1
        check_page(citizen, name + "publik-berita")
        citizen.goto(f"/kim/{kim['id']}")
        assert citizen.get_by_role("link", name=title).count() == 1
        check_page(citizen, name + "publik-profil")

        # The office takes it down with a reason; the group sees it.
        office.goto("/konsol/berita?status=published")
        post = office.locator("article.post-card", has_text=title)
        post.get_by_label("Alasan menurunkan").fill("Foto memuat wajah anak-anak")
        post.get_by_role("button", name="Turunkan").click()
        office.wait_for_url("**/konsol/berita?status=published")
        assert office.locator("article.post-card", has_text=title).count() == 0
        group.goto("/portal/berita")
        row = group.locator("tr", has_text=title)
        assert "Diturunkan" in row.inner_text() and "Foto memuat wajah anak-anak" in row.inner_text()
        check_page(group, name + "portal-diturunkan")
        assert citizen.goto(f"/berita?region={REGENCY}").ok and citizen.get_by_role("link", name=title).count() == 0
    finally:
        with platform.admin as admin:
            admin.put(f"/api/v1/post-review/{REGENCY}", json={"review_required": False})

