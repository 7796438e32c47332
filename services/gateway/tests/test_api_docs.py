"""/docs and /redoc work on a machine without internet: every script and
style they load is shipped with the gateway and served under the page's CSP."""
import re

import pytest

CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css"}


def _assets(page: str) -> list[str]:
    return re.findall(r'<(?:script|link)\b[^>]*?\b(?:src|href)="([^"]+)"', page)


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_documentation_loads_only_local_assets_under_the_csp(client, path):
    page = client.get(path)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assets = _assets(page.text)
    assert assets and not re.search(r"https?://|//cdn", page.text), page.text
    assert "<script>" not in page.text  # no inline script: the CSP allows none
    for asset in assets:
        assert asset.startswith("/static/"), asset
        answer = client.get(asset)
        suffix = asset[asset.rindex("."):]
        assert answer.status_code == 200, asset
        assert answer.headers["content-type"].startswith(CONTENT_TYPES[suffix]), asset
    csp = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert csp["script-src"] == "'self'" and csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert page.headers["x-content-type-options"] == "nosniff"


def test_swagger_ui_is_started_by_a_shipped_script_on_the_openapi_document(client):
    page = client.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "/static/docs.js" in page
    assert 'data-openapi="/openapi.json"' in page
    assert "/static/vendor/redoc/redoc.standalone.js" in client.get("/redoc").text
