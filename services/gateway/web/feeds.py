"""Atom feeds of the published posts (RFC 4287), built with the standard
library's ElementTree, which escapes every text and attribute. What XML 1.0
cannot carry at all (control characters a title may hold) is removed first,
so a hostile title is text in the feed and never breaks it."""
import re
from datetime import UTC, datetime
from xml.etree import ElementTree

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# not allowed anywhere in an XML 1.0 document, escaped or not
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC).isoformat()

ElementTree.register_namespace("", ATOM)


def xml_text(value) -> str:
    return _NOT_XML.sub("", str(value or ""))


def _add(parent, tag: str, text: str | None = None, **attributes) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: xml_text(v) for k, v in attributes.items()})
    if text is not None:
        element.text = xml_text(text)
    return element


def atom(*, feed_id: str, title: str, self_url: str, page_url: str, base_url: str, posts: list[dict]) -> bytes:
    """A feed of posts (as the public API answers them), newest first."""
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": "id"})
    _add(feed, "id", feed_id)
    _add(feed, "title", title)
    _add(feed, "updated", max((p["published_at"] for p in posts if p.get("published_at")), default=EPOCH))
    _add(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    _add(feed, "link", rel="alternate", type="text/html", href=page_url)
    _add(feed, "generator", "Platform KIM")
    for post in posts:
        entry = _add(feed, "entry")
        url = f"{base_url}/berita/{post['id']}"
        _add(entry, "id", url)
        _add(entry, "title", post["title"], type="text")
        _add(entry, "updated", post.get("published_at") or EPOCH)
        _add(entry, "published", post.get("published_at") or EPOCH)
        _add(entry, "link", rel="alternate", type="text/html", href=url)
        author = _add(entry, "author")
        _add(author, "name", post["kim"]["name"])  # the group, never a person
        _add(author, "uri", f"{base_url}/kim/{post['kim']['id']}")
        _add(entry, "category", term=post["kind"])
        for tag in post.get("tags") or []:
            _add(entry, "category", term=tag)
        # the sanitised HTML, escaped as the text of an html content (RFC 4287 3.1.1.2)
        _add(entry, "content", post["body_html"], type="html")
    return ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True)
