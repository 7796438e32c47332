"""The website's plumbing without the services: language, error pages,
CSRF, security headers, and every text in English too."""
import html
import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from services.gateway.web import auth, pages
from services.gateway.web.english import ENGLISH

WEB = Path(__file__).resolve().parent.parent / "web"
HTML = {"Accept": "text/html"}


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_every_text_on_the_pages_has_its_english():
    literal = re.compile(r'''\b_\(\s*(["'])((?:(?!\1).)*)\1''', re.S)
    texts = {auth.LINK_GONE, pages.FORM_EXPIRED, *(t for pair in pages.ERROR_TEXTS.values() for t in pair)}
    for path in [*WEB.rglob("*.html"), *WEB.glob("*.py")]:
        if path.name != "english.py":
            texts.update(m.group(2) for m in literal.finditer(path.read_text()))
    texts.discard("Teks Indonesia")  # the docstring's example
    missing = sorted(t for t in texts if t not in ENGLISH)
    assert not missing, f"add these to services/gateway/web/english.py: {missing}"
    assert len(texts) > 250


def test_a_page_whose_service_is_down_says_so_in_a_page(client):
    response = client.get("/", headers=HTML)
    assert response.status_code == 503 and response.headers["content-type"].startswith("text/html")
    assert "Layanan sedang tidak tersedia" in response.text and "Traceback" not in response.text


def test_unknown_pages_are_pages_and_unknown_api_paths_problems(client):
    page = client.get("/tidak-ada", headers=HTML)
    assert page.status_code == 404 and "Tidak ditemukan" in page.text
    problem = client.get("/api/v1/tidak-ada", headers=HTML)
    assert problem.status_code == 404 and problem.headers["content-type"] == "application/problem+json"


def test_the_language_follows_the_choice_then_the_browser(client):
    assert "<h1>Masuk</h1>" in client.get("/masuk", headers=HTML).text
    assert "<h1>Sign in</h1>" in client.get("/masuk", headers={**HTML, "Accept-Language": "en-US,en"}).text
    chosen = client.get("/masuk?lang=en", headers=HTML)
    assert 'lang="en"' in chosen.text and "kim_lang=en" in chosen.headers["set-cookie"]
    assert "<h1>Sign in</h1>" in client.get("/masuk", headers=HTML).text  # remembered
    assert "<h1>Masuk</h1>" in client.get("/masuk?lang=id", headers=HTML).text
    # the switch keeps the page and its query
    assert 'href="/kim?q=maju&amp;lang=en"' in client.get("/kim?q=maju", headers=HTML).text


def test_pages_carry_security_headers_and_a_csrf_token(client):
    page = client.get("/masuk", headers=HTML)
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "kim_csrf=" in page.headers["set-cookie"]
    refused = client.post("/masuk", data={"username": "a", "password": "b"}, headers=HTML)
    assert refused.status_code == 403
    wrong = client.post("/masuk", data={"csrf_token": _csrf(page.text), "username": "a", "password": "b"},
                        headers=HTML)
    assert wrong.status_code == 401 and "Nama pengguna atau kata sandi salah." in wrong.text


def test_a_signed_in_page_needing_a_service_answers_503_not_a_trace(client):
    accounts = client.app.state.accounts
    _, token, _ = accounts.create("rina", "Rina", "operator", "14.71", None, None)
    accounts.set_password(token, "kata sandi panjang")
    page = client.get("/masuk", headers=HTML)
    signed_in = client.post("/masuk", data={"csrf_token": _csrf(page.text), "username": "rina",
                                            "password": "kata sandi panjang"}, headers=HTML, follow_redirects=False)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/konsol"
    console = client.get("/konsol", headers=HTML)
    assert console.status_code == 503 and "Layanan sedang tidak tersedia" in console.text


def test_a_page_that_needs_a_sign_in_sends_there_and_back(client):
    response = client.get("/konsol/aspirasi?status=received", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/masuk?next=%2Fkonsol%2Faspirasi%3Fstatus%3Dreceived"


def test_times_are_read_and_shown_in_the_platforms_zone():
    from zoneinfo import ZoneInfo

    from services.gateway.web.console.broadcasts import local_moment
    from services.gateway.web.pages import TEMPLATES
    jakarta = ZoneInfo("Asia/Jakarta")
    assert local_moment(jakarta, "2026-12-01T10:00") == "2026-12-01T10:00:00+07:00"
    assert local_moment(jakarta, "besok") == "besok"  # the API names the problem
    shown = TEMPLATES.env.from_string("{{ moment|date(true) }} {{ moment|date }}").render(
        moment="2026-11-28T17:03:00+00:00", zone=jakarta)
    assert shown == "29-11-2026 00:03 WIB 29-11-2026"


def test_calls_run_together_fail_as_the_first_failing_one_in_order():
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import pytest

    from services.gateway.web.api import together
    from services.gateway.web.errors import PageError

    async def answer(value, after: float = 0, status: int | None = None):
        await asyncio.sleep(after)
        if status is not None:
            raise PageError(status, value)
        return value

    def run(*calls):
        # a loop of its own in a thread: the browser tests may leave one running in this worker's thread
        with ThreadPoolExecutor(1) as thread:
            return thread.submit(asyncio.run, together(*calls)).result()

    assert run(answer("a"), None, answer("b")) == ["a", None, "b"]
    with pytest.raises(PageError) as raised:  # the group's 404 wins though its list's 403 came first
        run(answer("group", 0.05, 404), answer("members", 0, 403))
    assert (raised.value.status, raised.value.detail) == (404, "group")


def test_the_language_link_of_an_error_page_stays_on_the_site(client):
    for path in ("//evil.example", "//evil.example/x?y=1", "/\\evil.example", "/%09/evil.example",
                 "/%2F%2Fevil.example", "///evil.example"):
        page = client.get(f"http://testserver{path}", headers=HTML)
        assert page.status_code == 404, path
        link = html.unescape(re.search(r'<a href="([^"]*)" lang="en"', page.text).group(1))
        # as a browser reads it: tabs and newlines dropped, a backslash taken for a slash
        read = re.sub(r"[\t\n\r]", "", link).replace("\\", "/")
        assert urlsplit(urljoin(f"http://testserver{path}", read)).netloc == "testserver", (path, link)
        assert link.endswith("lang=en") and read.startswith("/") and not read.startswith("//"), (path, link)
    assert re.search(r'<a href="/kim\?q=maju&amp;lang=en" lang="en"', client.get("/kim?q=maju", headers=HTML).text)


def test_data_in_a_script_cannot_end_it():
    name = "</script><meta http-equiv=refresh content=0;url=//evil.example> & \u2028\u2029 'x'"
    text = str(pages.script_json([{"name": name}]))
    assert not any(c in text for c in "<>&\u2028\u2029")
    import json
    assert json.loads(text) == [{"name": name}]
