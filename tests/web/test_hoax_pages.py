"""The hoax clarification loop in a real browser (issue 15): a group reports a
claim on its portal, a citizen on the public site (without JavaScript), the
office finds the merged case in its console, labels it and sends the
clarification; the group reads the outcome in its inbox and anyone finds it
on /klarifikasi. Every page is checked with axe (tests/web/conftest.py)."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import wait_for
from tests.web.conftest import check_page
from tests.web.people import new_account, unique
from tests.web.test_browser import sign_in

pytestmark = pytest.mark.timeout(600)


def test_a_group_and_a_citizen_report_the_office_clarifies(platform, new_page):
    name = f"{platform.backend}/hoaks-"
    run = unique("")
    rumour = f"Beras plastik {run} dijual murah di pasar pagi, jangan dibeli dan jangan dimasak"
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": f"KIM Hoaks Web {run}", "village_code": "14.71.01.1003", "classification": "tumbuh",
            "lat": 0.51, "lon": 101.45,
            "sk": {"number": f"HOAKS/WEB/{run}", "date": "2024-05-05", "issuer": "Lurah"}}).json()
        group_account = new_account(admin, "kim", kim_id=kim["id"])
        office_account = new_account(admin, "operator", scope_region="14.71")
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={
            "target": {"regions": ["14.71.01.1003"]}}).json()["recipients"] >= 1, message="the broadcast directory")

    # The group reports the claim on its portal (its village is filled in).
    group = new_page()
    sign_in(group, group_account["username"], group_account["password"])
    group.wait_for_url("**/portal")
    group.goto("/portal/hoaks")
    check_page(group, name + "portal-lapor")
    group.get_by_label("Isi kabar yang beredar").fill(rumour)
    group.get_by_label("Dilihat di").select_option("grup_whatsapp")

    def sent():
        group.get_by_role("button", name="Kirim laporan").click()
        group.wait_for_load_state()
        return "terkirim=1" in group.url
    wait_for(sent, message="the aspirations directory to know the group", interval=0.5)
    check_page(group, name + "portal-lapor-terkirim")

    # A citizen, without JavaScript, reports the same claim retold; a wrong village first.
    citizen = new_page(javascript=False, width=390)
    citizen.goto("/klarifikasi/lapor")
    citizen.get_by_label("Isi kabar yang beredar").fill(f"{rumour.upper()}!! sebarkan")
    citizen.get_by_label("Dilihat di").select_option("facebook")
    citizen.get_by_label("Kode desa/kelurahan tempat kabar beredar").fill("14.71")
    citizen.get_by_role("button", name="Kirim laporan").click()
    assert citizen.locator("#f-village-code-error").is_visible()
    check_page(citizen, name + "publik-lapor-salah")
    citizen.get_by_label("Kode desa/kelurahan tempat kabar beredar").fill("14.71.01.1002")
    citizen.get_by_role("button", name="Kirim laporan").click()
    citizen.wait_for_url("**/klarifikasi/lapor?terkirim=1")

    # The office finds one case with both reports, labels it and sends the clarification.
    office = new_page()
    sign_in(office, office_account["username"], office_account["password"])
    office.wait_for_url("**/konsol")
    office.goto(f"/konsol/hoaks?q={run}")
    check_page(office, name + "konsol-daftar")
    office.get_by_role("link", name=re.compile(f"Beras plastik {run}")).click()
    office.wait_for_url(re.compile(r".*/konsol/hoaks/[0-9a-f-]{36}$"))
    assert office.locator("#status-kasus").inner_text() == "Dilaporkan"
    assert office.locator("ol.reports > li").count() == 2
    # where it circulates: the reporting group on a map, the villages by name
    expect(office.locator("#peta .leaflet-interactive")).to_have_count(1)
    villages = office.locator("section[aria-labelledby=sebaran] tbody th")
    assert sorted(villages.all_inner_texts())[0].endswith("(14.71.01.1002)")
    assert all(not text.startswith("(") for text in villages.all_inner_texts())  # named, not only coded
    check_page(office, name + "konsol-kasus")
    office.locator("#f-label").select_option("hoaks")
    office.get_by_label("Judul untuk umum").fill(f"Tidak ada beras plastik {run} di pasar pagi")
    office.get_by_label("Penjelasan").fill("Dinas Perdagangan memeriksa pasar pagi: beras yang dijual beras biasa.")
    office.get_by_label("Sumber (satu tautan per baris)").fill("https://disperindag.example.id/beras")
    office.get_by_role("button", name="Simpan label").click()
    office.wait_for_load_state()
    assert office.locator("#label-kasus").inner_text() == "Hoaks"
    check_page(office, name + "konsol-kasus-dilabeli")
    targets = office.locator("#form-klarifikasi input[name=regions]")
    assert sorted(targets.nth(i).get_attribute("value") for i in range(targets.count())) == [
        "14.71.01.1002", "14.71.01.1003"]
    office.get_by_role("button", name="Kirim klarifikasi").click()
    office.wait_for_url("**terkirim=1")
    assert office.locator("#status-kasus").inner_text() == "Diklarifikasi"
    check_page(office, name + "konsol-kasus-terkirim")

    # The group reads the outcome in its inbox; anyone finds the clarification.
    def outcome_arrived():
        group.goto("/portal")
        return group.get_by_role("heading", name=re.compile("Hasil laporan hoaks")).count() > 0
    wait_for(outcome_arrived, message="the outcome in the group's inbox", interval=0.5)
    check_page(group, name + "portal-kotak-masuk")
    citizen.goto(f"/klarifikasi?q={run}")
    check_page(citizen, name + "publik-daftar")
    citizen.get_by_role("link", name=f"Tidak ada beras plastik {run} di pasar pagi").click()
    citizen.wait_for_url(re.compile(r".*/klarifikasi/[0-9a-f-]{36}$"))
    assert citizen.locator("#label-kasus").inner_text() == "Hoaks"
    check_page(citizen, name + "publik-kasus")
