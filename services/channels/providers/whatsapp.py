"""WhatsApp Cloud API: a message to a KIM's number, its delivery statuses and the KIM's replies.

Decisions the dispatcher relies on:

- Inside the 24-hour window (`Message.in_session`) the message goes as free text, in parts of at
  most 4,096 characters; outside it, as the approved template (`whatsapp_template`) with three body
  parameters: the title, the body shortened to 1,024 characters, the link to the full message.
- Free text refused with 131047 (the window closed since we last looked) is sent again as the
  template in the same call: the KIM gets the message now, not after a retry. The Cloud API may
  also accept the text and report 131047 later, in a `failed` status: `parse_webhook` gives that
  status's `error_code`, and the dispatcher sends the template then.
- Rate limits: 130429 (the number's throughput), 80007 and 4 (the account's) pause the whole
  provider; 131056 (too many to one number) only that number, for 6 seconds (Meta's pair rate).
- A long text sent in parts: as Telegram's (`RetryLater.parts_sent`, `send(..., first_part=k)`).
- Reasons carry Meta's error code and title, never the number, the text, or Meta's `details` (they
  may quote a parameter)."""
import hashlib
import hmac
import re
from dataclasses import dataclass
from typing import Any

import httpx

from services.channels.providers import Message, Rejected, RetryLater, Sent, parts
from services.channels.settings import ChannelsSettings

MAX_TEXT = 4096
# Meta's limit on a template's body once its parameters are in (132005 past it), and what the
# template's own words take of it (kim_informasi has under 200 characters of its own)
MAX_TEMPLATE_BODY = 1024
TEMPLATE_OWN_TEXT = 200
MAX_TEMPLATE_TITLE = 200
# Indonesia: a number written the local way (08...) gets this country code
DEFAULT_COUNTRY_CODE = "62"

RATE_LIMITS_WHOLE = {4, 80007, 130429}
RATE_LIMIT_PAIR = 131056
PAIR_RATE_SECONDS = 6.0
OUTSIDE_WINDOW = 131047
# Meta's transient errors: an unknown error, a service down for a while, a temporary one
TRANSIENT = {1, 2, 131000, 131016, 133004}
AUTHENTICATION = {0, 190}


@dataclass(frozen=True)
class InboundMessage:
    """A message a KIM sent to our number; any message (even without text) opens the 24-hour window."""
    from_number: str  # wa_id: E.164 without '+'
    message_id: str
    type: str  # text, button, interactive, image, ...
    text: str | None  # the text, a button's or a list reply's title, or a media's caption
    context_id: str | None  # our message it replies to
    timestamp: int
    phone_number_id: str | None  # ours: the number it was sent to


@dataclass(frozen=True)
class StatusUpdate:
    """What became of a message we sent."""
    message_id: str
    status: str  # sent, delivered, read, failed
    recipient: str  # wa_id
    timestamp: int
    error_code: int | None = None
    error_title: str | None = None


def off_reason(settings: ChannelsSettings) -> str | None:
    # without the app secret the status callbacks and replies cannot be trusted, so it is required too
    missing = [name for name, value in (("WHATSAPP_TOKEN", settings.whatsapp_token),
                                        ("WHATSAPP_PHONE_NUMBER_ID", settings.whatsapp_phone_number_id),
                                        ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret)) if not value]
    return f"{', '.join(missing)} not set" if missing else None


