"""Issue 16: a changed broadcast in a group's portal inbox reads as an update
with its new text (no relay form: the broadcast's own message has it), in both
languages."""
from datetime import UTC

import pytest
from starlette.requests import Request

from services.gateway.web.i18n import labeler, translator
from services.gateway.web.pages import TEMPLATES

DELIVERY = {"id": 8, "kind": "update", "broadcast_id": None, "created_at": "2026-11-29T06:00:00+00:00",
            "read_at": "2026-11-29T06:10:00+00:00", "acknowledged_at": None, "relayed_at": None, "reached": 0,
            "message": {"broadcast_id": "0b0e6a4e-7d7b-4c38-9a0c-5f1f2f3a4b5c", "title": "Banjir susulan",
                        "body": "Air naik lagi. Tetap di posko.", "title_en": None, "body_en": None,
                        "priority": "urgent", "revision": 1}}


@pytest.mark.parametrize("lang, title, note", [
    ("id", "Siaran diperbarui: Banjir susulan", "Teruskan yang terbaru ini"),
    ("en", "Broadcast updated: Banjir susulan", "Pass on this latest text")])
def test_an_update_in_the_inbox(lang, title, note):
    html = TEMPLATES.env.get_template("portal/inbox.html").render(
        lang=lang, _=translator(lang), label=labeler(lang),
        user={"principal": {"kim_id": "KIM-1", "role": "kim", "name": "KIM Uji"}}, csrf_token="t", path="/portal",
        here="/portal", zone=UTC, zone_name="UTC", tiles_url="", tiles_attribution="", kim={"name": "KIM Uji"},
        inbox={"items": [DELIVERY], "total": 1}, errors={}, values={}, channels=[], today="2026-11-29",
        page_size=50, offset=0,
        request=Request({"type": "http", "method": "GET", "path": "/portal", "query_string": b"",
                         "headers": [], "server": ("kim.test", 80), "scheme": "http"}))
    assert title in html and note in html and "Air naik lagi. Tetap di posko." in html
    assert "/portal/pesan/8/sebar" not in html
