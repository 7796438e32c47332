"""A citizen's first wish on the home page: find one's own village or group,
without JavaScript, in Indonesian or English."""
import re

from tests.web.people import field_errors, unique, visitor


def _register(platform, name: str, village: str) -> dict:
    with platform.admin as admin:
        response = admin.post("/api/v1/kims", json={
            "name": name, "village_code": village, "classification": "tumbuh",
            "sk": {"number": unique("SK/CARI/"), "date": "2024-02-02", "issuer": "Lurah"}})
        assert response.status_code == 201, response.text
        return response.json()


def test_the_home_page_finds_a_village_with_its_coverage_and_groups(platform):
    kim = _register(platform, unique("KIM Pencarian Beranda "), "14.71.01.1002")
    citizen = visitor(platform)
    home = citizen.get("/")
    assert home.status_code == 200
    assert re.search(r'<form method="get" action="/"[^>]*role="search"', home.text)
    assert 'name="cari"' in home.text

    found = citizen.get("/", params={"cari": "jadirejo"})
    assert found.status_code == 200
    results = found.text[found.text.index('id="hasil-cari"'):]
    # the village, where it lies, its groups counted, and a link to its page with its coverage and groups
    assert 'href="/peta/14.71.01.1002"' in results and "Jadirejo" in results
    assert "Sukajadi" in results and "Kota Pekanbaru" in results
    assert re.search(r"\d+ KIM aktif", results)
    village = citizen.get("/peta/14.71.01.1002")
    assert village.status_code == 200 and kim["name"] in village.text

    by_group = citizen.get("/", params={"cari": kim["name"]})
    assert f'href="/kim/{kim["id"]}"' in by_group.text

    english = citizen.get("/", params={"cari": "jadirejo", "lang": "en"})
    assert "Search results" in english.text and "active KIM" in english.text


def test_a_search_too_short_or_finding_nothing_says_so(platform):
    citizen = visitor(platform)
    short = citizen.get("/", params={"cari": "j"})
    assert short.status_code == 422
    assert field_errors(short.text) == {"f-cari": "Ketik sedikitnya 2 huruf."}
    nothing = citizen.get("/", params={"cari": "Tidak Ada Desa Bernama Begini"})
    assert nothing.status_code == 200 and "Tidak ada desa/kelurahan atau KIM yang cocok." in nothing.text
    markup = citizen.get("/", params={"cari": "<b>x</b>"})
    assert "<b>x</b>" not in markup.text and "&lt;b&gt;x&lt;/b&gt;" in markup.text
