"""A post's body: a safe subset of Markdown rendered with markdown-it-py and
sanitised with nh3 (ammonia). Raw HTML in the Markdown is not rendered (it
shows as text), and whatever the renderer makes passes the sanitiser's
allow-list anyway: paragraphs, emphasis, lists, quotes, headings, code and
links (http, https, mailto; rel="nofollow noopener noreferrer ugc"). Images
come as uploads (the gateway's media), not from Markdown."""
import nh3
from markdown_it import MarkdownIt

TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h2", "h3", "h4", "code", "pre", "hr", "a"}
ATTRIBUTES = {"a": {"href"}}
SCHEMES = {"http", "https", "mailto"}

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")


def render(body: str) -> str:
    """The sanitised HTML of a Markdown body."""
    return nh3.clean(_markdown.render(body), tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel="nofollow noopener noreferrer ugc", strip_comments=True)
