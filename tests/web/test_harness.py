"""The browser harness itself, on a tiny local site (no platform): a form is
filled and sent, a screenshot is written, axe-core passes an accessible page
and fails one with an unlabelled input."""
import html
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from tests.web.conftest import accessibility_violations, check_accessibility, check_page, shot

PAGE = """<!doctype html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title></head>
<body><main><h1>{title}</h1>{body}</main></body></html>"""
PAGES = {
    "/": PAGE.format(title="Sampaikan aspirasi", body="""
        <form method="post" action="/kirim">
          <label for="nama">Nama</label> <input id="nama" name="nama" required>
          <label for="topik">Topik</label>
          <select id="topik" name="topik"><option>Jalan</option><option>Air bersih</option></select>
          <button type="submit">Kirim</button>
        </form>"""),
    "/tanpa-label": PAGE.format(title="Formulir tanpa label", body="""
        <form method="post" action="/kirim"><input id="kode" name="nama" type="text">
        <button type="submit">Kirim</button></form>"""),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        page = PAGES.get(self.path)
        self.reply(200 if page else 404, page or PAGE.format(title="Tidak ditemukan", body=""))

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers.get("Content-Length", 0))).decode())
        name, topic = form.get("nama", [""])[0], form.get("topik", [""])[0]
        self.reply(200, PAGE.format(title="Terima kasih", body=f"<p id='pesan'>{html.escape(name)}: "
                                                               f"{html.escape(topic)}</p>"))

    def reply(self, status: int, body: str):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def test_a_form_is_filled_and_sent(site, page_factory):
    page = page_factory(base_url=site)
    page.goto("/")
    assert page.evaluate("navigator.language") == "id-ID"
    page.get_by_label("Nama").fill("Budi <Santoso>")
    page.get_by_label("Topik").select_option("Air bersih")
    page.get_by_role("button", name="Kirim").click()
    page.wait_for_url(f"{site}/kirim")
    assert page.locator("#pesan").text_content() == "Budi <Santoso>: Air bersih"
    path = shot(page, "harness/terkirim")
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_each_page_has_its_own_cookies(site, page_factory):
    first, second = page_factory(base_url=site), page_factory(base_url=site)
    first.goto("/")
    first.context.add_cookies([{"name": "sesi", "value": "1", "url": site}])
    second.goto("/")
    assert [c["name"] for c in first.context.cookies()] == ["sesi"]
    assert second.context.cookies() == []


@pytest.mark.parametrize("javascript", [True, False])
def test_an_accessible_page_passes(site, page_factory, javascript):
    page = page_factory(base_url=site, javascript=javascript, width=390)
    page.goto("/")
    path = check_page(page, f"harness/formulir-js-{javascript}")
    assert path.is_file()


def test_an_unlabelled_input_fails(site, page_factory):
    page = page_factory(base_url=site)
    page.goto("/tanpa-label")
    assert [(v["id"], v["impact"], v["targets"]) for v in accessibility_violations(page)] == [
        ("label", "critical", ["#kode"])]
    with pytest.raises(AssertionError) as failure:
        check_accessibility(page, "tanpa-label")
    assert "- label (critical): Form elements must have labels" in str(failure.value)
    assert "at #kode" in str(failure.value)
