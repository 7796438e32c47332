"""Splitting a text too long for one message into parts, at the best boundary that fits.

Shared by Telegram (HTML parse mode) and WhatsApp (plain text). A part is cut, in order of
preference, before a blank line, a line break, a space (each better in the part's second half), then
anywhere; never inside an HTML tag or entity (`<b>`, `&amp;`). A cut inside a tag pair closes the
open tags at the end of the part and opens them again at the start of the next, so every part is
valid on its own.

Lengths count UTF-16 code units of the text as sent (tags and entities included): Telegram's
limit is on the text after its entities are parsed, so this count is never below it."""
import re

# one unbreakable token: a tag, an entity, or one character
_HTML_TOKEN = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;|.", re.S)
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")


def length(text: str) -> int:
    """The length as Telegram and WhatsApp count it, at most: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split(text: str, limit: int, html: bool = False) -> list[str]:
    """`text` in parts of at most `limit` (`length`), blank parts left out."""
    tokens = _HTML_TOKEN.findall(text) if html else list(text)
    parts: list[str] = []
    start, carried = 0, list[str]()  # `carried`: the tags open where the last part was cut
    while start < len(tokens):
        end, open_at_end = _cut(tokens, start, carried, limit, html)
        part = "".join(carried) + "".join(tokens[start:end]) + _closers(open_at_end)
        if part.strip():
            parts.append(part.strip())
        start, carried = end, open_at_end
        while start < len(tokens) and tokens[start] in ("\n", " "):
            start += 1
    return parts


def _cut(tokens: list[str], start: int, carried: list[str], limit: int, html: bool) -> tuple[int, list[str]]:
    """Where the part that begins at `start` ends, and the tags open there."""
    used = sum(length(tag) for tag in carried)
    stack = list(carried)
    best: tuple[int, int, list[str]] | None = None  # (preference, end, open tags)
    for index in range(start, len(tokens)):
        token = tokens[index]
        if html:
            _follow(stack, token)
        used += length(token)
        if used + length(_closers(stack)) > limit:
            break
        end = index + 1
        if end == len(tokens):
            return end, list(stack)
        preference = _preference(tokens, end, late=used >= limit // 2) if not stack else 0
        if best is None or preference >= best[0]:
            best = (preference, end, list(stack))
    if best is None:  # not even one token fits (a limit smaller than a tag): cut it anyway
        return start + 1, list(stack)
    return best[1], best[2]


def _preference(tokens: list[str], end: int, late: bool) -> int:
    """How good a cut before tokens[end] is. A blank line, a line break, a space, in that order, and
    each better in the second half of the part than in the first (a short part is a waste, not a
    fault); cutting a word is the last resort, a tag pair (scored 0 by the caller) after it."""
    following = tokens[end]
    if following == "\n" and end + 1 < len(tokens) and tokens[end + 1] == "\n":
        boundary = 3
    elif following == "\n" or tokens[end - 1] == "\n":
        boundary = 2
    elif following == " ":
        boundary = 1
    else:
        return 1
    return boundary + (10 if late else 5)


def _follow(stack: list[str], token: str) -> None:
    """Keep `stack` (the open tags, as written) up to date with one token."""
    if not token.startswith("<") or len(token) < 3:
        return
    name = _TAG_NAME.match(token)
    if name is None:
        return
    if token.startswith("</"):
        for position in range(len(stack) - 1, -1, -1):
            if _name(stack[position]) == name.group(1).lower():
                del stack[position:]
                break
    elif not token.endswith("/>"):
        stack.append(token)


def _name(tag: str) -> str:
    found = _TAG_NAME.match(tag)
    return found.group(1).lower() if found else ""


def _closers(stack: list[str]) -> str:
    return "".join(f"</{_name(tag)}>" for tag in reversed(stack))