def wa_id(number: str, country_code: str = DEFAULT_COUNTRY_CODE) -> str:
    """A phone number as the API wants it: E.164 digits without '+' ('0812-3456 789' → '628123456789').
    ValueError (without the number) when it cannot be one."""
    digits = re.sub(r"[\s\-().]", "", number.strip())
    if digits.startswith("+"):
        digits = digits[1:]
    elif digits.startswith("00"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = country_code + digits[1:]
    if not digits.isdigit() or not 8 <= len(digits) <= 15 or digits.startswith("0"):
        raise ValueError("not a phone number in E.164 form")
    return digits


def render_text(message: Message) -> list[str]:
    """Free text: the title in bold (WhatsApp's *...*), the body, the link; in parts of 4,096."""
    blocks = [f"*{message.title.strip()}*"] if message.title.strip() else []
    if message.body.strip():
        blocks.append(message.body.strip())
    if message.link:
        blocks.append(f"Baca selengkapnya: {message.link}")
    return parts.split("\n\n".join(blocks), MAX_TEXT)


def template_parameters(settings: ChannelsSettings, message: Message) -> list[str]:
    """The template's body parameters: title, body shortened, link; together with the template's own
    words within Meta's 1,024 characters. Meta refuses a parameter with a line break, a tab or more
    than four spaces in a row, so whitespace is folded to one space; and an empty one, so an empty
    title or body is a dash."""
    title = _shorten(_fold(message.title), MAX_TEMPLATE_TITLE)
    link = message.link or settings.public_url
    room = MAX_TEMPLATE_BODY - TEMPLATE_OWN_TEXT - parts.length(title) - parts.length(link)
    return [title, _shorten(_fold(message.body), room), link]


def _fold(text: str) -> str:
    return " ".join(text.split()) or "-"


def _shorten(text: str, limit: int) -> str:
    if parts.length(text) <= limit:
        return text
    cut = text[:limit - 1]
    while parts.length(cut) > limit - 1:
        cut = cut[:-1]
    if " " in cut[limit // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip() + "…"


def send(settings: ChannelsSettings, client: httpx.Client, number: str, message: Message,
         first_part: int = 0) -> Sent:
    """The message to one number: free text in the window, else the template (see the module)."""
    try:
        to = wa_id(number)
    except ValueError:
        raise Rejected("whatsapp: not a phone number") from None
    if not message.in_session:
        return Sent(provider_ids=[_send_template(settings, client, to, message)], parts=1)
    texts = render_text(message)
    if not texts:
        raise Rejected("whatsapp: nothing to send (no title, body or link)")
    ids: list[str] = []
    for index in range(first_part, len(texts)):
        payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                   "type": "text", "text": {"body": texts[index], "preview_url": False}}
        try:
            ids.append(_post(settings, client, payload))
        except _OutsideWindow:
            ids.append(_send_template(settings, client, to, message))
            return Sent(provider_ids=ids, parts=len(ids) + first_part)
        except RetryLater as failure:
            failure.parts_sent, failure.provider_ids = index, ids
            raise
    return Sent(provider_ids=ids, parts=len(texts))


def _send_template(settings: ChannelsSettings, client: httpx.Client, to: str, message: Message) -> str:
    payload = {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": to, "type": "template",
        "template": {
            "name": settings.whatsapp_template,
            "language": {"code": settings.whatsapp_template_language},
            "components": [{"type": "body", "parameters": [
                {"type": "text", "text": value} for value in template_parameters(settings, message)]}],
        },
    }
    try:
        return _post(settings, client, payload)
    except _OutsideWindow:  # never for a template; if it comes, it is Meta's mistake and may pass
        raise RetryLater(f"whatsapp: error {OUTSIDE_WINDOW} for a template") from None


class _OutsideWindow(Exception):
    pass


def _post(settings: ChannelsSettings, client: httpx.Client, payload: dict[str, Any]) -> str:
    """One message: its id (wamid), or the exception Meta's answer means."""
    url = f"{settings.whatsapp_api_url.rstrip('/')}/{settings.whatsapp_phone_number_id}/messages"
    try:
        response = client.post(url, json=payload, timeout=settings.provider_timeout_seconds,
                               headers={"Authorization": f"Bearer {settings.whatsapp_token}"})
    except httpx.TimeoutException as error:
        raise RetryLater(f"whatsapp: no answer in time ({type(error).__name__})") from None
    except httpx.HTTPError as error:
        raise RetryLater(f"whatsapp: connection failed ({type(error).__name__})") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.is_success:
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict) and messages[0].get("id"):
            return str(messages[0]["id"])
        raise RetryLater(f"whatsapp: HTTP {response.status_code} without a message id")
    refusal = _dict(body.get("error"))
    code = refusal.get("code")
    # Meta's message is "(#code) title"; its error_data.details may quote a parameter, so it stays out
    title = str(refusal.get("message") or "")[:120]
    reason = f"whatsapp: error {code}" + (f": {title}" if title else "") if code is not None \
        else f"whatsapp: HTTP {response.status_code}"
    if code == OUTSIDE_WINDOW:
        raise _OutsideWindow()
    if code in RATE_LIMITS_WHOLE:
        raise RetryLater(reason, retry_after=1.0 if code == 130429 else None, whole_provider=True)
    if code == RATE_LIMIT_PAIR:
        raise RetryLater(reason, retry_after=PAIR_RATE_SECONDS)
    if code in AUTHENTICATION or response.status_code == 401:
        raise RetryLater(f"{reason} (check WHATSAPP_TOKEN)", whole_provider=True)
    if code in TRANSIENT or response.status_code >= 500 or code is None:
        raise RetryLater(reason)
    raise Rejected(reason)


def verify_signature(app_secret: str, body: bytes, header: str | None) -> bool:
    """X-Hub-Signature-256 is "sha256=" and the hex HMAC-SHA256 of the raw body under the app secret."""
    if not header or not header.startswith("sha256=") or not app_secret:
        return False
    expected = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header[len("sha256="):].strip().lower().encode())


def parse_webhook(payload: dict[str, Any]) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """The inbound messages and the statuses in one webhook call (object whatsapp_business_account)."""
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    if not isinstance(payload, dict) or payload.get("object") != "whatsapp_business_account":
        return messages, statuses
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field") != "messages" or not isinstance(value, dict):
                continue
            ours = _dict(value.get("metadata")).get("phone_number_id")
            for item in _dicts(value.get("messages")):
                if "from" in item and "id" in item:
                    context = _dict(item.get("context"))
                    messages.append(InboundMessage(
                        from_number=str(item["from"]), message_id=str(item["id"]), type=str(item.get("type", "")),
                        text=_inbound_text(item), context_id=context.get("id"),
                        timestamp=_int(item.get("timestamp")), phone_number_id=ours))
            for item in _dicts(value.get("statuses")):
                if "id" in item and "status" in item:
                    errors = _dicts(item.get("errors"))
                    statuses.append(StatusUpdate(
                        message_id=str(item["id"]), status=str(item["status"]),
                        recipient=str(item.get("recipient_id", "")), timestamp=_int(item.get("timestamp")),
                        error_code=_int(errors[0].get("code")) if errors else None,
                        error_title=str(errors[0].get("title")) if errors else None))
    return messages, statuses


def _inbound_text(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    content = _dict(item.get(kind)) if isinstance(kind, str) else {}
    if kind == "text":
        return content.get("body")
    if kind == "button":
        return content.get("text")
    if kind == "interactive":
        reply = _dict(content.get("button_reply")) or _dict(content.get("list_reply"))
        return reply.get("title")
    return content.get("caption")


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
