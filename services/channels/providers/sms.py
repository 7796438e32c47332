"""SMS through Kannel's HTTP sendsms interface (smsbox), its delivery reports and MO messages.

Sending: one GET of `KANNEL_SENDSMS_URL` per message (Kannel splits a long text into concatenated
parts itself; the sendsms-user's `max-messages` must allow `KIM_SMS_MAX_SEGMENTS` and it needs a
`default-sender`, since we send no `from`). A text over the limit goes as its start and a link
to the full message (`compose`).

Delivery reports: with `KANNEL_CALLBACK_SECRET` set, each message asks for every report
(dlr-mask 31) at `dlr_url`: `{public_url}/channels/sms/dlr?secret=..&ref=<reference>&status=%d`,
Kannel filling in %d, the report's type; `parse_dlr` reads it. Without the secret, no report is
asked for and a message stays `sent`.

MO messages (a citizen writes to the short number): the sms-service's get-url in kannel.conf is
`mo_get_url(settings)`, `{public_url}/channels/sms/mo?secret=..&from=%p&to=%P&text=%b&coding=%c`
with `mo-recode = true` in the smsbox group: %b is the text as it came, spaces and line breaks
kept (%a would squeeze them), and mo-recode makes a UCS-2 message UTF-8 before it is put in the
URL (else %b would be raw UTF-16 bytes, which no web framework decodes); `parse_mo` reads it.

Kannel's escapes start with `%` (%d, %p, %b, %C, %A, %F ...) wherever they are in a URL, so what
we put in those URLs (the secret, the reference) must need no percent-encoding: `URL_SAFE`."""
import hmac
import re
from collections.abc import Mapping

import httpx

from services.channels.providers import Message, Rejected, RetryLater, Sent
from services.channels.providers.gsm import GSM7, UCS2, is_gsm7, segments
from services.channels.settings import ChannelsSettings
from services.common.logs import PHONE

__all__ = ["segments", "off_reason", "compose", "send", "dlr_url", "mo_get_url", "parse_dlr", "parse_mo",
           "secret_matches", "normalise_msisdn", "DLR_STATUS", "MORE"]

# Kannel's `coding` for each of our codings
CODING = {GSM7: 0, UCS2: 2}
# every delivery report: delivered (1), failed (2), buffered (4), sent to the SMSC (8), SMSC rejected (16)
DLR_MASK = 31
# Kannel's report types in our words
DLR_STATUS = {1: "delivered", 2: "failed", 4: "sent", 8: "sent", 16: "failed"}
# what a shortened text ends with before the link (user-facing: Bahasa Indonesia)
MORE = " Selengkapnya: "
URL_SAFE = re.compile(r"[A-Za-z0-9._~-]*")
# Kannel's words are short; longer ones are cut
REASON_CHARS = 200


def off_reason(settings: ChannelsSettings) -> str | None:
    if not settings.kannel_sendsms_url:
        return "KANNEL_SENDSMS_URL is not set (Kannel's sendsms address)"
    return None


# -- the text ---------------------------------------------------------------------------------


def compose(message: Message, max_segments: int) -> str:
    """The SMS text: title and body on lines of their own; when that takes more than
    `max_segments`, as much of it as fits followed by an ellipsis and, when the message has one,
    " Selengkapnya: <link>". A GSM-7 text stays GSM-7 ("..." rather than "…", which would make the
    whole text UCS-2 and its segments 67 characters instead of 153)."""
    full = "\n".join(part for part in (message.title.strip(), message.body.strip()) if part)
    if segments(full)[1] <= max_segments:
        return full
    ellipsis = "..." if is_gsm7(full) else "…"
    suffix = ellipsis + (MORE + message.link if message.link else "")

    def fits(n: int) -> bool:
        return segments(full[:n].rstrip() + suffix)[1] <= max_segments

    # the longest prefix that fits, by binary search: fits(n) holds up to some n and not after, as
    # each character only adds to the length and the coding does not change (the ellipsis is
    # UCS-2 exactly when the full text is); n = 0, the suffix alone, is kept even if it does not fit
    low, high = 0, len(full)
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    cut = low
    # end on a whole word when one ends in the last 20 characters
    space = max(full.rfind(" ", 0, cut + 1), full.rfind("\n", 0, cut + 1))
    if cut < len(full) and not full[cut].isspace() and space > 0 and cut - space <= 20:
        cut = space
    return (full[:cut].rstrip() + suffix).strip()


# -- numbers ----------------------------------------------------------------------------------


# what people put between digits: spaces, hyphens, dots, parentheses
SEPARATORS = re.compile(r"[\s\-.()]")
# an Indonesian mobile number after the country code: 8, then 8 to 11 digits (0812-3456-78 to 0812-3456-789012)
MOBILE = re.compile(r"8\d{8,11}")


def normalise_msisdn(text: str) -> str:
    """An Indonesian mobile number as +628...: from 08..., 628..., +628... or 00628..., with
    spaces, hyphens, dots or parentheses anywhere. ValueError (without the number) otherwise:
    SMS reaches mobile numbers, and numbers abroad are not ours to write to."""
    digits = SEPARATORS.sub("", text or "")
    for prefix in ("+62", "0062", "62", "0"):
        if digits.startswith(prefix):
            national = digits[len(prefix):]
            if MOBILE.fullmatch(national):
                return "+62" + national
            break
    raise ValueError("not an Indonesian mobile number (08..., 628... or +628...)")


