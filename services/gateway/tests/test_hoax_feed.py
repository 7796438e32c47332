"""The Atom feed of /klarifikasi (issue 15): a hostile headline or explanation
stays text: escaped by the XML writer, and what XML cannot carry at all
(control characters the API's text allows) removed, so the feed parses."""
from xml.etree import ElementTree

from services.gateway.web.hoaxes import atom_feed

ATOM = "{http://www.w3.org/2005/Atom}"


def test_hostile_titles_stay_text_and_the_feed_parses():
    hostile = 'Vaksin <script>alert("x")</script> & ]]> <![CDATA[ \x01\x0b\ufffe tamat'
    case = {"id": "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "label": "hoaks", "title": hostile,
            "explanation": "</summary><entry>palsu</entry>", "labelled_at": "2026-11-29T03:00:00+00:00"}
    raw = atom_feed([case], "https://kim.example.id", "id")
    assert b"<script>" not in raw and b"<entry>palsu" not in raw
    feed = ElementTree.fromstring(raw)
    [entry] = feed.iter(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == 'Hoaks: Vaksin <script>alert("x")</script> & ]]> <![CDATA[  tamat'
    assert entry.find(f"{ATOM}summary").text == "</summary><entry>palsu</entry>"
    assert entry.find(f"{ATOM}link").get("href") == f"https://kim.example.id/klarifikasi/{case['id']}"
    assert feed.find(f"{ATOM}updated").text == "2026-11-29T03:00:00+00:00"
    english = ElementTree.fromstring(atom_feed([case], "https://kim.example.id", "en"))
    assert next(english.iter(f"{ATOM}entry")).find(f"{ATOM}title").text.startswith("Hoax: ")
