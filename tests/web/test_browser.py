"""The website in a real browser (headless Chromium), through the real
gateway and services: a citizen, an operator and a group, as in the issue.
Every page visited is screenshotted (tests/screenshots/) and checked with
axe-core for serious accessibility violations."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.web.conftest import check_page
from tests.web.people import new_account, unique

pytestmark = pytest.mark.timeout(600)


def sign_in(page, username: str, password: str):
    page.goto("/masuk")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk", exact=True).click()


def set_password(page, link: str, password: str, screenshot: str | None = None):
    page.goto(link)
    if screenshot:
        check_page(page, screenshot)
    page.get_by_label("Kata sandi baru").fill(password)
    page.get_by_label("Ulangi kata sandi").fill(password)
    page.get_by_role("button", name="Simpan kata sandi").click()
    page.wait_for_url("**/masuk?sandi=ok")


def reload_until(page, condition, message: str, timeout: float = 30):
    """Reload the page until `condition()` holds (checked first on the page as it is)."""
    first = [True]

    def ready():
        if not first[0]:
            page.reload()
        first[0] = False
        return condition()
    wait_for(ready, timeout=timeout, message=message, interval=0.2)  # a reload is a whole page


def test_citizen_operator_and_group_through_the_website(platform, new_page):
    name = f"{platform.backend}/"
    with platform.admin as admin:
        admin_account = new_account(admin, "admin")

    # An admin signs in and creates the operator's account; the link sets its password.
    admin_page = new_page()
    sign_in(admin_page, admin_account["username"], admin_account["password"])
    admin_page.wait_for_url("**/konsol")
    admin_page.goto("/konsol/akun")
    operator_name = unique("operator.")
    admin_page.get_by_label("Nama pengguna").fill(operator_name)
    admin_page.get_by_label("Nama orang").fill("Rina Wulandari")
    admin_page.get_by_label("Peran").select_option("operator")
    admin_page.get_by_label("Wilayah (untuk operator dan admin)").fill("14.71")
    admin_page.get_by_role("button", name="Buat akun dan tautan").click()
    link = admin_page.locator("#tautan-sandi").inner_text()
    check_page(admin_page, name + "konsol-akun")

    operator = new_page()
    set_password(operator, link, "sandi operator pekanbaru", screenshot=name + "akun-sandi")
    check_page(operator, name + "masuk")
    # a wrong password is shown next to its field
    operator.get_by_label("Nama pengguna").fill(operator_name)
    operator.get_by_label("Kata sandi").fill("bukan sandinya")
    operator.get_by_role("button", name="Masuk", exact=True).click()
    assert operator.locator("#f-password-error").inner_text() == "Nama pengguna atau kata sandi salah."
    check_page(operator, name + "masuk-salah")
    sign_in(operator, operator_name, "sandi operator pekanbaru")
    operator.wait_for_url("**/konsol")
    check_page(operator, name + "konsol-ringkasan")

    # The operator registers a group; a wrong field is shown next to it first.
    operator.goto("/konsol/kim/baru")
    group_name = unique("KIM Web Cahaya ")
    operator.get_by_label("Nama KIM").fill(group_name)
    operator.get_by_label("Kode desa/kelurahan").fill("14.71.01.1003")
    operator.get_by_label("Nomor SK").fill(unique("SK/WEB/"))
    operator.get_by_label("Tanggal SK").fill("2024-03-01")
    operator.get_by_label("Diterbitkan oleh").fill("Lurah Kampung Tengah")
    operator.get_by_label("Klasifikasi").select_option("berkembang")
    operator.get_by_label("Nama narahubung").fill("Siti Narahubung")
    operator.get_by_label("Telepon").fill("+62 812 4444 5555")
    operator.get_by_label("Lintang (latitude)").fill("utara")
    operator.get_by_label("Bujur (longitude)").fill("101.45")
    operator.get_by_role("button", name="Daftarkan", exact=True).click()
    assert operator.locator("#f-lat-error").is_visible()
    check_page(operator, name + "konsol-kim-baru-salah")
    operator.get_by_label("Lintang (latitude)").fill("0.52")
    operator.get_by_role("button", name="Daftarkan", exact=True).click()
    operator.wait_for_url(re.compile(r".*/konsol/kim/KIM-[0-9-]+\?baru=1"))
    kim_id = re.search(r"/konsol/kim/(KIM-[0-9-]+)", operator.url).group(1)
    assert operator.get_by_role("status").inner_text().endswith(f"{kim_id}.")
    operator.locator("#f-anggota-name").fill("Ahmad")
    operator.get_by_label("Peran").select_option("ketua")
    operator.get_by_role("button", name="Tambah", exact=True).click()
    operator.wait_for_url(f"**/konsol/kim/{kim_id}#anggota")
    assert "Ahmad" in operator.locator("#anggota").inner_text()
    check_page(operator, name + "konsol-kim")
    operator.goto("/konsol/kim")
    check_page(operator, name + "konsol-kim-daftar")

    # A citizen, without JavaScript, finds the group and sends an aspiration through it.
    citizen = new_page(javascript=False, width=390)
    citizen.goto("/")
    check_page(citizen, name + "publik-beranda")
    citizen.goto("/peta/14.71")
    citizen.get_by_role("link", name="Sukajadi").click()
    citizen.wait_for_url("**/peta/14.71.01")
    check_page(citizen, name + "publik-peta-kecamatan")
    citizen.goto(f"/kim?q={group_name}")
    check_page(citizen, name + "publik-direktori")
    citizen.get_by_role("link", name=group_name).click()
    citizen.wait_for_url(re.compile(r".*/kim/KIM-[0-9-]+$"))  # content() does not wait for the new page
    assert "Siti Narahubung" not in citizen.content() and "4444 5555" not in citizen.content()
    check_page(citizen, name + "publik-profil")
    citizen.get_by_role("link", name="Kirim aspirasi melalui KIM ini").click()
    citizen.get_by_label("Pengaduan: ada masalah yang perlu ditangani").check()
    citizen.locator("#f-category").select_option("infrastruktur")
    citizen.get_by_label("Isi aspirasi").fill("Air")  # too short
    citizen.locator("#f-submitter-name").fill("Budi Santoso")
    citizen.get_by_label("Anonim").check()
    citizen.get_by_role("button", name="Kirim aspirasi").click()
    assert citizen.locator("#f-body-error").inner_text().startswith("Terlalu pendek")
    check_page(citizen, name + "publik-aspirasi-salah")
    citizen.get_by_label("Isi aspirasi").fill("Saluran air di depan balai KIM tersumbat sejak Oktober.")
    citizen.get_by_role("button", name="Kirim aspirasi").click()
    tracking_code = citizen.locator("#kode-pelacakan").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{10}", tracking_code)
    check_page(citizen, name + "publik-aspirasi-terkirim")
    citizen.goto("/lacak")
    check_page(citizen, name + "publik-lacak-formulir")
    citizen.get_by_label("Kode pelacakan").fill(tracking_code.lower())
    citizen.get_by_role("button", name="Lacak", exact=True).click()
    citizen.wait_for_url(f"**/lacak/{tracking_code}")
    reload_until(citizen, lambda: citizen.locator(".status").count() == 1, "the aspiration to be taken in")
    assert citizen.locator(".status").inner_text() == "Diterima"
    assert "Budi Santoso" not in citizen.content()
    check_page(citizen, name + "publik-lacak")

    # The operator composes a targeted broadcast, sees the live count, publishes it.
    operator.goto("/konsol/siaran/baru")
    operator.get_by_label("Judul").fill("Kerja bakti membersihkan saluran")
    operator.locator("#f-body").fill("Kerja bakti Minggu pagi di Kampung Tengah.")
    operator.get_by_label("Kategori").select_option("pengumuman")
    operator.get_by_label("Kode wilayah").fill("14.71.01.1003")
    with platform.admin as admin:
        recipients = admin.post("/api/v1/broadcasts/preview", json={
            "target": {"regions": ["14.71.01.1003"]}}).json()["recipients"]
    assert recipients >= 1  # the count follows the target as it is typed
    operator.locator("#jumlah-penerima", has_text=f"Sasaran ini menjangkau {recipients} KIM.").wait_for()
    check_page(operator, name + "konsol-siaran-baru")
    operator.get_by_role("button", name="Simpan sebagai draf").click()
    operator.wait_for_url(re.compile(r".*/konsol/siaran/[0-9a-f-]{36}$"))
    broadcast_url = operator.url
    check_page(operator, name + "konsol-siaran-draf")
    operator.get_by_role("button", name="Terbitkan sekarang").click()
    reload_until(operator, lambda: operator.locator("#status-siaran").inner_text() == "Terkirim", "publication")
    assert operator.locator("#angka-siaran dd").first.inner_text() == str(recipients)
    operator.goto("/konsol/siaran")
    check_page(operator, name + "konsol-siaran-daftar")

    # The operator walks the aspiration to `responded` with the buttons and the answer form.
    operator.goto("/konsol/aspirasi")
    check_page(operator, name + "konsol-aspirasi-antrean")
    operator.get_by_label("Kode pelacakan").fill(tracking_code)  # the citizen gave it on the phone
    operator.get_by_role("button", name="Saring").click()
    expect(operator.locator("table caption")).to_have_text("1 aspirasi")  # the filtered page, not the last one
    operator.get_by_role("link", name=tracking_code).click()
    operator.wait_for_url(re.compile(r".*/konsol/aspirasi/[0-9a-f-]{36}$"))
    expect(operator.locator("main")).to_contain_text("Budi Santoso")  # anonim: the handling office sees who
    for step in ("Diverifikasi", "Diteruskan", "Sedang diproses"):
        operator.get_by_role("button", name=f"Tandai: {step}").click()
        operator.locator("#status-aspirasi", has_text=step).wait_for()
    operator.get_by_role("button", name="Kirim jawaban").click()  # empty: shown next to the field
    expect(operator.locator("#f-response-error")).to_be_visible()
    operator.get_by_label("Jawaban untuk warga").fill("Saluran dibersihkan Dinas PU hari Kamis.")
    operator.get_by_role("button", name="Kirim jawaban").click()
    operator.locator("#status-aspirasi", has_text="Dijawab").wait_for()
    check_page(operator, name + "konsol-aspirasi")

    # The operator gives the group an account.
    operator.goto("/konsol/akun")
    group_user = unique("kim.cahaya.")
    operator.get_by_label("Nama pengguna").fill(group_user)
    operator.get_by_label("Nama orang").fill("Ahmad Ketua")
    operator.get_by_label("Peran").select_option("kim")
    operator.get_by_label("Nomor KIM (untuk akun KIM)").fill(kim_id)
    operator.get_by_role("button", name="Buat akun dan tautan").click()
    group_link = operator.locator("#tautan-sandi").inner_text()

    # The group signs in, sees the broadcast and the answer, acknowledges and reports a relay.
    group = new_page(width=390)
    set_password(group, group_link, "sandi kim cahaya kami")
    sign_in(group, group_user, "sandi kim cahaya kami")
    group.wait_for_url("**/portal")
    reload_until(group, lambda: group.locator("article.message").count() >= 2, "the broadcast and the answer")
    broadcast_message = group.locator("article.message", has_text="Kerja bakti membersihkan saluran")
    answer_message = group.locator("article.message", has_text=tracking_code)
    assert broadcast_message.locator(".tag.new").count() == 1  # unread when first shown
    assert "Saluran dibersihkan" not in answer_message.inner_text()  # listed, not yet opened
    check_page(group, name + "portal-kotak-masuk")
    answer_message.get_by_role("button", name="Baca pesan").click()  # opening it marks it read
    answer_message = group.locator("article.message", has_text=tracking_code)
    expect(answer_message).to_contain_text("Saluran dibersihkan Dinas PU hari Kamis.")  # on the reloaded page
    assert answer_message.locator(".tag.new").count() == 0
    broadcast_message.get_by_role("button", name="Konfirmasi diterima").click()
    broadcast_message = group.locator("article.message", has_text="Kerja bakti membersihkan saluran")
    expect(broadcast_message).to_contain_text("Dikonfirmasi")
    broadcast_message.get_by_text("Laporkan penyebaran ke warga").click()
    broadcast_message.get_by_label("Berapa warga yang dijangkau").fill("120")
    broadcast_message.get_by_label("Melalui").select_option("pengeras_suara")
    broadcast_message.get_by_role("button", name="Kirim laporan").click()
    group.locator("article.message", has_text="Sudah diteruskan ke 120 warga.").wait_for()
    check_page(group, name + "portal-kotak-masuk-diteruskan")
    group.goto("/portal/kegiatan")
    group.get_by_label("Nama kegiatan").fill("Sosialisasi kerja bakti")
    group.get_by_label("Jenis kegiatan").select_option("diseminasi")
    group.get_by_label("Jumlah peserta").fill("35")
    group.get_by_role("button", name="Simpan kegiatan").click()
    group.get_by_text("Kegiatan tersimpan.").wait_for()
    check_page(group, name + "portal-kegiatan")
    group.goto("/portal/aspirasi")
    assert tracking_code in group.content() and "Saluran dibersihkan" in group.content()
    check_page(group, name + "portal-aspirasi")
    assert group.goto("/konsol").status == 403  # a group is not an office
    check_page(group, name + "galat-403")
    assert group.goto("/halaman-yang-tidak-ada").status == 404
    check_page(group, name + "galat-404")

    # The office sees acknowledgement and reach per region; the citizen sees the answer.
    operator.goto(broadcast_url)
    figures = dict(zip(operator.locator("#angka-siaran dt").all_inner_texts(),
                       operator.locator("#angka-siaran dd").all_inner_texts(), strict=False))
    assert figures["Dikonfirmasi"] == "1" and figures["Warga terjangkau"] == "120"
    check_page(operator, name + "konsol-siaran")
    citizen.goto(f"/lacak/{tracking_code}")
    assert citizen.locator(".status").inner_text() == "Dijawab"
    assert "Saluran dibersihkan Dinas PU hari Kamis." in citizen.locator(".answer").inner_text()
    check_page(citizen, name + "publik-lacak-dijawab")

    # Figures with charts, and their CSV.
    operator.goto("/konsol/angka")
    assert operator.locator("figure.chart svg").count() == 2
    check_page(operator, name + "konsol-angka")
    with operator.expect_download() as download:
        operator.get_by_role("link", name="Unduh CSV cakupan").click()
    assert download.value.suggested_filename == "cakupan-14.71.csv"
    assert download.value.path().read_text().startswith("kode_wilayah,")


def test_an_operator_links_a_groups_telegram_and_sees_the_figures_per_channel(platform, new_page):
    """The issue's journey: a group's Telegram linked with the code the console shows once (the
    session platform's Telegram stand-in posts it in the chat), paused and resumed; the group sees
    its channels in the portal and adds one there; a broadcast to the group's village is sent on
    Telegram and its page shows the figures per channel."""
    name, village, chat = f"{platform.backend}/", "14.71.01.1005", unique("-100")
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": unique("KIM Saluran Web "), "village_code": village, "classification": "tumbuh",
            "sk": {"number": unique("SK/SALURAN/"), "date": "2024-02-01", "issuer": "Lurah"}})
        assert kim.status_code == 201, kim.text
        kim_id = kim.json()["id"]
        operator_account = new_account(admin, "operator", scope_region="14.71")
        group_account = new_account(admin, "kim", kim_id=kim_id)

    operator = new_page()
    sign_in(operator, operator_account["username"], operator_account["password"])
    operator.wait_for_url("**/konsol")
    operator.goto(f"/konsol/kim/{kim_id}")
    expect(operator.locator("#saluran")).to_contain_text("Belum ada saluran.")
    operator.get_by_label("Jenis saluran").select_option("telegram")
    operator.locator("#saluran").get_by_role("button", name="Tambah saluran").click()
    code = operator.locator("#kode-saluran").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{8}", code)
    assert f"/link {code}" in operator.locator("#saluran-baru").inner_text()  # how to use it
    telegram_row = operator.locator("#daftar-saluran li", has_text="Telegram")
    assert telegram_row.locator(".tag").inner_text() == "Menunggu kode"
    check_page(operator, name + "konsol-kim-saluran-kode")

    assert platform.telegram.user_says(chat, f"/link {code}") == 200  # in the group's chat, where the bot was added
    operator.goto(f"/konsol/kim/{kim_id}")
    assert operator.locator("#kode-saluran").count() == 0  # the code was shown once
    reload_until(operator, lambda: telegram_row.locator(".tag").inner_text() == "Aktif", "the chat linked")
    assert chat in telegram_row.inner_text()
    telegram_row.get_by_role("button", name="Jeda").click()
    operator.wait_for_url(f"**/konsol/kim/{kim_id}#saluran")
    expect(telegram_row).to_contain_text("Dijeda oleh kantor.")
    telegram_row.get_by_role("button", name="Lanjutkan").click()
    expect(telegram_row.locator(".tag")).to_have_text("Aktif")
    check_page(operator, name + "konsol-kim-saluran")

    # The group sees its channel in the portal; a wrong number is named next to its field.
    group = new_page(width=390)
    sign_in(group, group_account["username"], group_account["password"])
    group.wait_for_url("**/portal")
    group.get_by_role("link", name="Saluran").click()
    group.wait_for_url("**/portal/saluran")
    expect(group.locator("#daftar-saluran li", has_text="Telegram").locator(".tag")).to_have_text("Aktif")
    group.get_by_label("Jenis saluran").select_option("sms")
    group.get_by_label("Alamat").fill("bukan nomor")
    group.get_by_role("button", name="Tambah saluran").click()
    expect(group.locator("#f-saluran-address-error")).to_be_visible()
    assert group.get_by_label("Alamat").input_value() == "bukan nomor"
    group.get_by_label("Alamat").fill("0812 5555 0001")
    group.get_by_role("button", name="Tambah saluran").click()
    expect(group.locator("#kode-saluran")).to_have_text(re.compile(r"^[A-HJ-NP-Z2-9]{8}$"))
    sms_row = group.locator("#daftar-saluran li", has_text="SMS")
    expect(sms_row).to_contain_text("Penyedia saluran ini belum diaktifkan")  # no Kannel on this platform
    assert group.evaluate("document.documentElement.scrollWidth") <= 390  # a phone never scrolls sideways
    check_page(group, name + "portal-saluran")

    # The operator publishes to the group's village; the broadcast's page shows the Telegram row.
    operator.goto("/konsol/siaran/baru")
    operator.get_by_label("Judul").fill("Posyandu balita bulan ini")
    operator.locator("#f-body").fill("Posyandu balita hari Rabu di balai desa.")
    operator.get_by_label("Kategori").select_option("program")
    operator.get_by_label("Kode wilayah").fill(village)
    operator.get_by_role("button", name="Simpan sebagai draf").click()
    operator.wait_for_url(re.compile(r".*/konsol/siaran/[0-9a-f-]{36}$"))
    operator.get_by_role("button", name="Terbitkan sekarang").click()
    figures = operator.locator("#angka-saluran tbody tr", has_text="Telegram").locator("td")

    def sent_on_telegram() -> bool:
        return figures.count() == 7 and figures.nth(1).inner_text() == "1"
    reload_until(operator, sent_on_telegram, "the Telegram message sent", timeout=60)
    assert figures.all_inner_texts() == ["0", "1", "0", "0", "0", "0", "0"]
    assert any("Posyandu balita bulan ini" in text for text in platform.telegram.texts(chat))
    check_page(operator, name + "konsol-siaran-saluran")


def test_the_map_shows_groups_with_coordinates_without_tiles(platform, new_page):
    with platform.admin as admin:
        response = admin.post("/api/v1/kims", json={
            "name": unique("KIM Titik Peta "), "village_code": "14.71.02.1001", "classification": "maju",
            "sk": {"number": unique("SK/PETA/"), "date": "2023-05-05", "issuer": "Lurah"}, "lat": 0.53, "lon": 101.44})
        assert response.status_code == 201, response.text
        village = response.json()["village_code"]
    page = new_page()
    page.goto(f"/peta/{village[:8]}")
    page.locator("#peta .leaflet-interactive").first.wait_for()  # the markers, drawn by the shipped Leaflet
    assert page.locator("#peta .leaflet-tile").count() == 0  # no tile server configured, no tiles fetched
    check_page(page, f"{platform.backend}/publik-peta-leaflet")
    page.goto("/peta/ID")
    check_page(page, f"{platform.backend}/publik-peta-nasional")


def test_a_group_name_made_of_markup_stays_text_on_the_map(platform, new_page):
    """A name that closes the page's script and adds a refresh, and one that is an image with a
    handler: the map shows both names as text, nothing is injected and the page stays."""
    closing = unique("</script><meta http-equiv=\"refresh\" content=\"0;url=/lacak\"><b id=\"injected\">x</b> ")
    image = unique("<img id=\"injected-img\" src=\"/x\" onerror=\"document.title='pwned'\"> ")
    with platform.admin as admin:
        for name, lat in ((closing, 0.531), (image, 0.532)):
            response = admin.post("/api/v1/kims", json={
                "name": name, "village_code": "14.71.02.1001", "classification": "maju",
                "sk": {"number": unique("SK/XSS/"), "date": "2023-05-05", "issuer": "Lurah"}, "lat": lat, "lon": 101.44})
            assert response.status_code == 201, response.text
    page = new_page()
    page.goto("/peta/14.71.02")
    markers = page.locator("#peta .leaflet-interactive")
    markers.first.wait_for()
    tooltips = set()
    for n in range(markers.count()):
        markers.nth(n).hover(force=True)
        tooltips.update(t.strip() for t in page.locator(".leaflet-tooltip").all_inner_texts())
    assert closing.strip() in tooltips and image.strip() in tooltips  # shown as the text they are
    assert page.locator("meta[http-equiv]").count() == 0
    assert page.locator("#injected, #injected-img").count() == 0
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/peta/14.71.02") and page.title() != "pwned"
    assert closing in page.locator("main").inner_text()  # the list below the map, as text


def test_pages_in_english(platform, new_page):
    page = new_page(locale="en-US")
    page.goto("/aspirasi")
    assert page.get_by_role("heading", level=1).inner_text() == "Send an aspiration"
    page.get_by_label("Your aspiration").fill("Hi")
    page.get_by_role("button", name="Send an aspiration").click()
    assert page.locator("#f-body-error").inner_text().startswith("Too short")
    check_page(page, f"{platform.backend}/public-aspiration-english")
    page.goto("/lacak?lang=id")
    assert page.get_by_role("heading", level=1).inner_text() == "Lacak aspirasi"


def test_the_api_documentation_renders_from_shipped_files_under_its_csp(platform, browser):
    """/docs and /redoc draw the operations from the shipped files, under their CSP
    (enforced here, unlike the other pages' contexts): nothing is loaded from elsewhere.
    ReDoc's menu links a Redocly logo on its CDN: the CSP refuses it and ReDoc hides it."""
    context = browser.new_context(base_url=platform.url)
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        loaded, failed, refused = [], {}, []
        page.on("requestfinished", lambda r: loaded.append(r.url))
        page.on("requestfailed", lambda r: failed.update({r.url: r.failure}))
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto("/docs")
        page.locator(".opblock-summary-path", has_text="/api/v1/regions/{code}").first.wait_for()
        assert page.locator(".opblock").count() > 20
        assert not refused, refused
        page.goto("/redoc")
        page.get_by_text("/api/v1/regions/{code}").first.wait_for()
        assert page.locator("[role=menu] li").count() > 20
        page.wait_for_load_state("networkidle")
        assert [url for url in loaded if not url.startswith((platform.url, "data:", "blob:"))] == []
        assert failed == {"https://cdn.redoc.ly/redoc/logo-mini.svg": "csp"}, failed  # refused, never fetched
        assert page.get_by_alt_text("redocly logo").count() == 0
    finally:
        context.close()


def test_region_tables_fit_a_phone(platform, new_page):
    """On a phone (375 px wide) the page never scrolls sideways: a region table scrolls in its
    own wrapper, which a keyboard can reach, so the dormant column is there to see; the home
    page's search answers there too."""
    for javascript in (True, False):
        page = new_page(width=375, javascript=javascript)
        page.goto("/peta/14.71.01")
        dormant = page.get_by_role("columnheader", name="KIM vakum")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        dormant.scroll_into_view_if_needed()
        box = dormant.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, box
        first_region = page.locator(".table-wrap tbody th").first.bounding_box()
        assert first_region["x"] >= 0  # the region's name stays in view while the table scrolls
        wrapper = page.locator(".table-wrap", has=dormant)
        assert wrapper.get_attribute("tabindex") == "0"  # scrolled with the arrow keys too
        assert page.get_by_text("Geser tabel ke samping untuk melihat semua kolom.").is_visible()
        check_page(page, f"{platform.backend}/publik-peta-ponsel{'' if javascript else '-tanpa-js'}")
    page.goto("/?cari=Jadirejo")
    page.get_by_role("link", name="Jadirejo").first.click()
    page.wait_for_url("**/peta/14.71.01.1002")
    page.go_back()
    check_page(page, f"{platform.backend}/publik-beranda-cari-ponsel")
