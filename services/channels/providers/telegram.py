"""Telegram Bot API: a message into a KIM's group chat (or a private chat), and the group's replies.

Decisions the dispatcher relies on:

- 429 is bot-wide (`RetryLater(whole_provider=True)`): Telegram's answer ("Too Many Requests: retry
  after N") does not say whether the bot's limit (about 30 a second) or the group's (20 a minute)
  was hit, and only pausing the whole bot honours both. The dispatcher throttles itself per bot and
  per chat (`telegram_rate_per_second`, `telegram_chat_rate_per_minute`), so a 429 is rare and the
  pause short.
- A long message goes in parts, in order. When part k fails with something that may pass, the
  `RetryLater` says `parts_sent=k`; the retry calls `send(..., first_part=k)` so the group does not
  read the first parts twice. A timeout leaves it unknown whether the part arrived: it counts as not
  sent (the group may read that part twice; better than never).
- A group upgraded to a supergroup has a new chat id: `ChatMigrated` (a `Rejected`) carries it, so
  the channel can be moved to it and the message sent again.
- A token Telegram does not know (401, 404) is the whole bot's problem, not the group's: `RetryLater`
  bot-wide, with a reason naming TELEGRAM_BOT_TOKEN.
- Reasons carry Telegram's own description (it names no chat and no text) or our words, never the
  chat id, the text, or the request's address (it holds the token)."""
import html
from dataclasses import dataclass
from typing import Any

import httpx

from services.channels.providers import Message, Rejected, RetryLater, Sent, parts
from services.channels.settings import ChannelsSettings

# Telegram's limit on a message's text (after entity parsing)
MAX_LENGTH = 4096
LINK_LABEL = "Baca selengkapnya"
# the kinds of update that carry a message, and whether it is an edit
_MESSAGE_KINDS = (("message", False), ("edited_message", True), ("channel_post", False),
                  ("edited_channel_post", True))


class ChatMigrated(Rejected):
    """The group became a supergroup: messages go to `migrate_to_chat_id` from now on."""

    def __init__(self, reason: str, migrate_to_chat_id: str):
        super().__init__(reason)
        self.migrate_to_chat_id = migrate_to_chat_id


@dataclass(frozen=True)
class Inbound:
    """A text someone wrote in a chat the bot is in (a reply to a broadcast, a link code)."""
    update_id: int
    chat_id: str
    chat_type: str  # private, group, supergroup, channel
    message_id: int
    text: str  # the message's text, or a photo's or document's caption
    reply_to_message_id: int | None  # the bot's message it answers, when it answers one
    sender: str  # user, bot, channel (a channel's post), group (an anonymous group admin)
    edited: bool = False


def off_reason(settings: ChannelsSettings) -> str | None:
    if not settings.telegram_bot_token:
        return "TELEGRAM_BOT_TOKEN is not set"
    return None


def escape(text: str) -> str:
    """Only <, > and & are escaped: Telegram's HTML mode knows &lt; &gt; &amp; (and &quot;)."""
    return html.escape(text, quote=False)


def render(message: Message) -> list[str]:
    """The message in HTML parse mode, in parts of at most 4,096 characters."""
    blocks = [f"<b>{escape(message.title.strip())}</b>"] if message.title.strip() else []
    if message.body.strip():
        blocks.append(escape(message.body.strip()))
    if message.link:
        blocks.append(f'<a href="{html.escape(message.link, quote=True)}">{LINK_LABEL}</a>')
    return parts.split("\n\n".join(blocks), MAX_LENGTH, html=True)


def send(settings: ChannelsSettings, client: httpx.Client, chat_id: str, message: Message,
         first_part: int = 0) -> Sent:
    """Each part of `message` from `first_part` on into the chat; `Sent.provider_ids` are the message
    ids of the parts sent by this call, `Sent.parts` the number of parts in all."""
    texts = render(message)
    if not texts:
        raise Rejected("telegram: nothing to send (no title, body or link)")
    url = f"{settings.telegram_api_url.rstrip('/')}/bot{settings.telegram_bot_token}/sendMessage"
    ids: list[str] = []
    for index in range(first_part, len(texts)):
        payload = {"chat_id": chat_id, "text": texts[index], "parse_mode": "HTML",
                   "disable_web_page_preview": True}
        try:
            answer = _post(client, url, payload, settings.provider_timeout_seconds)
        except RetryLater as failure:
            failure.parts_sent, failure.provider_ids = index, ids
            raise
        ids.append(str(answer.get("message_id", "")))
    return Sent(provider_ids=ids, parts=len(texts))


def _post(client: httpx.Client, url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """One Bot API call: its `result`, or the exception its answer means."""
    try:
        response = client.post(url, json=payload, timeout=timeout)
    except httpx.TimeoutException as error:
        raise RetryLater(f"telegram: no answer in time ({type(error).__name__})") from None
    except httpx.HTTPError as error:  # the error's text holds the address, and so the token
        raise RetryLater(f"telegram: connection failed ({type(error).__name__})") from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    if response.status_code == 200 and body.get("ok"):
        result = body.get("result")
        return result if isinstance(result, dict) else {}
    description = str(body.get("description") or f"HTTP {response.status_code}")[:200]
    parameters = _dict(body.get("parameters"))
    status = response.status_code
    if status == 429:
        retry_after = parameters.get("retry_after")
        raise RetryLater(f"telegram: {description}",
                         retry_after=float(retry_after) if isinstance(retry_after, int | float) else None,
                         whole_provider=True)
    if status in (401, 404):
        raise RetryLater(f"telegram refused the bot's token ({status}): check TELEGRAM_BOT_TOKEN",
                         whole_provider=True)
    if status == 400 and parameters.get("migrate_to_chat_id") is not None:
        raise ChatMigrated(f"telegram: {description}", str(parameters["migrate_to_chat_id"]))
    if status in (400, 403):
        raise Rejected(f"telegram: {description}")
    raise RetryLater(f"telegram: {description}")


def parse_update(update: dict[str, Any]) -> Inbound | None:
    """The text in a Bot API Update, None for an update that carries none (a join, a photo without
    caption, a poll, the bot's own membership)."""
    found = next(((update[key], edited) for key, edited in _MESSAGE_KINDS if isinstance(update.get(key), dict)),
                 None)
    if found is None:
        return None
    message, edited = found
    text = message.get("text") or message.get("caption")
    chat = _dict(message.get("chat"))
    if not isinstance(text, str) or not text.strip() or "id" not in chat or "message_id" not in message:
        return None
    replied = _dict(message.get("reply_to_message"))
    return Inbound(
        update_id=int(update.get("update_id", 0)),
        chat_id=str(chat["id"]),
        chat_type=str(chat.get("type", "")),
        message_id=int(message["message_id"]),
        text=text,
        reply_to_message_id=int(replied["message_id"]) if "message_id" in replied else None,
        sender=_sender(message, chat),
        edited=edited,
    )


def _sender(message: dict[str, Any], chat: dict[str, Any]) -> str:
    sender_chat = message.get("sender_chat")
    if isinstance(sender_chat, dict):
        return "group" if sender_chat.get("id") == chat.get("id") and chat.get("type") != "channel" else "channel"
    author = message.get("from")
    if isinstance(author, dict):
        return "bot" if author.get("is_bot") else "user"
    return "channel" if chat.get("type") == "channel" else "user"


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