# -- sending ----------------------------------------------------------------------------------


def _url_safe(value: str, what: str) -> str:
    if not URL_SAFE.fullmatch(value):
        raise ValueError(f"{what} may hold only letters, digits and . _ ~ - (it goes into a Kannel URL as is)")
    return value


def dlr_url(settings: ChannelsSettings, reference: str) -> str:
    """Where Kannel reports on the message, %d left for Kannel (httpx encodes it as %25d in the
    sendsms query, which Kannel decodes back to %d before it stores the URL)."""
    secret = _url_safe(settings.kannel_callback_secret or "", "KANNEL_CALLBACK_SECRET")
    return (f"{settings.public_url.rstrip('/')}/channels/sms/dlr?secret={secret}"
            f"&ref={_url_safe(reference, 'a message reference')}&status=%d")


def mo_get_url(settings: ChannelsSettings) -> str:
    """The get-url of kannel.conf's sms-service for MO messages (with `mo-recode = true` in smsbox)."""
    secret = _url_safe(settings.kannel_callback_secret or "", "KANNEL_CALLBACK_SECRET")
    return (f"{settings.public_url.rstrip('/')}/channels/sms/mo?secret={secret}"
            "&from=%p&to=%P&text=%b&coding=%c")


def _reason(answer: httpx.Response) -> str:
    """Kannel's words, without a phone number should one ever be in them."""
    words = PHONE.sub("[number]", answer.text.strip())[:REASON_CHARS]
    return f"Kannel answered {answer.status_code}: {words}" if words else f"Kannel answered {answer.status_code}"


def send(settings: ChannelsSettings, client: httpx.Client, address: str, message: Message) -> Sent:
    """One message to one number through Kannel: Sent(parts=<segments>) when Kannel took it (202,
    "0: Accepted for delivery" or "3: Queued for later delivery"); Rejected for a 4xx (wrong
    credentials, a number Kannel refuses) or an address that is no mobile number; RetryLater
    (the whole provider) for a 5xx, a lost connection or a timeout. No exception's reason holds
    the number or the text."""
    if not settings.kannel_sendsms_url:
        raise Rejected(off_reason(settings) or "SMS is off")
    try:
        number = normalise_msisdn(address)
    except ValueError as error:
        raise Rejected(str(error)) from None
    text = compose(message, settings.sms_max_segments)
    encoding, parts = segments(text)
    params: dict[str, str | int] = {
        "username": settings.kannel_username or "",
        "password": settings.kannel_password or "",
        "to": number,
        "text": text,
        "charset": "UTF-8",
        "coding": CODING[encoding],
    }
    if settings.kannel_callback_secret:
        params["dlr-mask"] = DLR_MASK
        params["dlr-url"] = dlr_url(settings, message.reference)
    try:
        answer = client.get(settings.kannel_sendsms_url, params=params,
                            timeout=settings.provider_timeout_seconds)
    except httpx.TimeoutException:
        raise RetryLater("Kannel did not answer in time", whole_provider=True) from None
    except httpx.TransportError as error:
        # the exception's own text may quote the request's URL (the number, the text): its type only
        raise RetryLater(f"Kannel unreachable ({type(error).__name__})", whole_provider=True) from None
    if answer.is_success:
        return Sent(parts=parts)
    if 400 <= answer.status_code < 500:
        raise Rejected(_reason(answer))
    raise RetryLater(_reason(answer), whole_provider=True)


# -- callbacks --------------------------------------------------------------------------------


def secret_matches(settings: ChannelsSettings, params: Mapping[str, str]) -> bool:
    """Whether a callback (DLR or MO) carries our secret; none set means none is accepted."""
    expected = settings.kannel_callback_secret
    return bool(expected) and hmac.compare_digest(str(params.get("secret", "")), expected or "")


def parse_dlr(params: Mapping[str, str]) -> tuple[str, str]:
    """(reference, status) from a delivery report's query (ref, status=Kannel's type):
    1 → delivered; 2 (the phone did not get it), 16 (the SMSC refused it) → failed;
    4 (buffered, the phone unreachable for now), 8 (handed to the SMSC) → sent.
    ValueError for a report without a reference or of another type."""
    reference = params.get("ref") or ""
    if not reference:
        raise ValueError("a delivery report without ref")
    try:
        status = DLR_STATUS[int(params.get("status", ""))]
    except (ValueError, KeyError):
        raise ValueError("a delivery report of an unknown type") from None
    return reference, status


def parse_mo(params: Mapping[str, str]) -> tuple[str, str]:
    """(from_number, text) of an MO message from the get-url `mo_get_url` gives: the number
    normalised (+628...), the text as the phone sent it. ValueError for a sender that is no
    Indonesian mobile number and for 8-bit (binary) messages, or UCS-2 ones Kannel did not
    recode to UTF-8 (`mo-recode = true` missing in smsbox)."""
    coding = params.get("coding", "0") or "0"
    if coding != "0":
        raise ValueError(f"an MO message of coding {coding}: binary, or UCS-2 not recoded (mo-recode = true)")
    return normalise_msisdn(params.get("from", "")), params.get("text", "")
