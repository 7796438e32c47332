"""Issue 16: a withdrawn broadcast in a group's portal inbox reads as a
withdrawal (no relay form: there is nothing to pass on), in both languages."""
from datetime import UTC

import pytest
from starlette.requests import Request

from services.gateway.web.i18n import labeler, translator
from services.gateway.web.pages import TEMPLATES

DELIVERY = {"id": 7, "kind": "withdrawal", "broadcast_id": None, "created_at": "2026-11-29T05:00:00+00:00",
            "read_at": "2026-11-29T05:10:00+00:00", "acknowledged_at": None, "relayed_at": None, "reached": 0,
            "message": {"broadcast_id": "0b0e6a4e-7d7b-4c38-9a0c-5f1f2f3a4b5c", "title": "Banjir"}}


@pytest.mark.parametrize("lang, title, body", [
    ("id", "Siaran ditarik: Banjir", "Abaikan isinya"), ("en", "Broadcast withdrawn: Banjir", "Disregard it")])
def test_a_withdrawal_in_the_inbox(lang, title, body):
    html = TEMPLATES.env.get_template("portal/inbox.html").render(
        lang=lang, _=translator(lang), label=labeler(lang),
        user={"principal": {"kim_id": "KIM-1", "role": "kim", "name": "KIM Uji"}}, csrf_token="t", path="/portal", here="/portal",
        zone=UTC, zone_name="UTC", tiles_url="", tiles_attribution="", kim={"name": "KIM Uji"},
        inbox={"items": [DELIVERY], "total": 1}, errors={}, values={}, channels=[], today="2026-11-29", page_size=50, offset=0,
        request=Request({"type": "http", "method": "GET", "path": "/portal", "query_string": b"",
                         "headers": [], "server": ("kim.test", 80), "scheme": "http"}))
    assert title in html and body in html
    assert "/portal/pesan/7/sebar" not in html
