"""Telegram's Bot API as far as the channels service uses it: sendMessage, getMe, setWebhook,
deleteWebhook, getWebhookInfo; and updates posted to the webhook as Telegram posts them.

The limits are Telegram's documented ones: about 30 messages a second for the bot, 20 a minute
into one group, about one a second into one private chat. Past a limit the answer is Telegram's 429
with `retry_after`; a request into the same scope before that time has passed is a violation (a
429 not honoured), counted in `violations`. HTML parse mode is checked roughly as Telegram does:
an unknown, unclosed or crossed tag, a bare '<' or '&' is "can't parse entities"; more than 4,096
characters after parsing is "message is too long"."""
import html
import itertools
import json
import math
import re
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

from tests.standins import Answer, Clock, StandIn, sliding_count

TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "tg-spoiler", "span",
        "blockquote", "tg-emoji"}
_MARKUP = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>|&(lt|gt|amp|quot|#[0-9]+|#x[0-9A-Fa-f]+);|[<&]")
SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


@dataclass(frozen=True)
class Received:
    """A message the stand-in accepted."""
    chat_id: str
    text: str
    parse_mode: str | None
    message_id: int
    time: float
    disable_web_page_preview: bool


@dataclass(frozen=True)
class Violation:
    """A request into a scope (`bot` or `chat:<id>`) before the retry_after of its 429 had passed."""
    scope: str
    time: float
    allowed_at: float


class TelegramStandIn(StandIn):
    def __init__(self, token: str = "123456:TEST-token", per_second: int = 30, per_chat_minute: int = 20,
                 private_per_second: int | None = 1, clock: Clock | None = None):
        self.token = token
        self.per_second = per_second
        self.per_chat_minute = per_chat_minute
        self.private_per_second = private_per_second
        self.clock = clock or Clock()
        self.messages: list[Received] = []
        self.violation_log: list[Violation] = []
        self.rejected_429 = 0
        self.webhook_url: str | None = None
        self.webhook_secret: str | None = None
        self._lock = threading.Lock()
        self._sent: dict[str, list[float]] = {}  # scope → times of accepted messages, oldest first
        self._wait_until: dict[str, float] = {}  # scope → when its last 429 allows sending again
        self._failures: list[tuple[int, str, int | None]] = []
        self._blocked: set[str] = set()
        self._unknown: set[str] = set()
        self._migrated: dict[str, str] = {}
        self._message_ids: dict[str, itertools.count] = {}
        self._update_ids = itertools.count(700000001)
        super().__init__()

    # what the tests read

    @property
    def accepted(self) -> int:
        return len(self.messages)

    @property
    def violations(self) -> int:
        return len(self.violation_log)

    def texts(self, chat_id: str | int) -> list[str]:
        return [message.text for message in self.messages if message.chat_id == str(chat_id)]

    # what the tests make happen

    def fail_next(self, count: int, status: int = 500, description: str = "Internal Server Error",
                  retry_after: int | None = None) -> None:
        """The next `count` sendMessage calls fail with `status` (before any other check)."""
        with self._lock:
            self._failures.extend([(status, description, retry_after)] * count)

    def block_chat(self, chat_id: str | int) -> None:
        """The user blocked the bot (private chat) or the group removed it: 403."""
        self._blocked.add(str(chat_id))

    def forget_chat(self, chat_id: str | int) -> None:
        """Telegram knows no such chat: 400 chat not found."""
        self._unknown.add(str(chat_id))

    def migrate_chat(self, chat_id: str | int, to_chat_id: str | int) -> None:
        """The group became a supergroup with a new id: 400 with parameters.migrate_to_chat_id."""
        self._migrated[str(chat_id)] = str(to_chat_id)

    def user_says(self, chat_id: str | int, text: str, reply_to: int | None = None, sender: str = "user",
                  edited: bool = False, webhook_url: str | None = None) -> int:
        """Someone writes `text` in the chat: the Update goes to the webhook (setWebhook's, or the one
        given) the way Telegram posts it; the webhook's HTTP status is returned."""
        update = self.update(chat_id, text, reply_to=reply_to, sender=sender, edited=edited)
        url = webhook_url or self.webhook_url
        if url is None:
            raise AssertionError("no webhook: call setWebhook first or give webhook_url")
        return self.post_update(url, self.webhook_secret, update)

    def update(self, chat_id: str | int, text: str | None, reply_to: int | None = None, sender: str = "user",
               edited: bool = False) -> dict[str, Any]:
        """An Update as Telegram builds it for a message in the chat (without text when `text` is None)."""
        chat = _chat(str(chat_id))
        message: dict[str, Any] = {"message_id": self._next_message_id(str(chat_id)), "chat": chat,
                                   "date": 1767225600}
        if sender == "user":
            message["from"] = {"id": 5550001, "is_bot": False, "first_name": "Warga", "language_code": "id"}
        elif sender == "group":  # an anonymous admin writes as the group
            message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
            message["sender_chat"] = {"id": chat["id"], "title": chat.get("title"), "type": chat["type"]}
        if text is not None:
            message["text"] = text
        else:
            message["new_chat_members"] = [{"id": 5550002, "is_bot": False, "first_name": "Warga"}]
        if reply_to is not None:
            message["reply_to_message"] = {"message_id": reply_to, "chat": chat, "date": 1767225500,
                                           "from": self.bot_user(), "text": "…"}
        if edited:
            message["edit_date"] = 1767225700
        kind = "channel_post" if chat["type"] == "channel" else "edited_message" if edited else "message"
        return {"update_id": next(self._update_ids), kind: message}

    @staticmethod
    def post_update(webhook_url: str, secret: str | None, update: dict[str, Any]) -> int:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
        return httpx.post(webhook_url, json=update, headers=headers, timeout=30).status_code

    def bot_user(self) -> dict[str, Any]:
        return {"id": int(self.token.split(":")[0]), "is_bot": True, "first_name": "KIM", "username": "kim_test_bot"}

    # the API

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        address = urlsplit(path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", address.path)
        if match is None:
            return _error(404, "Not Found")
        if match.group(1) != self.token:
            return _error(401, "Unauthorized")
        arguments: dict[str, Any] = dict(parse_qsl(address.query))
        content_type = {name.lower(): value for name, value in headers.items()}.get("content-type", "")
        if body and "json" in content_type:
            try:
                arguments.update(json.loads(body))
            except ValueError:
                return _error(400, "Bad Request: can't parse JSON")
        elif body:
            arguments.update(parse_qsl(body.decode()))
        name = match.group(2)
        if name == "getMe":
            return 200, {"ok": True, "result": self.bot_user()}
        if name == "setWebhook":
            secret = arguments.get("secret_token")
            if secret is not None and not SECRET_TOKEN.fullmatch(str(secret)):
                return _error(400, "Bad Request: secret token contains unallowed characters")
            self.webhook_url, self.webhook_secret = arguments.get("url") or None, secret
            return 200, {"ok": True, "result": True, "description": "Webhook was set"}
        if name == "deleteWebhook":
            self.webhook_url = self.webhook_secret = None
            return 200, {"ok": True, "result": True, "description": "Webhook was deleted"}
        if name == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": self.webhook_url or "", "pending_update_count": 0}}
        if name == "sendMessage":
            return self._send_message(arguments)
        return _error(404, "Not Found")

    def _send_message(self, arguments: dict[str, Any]) -> Answer:
        chat_id, text = str(arguments.get("chat_id", "")), arguments.get("text")
        parse_mode = arguments.get("parse_mode")
        with self._lock:
            if self._failures:
                status, description, retry_after = self._failures.pop(0)
                return _error(status, description, {"retry_after": retry_after} if retry_after else None)
            if not chat_id:
                return _error(400, "Bad Request: chat_id is empty")
            if chat_id in self._migrated:
                return _error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                              {"migrate_to_chat_id": int(self._migrated[chat_id])})
            if chat_id in self._unknown:
                return _error(400, "Bad Request: chat not found")
            if chat_id in self._blocked:
                return _error(403, "Forbidden: bot was blocked by the user" if not chat_id.startswith("-")
                              else "Forbidden: bot was kicked from the group chat")
            if not isinstance(text, str) or not text.strip():
                return _error(400, "Bad Request: message text is empty")
            if parse_mode not in (None, "", "HTML", "MarkdownV2", "Markdown"):
                return _error(400, f"Bad Request: unsupported parse_mode {parse_mode}")
            plain = text
            if parse_mode == "HTML":
                plain_or_error = parse_html(text)
                if plain_or_error[1] is not None:
                    return _error(400, f"Bad Request: can't parse entities: {plain_or_error[1]}")
                plain = plain_or_error[0]
            if not plain.strip():
                return _error(400, "Bad Request: message text is empty")
            if len(plain.encode("utf-16-le")) // 2 > 4096:
                return _error(400, "Bad Request: message is too long")
            refused = self._over_limit(chat_id)
            if refused is not None:
                return refused
            now = self.clock()
            for scope in self._scopes(chat_id):
                self._sent.setdefault(scope[0], []).append(now)
            message_id = self._next_message_id(chat_id)
            self.messages.append(Received(chat_id, text, parse_mode or None, message_id, now,
                                          bool(arguments.get("disable_web_page_preview", False))))
        return 200, {"ok": True, "result": {"message_id": message_id, "from": self.bot_user(), "chat": _chat(chat_id),
                                            "date": 1767225600, "text": plain}}

    def _scopes(self, chat_id: str) -> list[tuple[str, int, float]]:
        """(scope, limit, window in seconds) of each limit a message into the chat counts against."""
        scopes = [("bot", self.per_second, 1.0)]
        if chat_id.startswith("-"):
            scopes.append((f"chat:{chat_id}", self.per_chat_minute, 60.0))
        elif self.private_per_second is not None:
            scopes.append((f"chat:{chat_id}", self.private_per_second, 1.0))
        return scopes

    def _over_limit(self, chat_id: str) -> Answer | None:
        now = self.clock()
        for scope, _limit, _window in self._scopes(chat_id):
            allowed_at = self._wait_until.get(scope, 0.0)
            if now < allowed_at:  # told to wait, did not
                self.violation_log.append(Violation(scope, now, allowed_at))
                self.rejected_429 += 1
                return _too_many(math.ceil(allowed_at - now))
        for scope, limit, window in self._scopes(chat_id):
            times = self._sent.setdefault(scope, [])
            if sliding_count(times, now, window) >= limit:
                retry_after = max(1, math.ceil(times[0] + window - now))
                self._wait_until[scope] = now + retry_after
                self.rejected_429 += 1
                return _too_many(retry_after)
        return None

    def _next_message_id(self, chat_id: str) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))


