"""Blank is what the API document's patterns call blank, no more."""
from services.common.text import strip_blank


def test_strip_blank_strips_unicode_white_space_at_the_ends_only():
    assert strip_blank("\u3000 alasan\u00a0 \ufeff") == "alasan"
    assert strip_blank(" dua  kata ") == "dua  kata"
    # Python's strip() takes these too; a schema's pattern counts them as text
    assert strip_blank("a\x1c\x1d") == "a\x1c\x1d" and "a\x1c\x1d".strip() == "a"
