"""A channel's address as it is kept: phone numbers in E.164 (Indonesian numbers as people write
them: 0812..., 62812..., +62 812-...), e-mail addresses as written (the domain lower-cased),
Telegram chat ids as the Bot API gives them."""
import re

_PHONE_CHARACTERS = re.compile(r"[\s().-]")
_EMAIL = re.compile(r"^[^@\s\x00]{1,64}@[^@\s\x00]+\.[^@\s\x00]+$")


def phone(text: str) -> str:
    """+62812... from 0812..., 62812..., +62 812-...; ValueError for what is not a phone number."""
    digits = _PHONE_CHARACTERS.sub("", text or "")
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise ValueError("not a phone number")
    return "+" + digits


def email(text: str) -> str:
    value = (text or "").strip()
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an e-mail address")
    local, domain = value.rsplit("@", 1)
    return f"{local}@{domain.lower()}"