def parse_html(text: str) -> tuple[str, str | None]:
    """The text Telegram shows for `text` in HTML parse mode, or why it cannot parse it."""
    plain: list[str] = []
    stack: list[str] = []
    position = 0
    for match in _MARKUP.finditer(text):
        plain.append(text[position:match.start()])
        position = match.end()
        closing, name, attributes, entity = match.group(1), match.group(2), match.group(3), match.group(4)
        if entity is not None:
            plain.append(html.unescape(match.group(0)))
        elif name is None:
            return "", f"character '{match.group(0)}' is reserved at byte offset {match.start()}"
        elif name.lower() not in TAGS:
            return "", f"unsupported start tag \"{name}\" at byte offset {match.start()}"
        elif closing:
            if not stack or stack[-1] != name.lower():
                return "", f"unexpected end tag at byte offset {match.start()}"
            stack.pop()
        else:
            if name.lower() == "a" and not re.match(r'\s+href="[^"]*"\s*$', attributes or ""):
                return "", f"bad attributes of tag \"a\" at byte offset {match.start()}"
            stack.append(name.lower())
    plain.append(text[position:])
    if stack:
        return "", f"can't find end tag corresponding to start tag \"{stack[-1]}\""
    return "".join(plain), None


def _chat(chat_id: str) -> dict[str, Any]:
    if chat_id.startswith("-100"):
        return {"id": int(chat_id), "title": "KIM Desa", "type": "supergroup"}
    if chat_id.startswith("-"):
        return {"id": int(chat_id), "title": "KIM Desa", "type": "group"}
    if chat_id.startswith("@"):
        return {"id": -1001000000001, "title": "Kanal KIM", "username": chat_id[1:], "type": "channel"}
    return {"id": int(chat_id), "first_name": "Warga", "type": "private"}


def _error(status: int, description: str, parameters: dict[str, Any] | None = None) -> Answer:
    answer: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        answer["parameters"] = parameters
    return status, answer


def _too_many(retry_after: int) -> Answer:
    return _error(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
