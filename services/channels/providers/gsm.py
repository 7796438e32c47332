"""How many SMS segments a text takes, and in which coding (GSM 03.38 / 3GPP TS 23.038).

A text made only of the GSM 7-bit default alphabet goes as GSM-7: 160 septets in one SMS, 153 a
segment when concatenated (the 6-octet concatenation header takes 7 septets); a character of the
extension table (€ [ ] { } ^ ~ | \\ and form feed) is an escape plus itself, 2 septets, never split
across segments. Any other character makes the whole text UCS-2: 70 UTF-16 code units in one SMS,
67 a segment; a character outside the BMP (most emoji) is a surrogate pair, 2 units, not split."""

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# the default alphabet's 128 positions, 0x1B (the escape to the extension table) left out
BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("\f^{}\\[~]|€")

# (one SMS, one segment of a concatenated SMS), in septets (GSM-7) or UTF-16 code units (UCS-2)
LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}


def is_gsm7(text: str) -> bool:
    return all(c in BASIC or c in EXTENSION for c in text)


def _sizes(text: str, encoding: str) -> list[int]:
    """Each character's size in its coding's units."""
    if encoding == GSM7:
        return [2 if c in EXTENSION else 1 for c in text]
    return [2 if ord(c) > 0xFFFF else 1 for c in text]


def encoding_of(text: str) -> str:
    return GSM7 if is_gsm7(text) else UCS2


def length(text: str) -> tuple[str, int]:
    """(coding, length in septets or UTF-16 code units)."""
    encoding = encoding_of(text)
    return encoding, sum(_sizes(text, encoding))


def segments(text: str) -> tuple[str, int]:
    """(coding, number of SMS): `GSM-7` or `UCS-2`, at least 1 (an empty text is one SMS)."""
    encoding = encoding_of(text)
    single, part = LIMITS[encoding]
    sizes = _sizes(text, encoding)
    if sum(sizes) <= single:
        return encoding, 1
    # fill segments in order: a 2-unit character that does not fit opens the next segment
    count, used = 1, 0
    for size in sizes:
        if used + size > part:
            count, used = count + 1, 0
        used += size
    return encoding, count
