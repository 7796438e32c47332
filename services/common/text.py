"""Blank, as every reader of the API document reads it: Unicode White_Space and U+FEFF, named
one by one. `\\s` means something else in Python, JavaScript and Rust regular expressions, and
Python's `str.strip()` also strips U+001C..U+001F, which a schema's pattern counts as text: a
service that counted what `strip()` left refused text the document calls valid."""
import re

BLANK = r"\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ENDS = re.compile(rf"^[{BLANK}]+|[{BLANK}]+$")


def strip_blank(text: str) -> str:
    """`text` without blank at either end (and nothing else removed)."""
    return _ENDS.sub("", text)
