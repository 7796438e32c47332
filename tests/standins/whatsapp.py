"""WhatsApp's Cloud API as far as the channels service uses it: POST /{version}/{phone_number_id}/messages
(free text and templates), the status callbacks and inbound messages it posts to the webhook, signed.

Meta's rules, kept: the Bearer token (190 otherwise); free text only within 24 hours of the user's
last message (131047 otherwise); a template must be registered, in its language (132001), with its
number of body parameters (132000), none with a line break, a tab or five spaces in a row (132018),
the body within 1,024 characters once they are in (132005); the number's throughput, `per_second`
(130429, HTTP 429). After a message is accepted its statuses (sent, delivered, and read when `read`)
are posted to `webhook_url` in another thread, in Meta's payload shape, with X-Hub-Signature-256
(HMAC-SHA256 of the body under `app_secret`)."""
import hashlib
import hmac
import itertools
import json
import queue
import re
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.standins import Answer, Clock, StandIn, sliding_count

WINDOW_SECONDS = 24 * 3600
DISPLAY_NUMBER = "15550001234"
BUSINESS_ACCOUNT_ID = "102290129340398"


@dataclass(frozen=True)
class Accepted:
    """A message the stand-in accepted: `text` for free text, `template` and `parameters` for a template."""
    to: str
    type: str
    message_id: str
    time: float
    text: str | None = None
    template: str | None = None
    language: str | None = None
    parameters: tuple[str, ...] = ()


class WhatsAppStandIn(StandIn):
    def __init__(self, token: str = "wa-test-token", phone_number_id: str = "106540352242922",
                 app_secret: str = "wa-test-app-secret", templates: dict[str, int] | None = None,
                 template_language: str = "id", per_second: int = 80, webhook_url: str | None = None,
                 read: bool = False, clock: Clock | None = None, version: str = "v21.0",
                 late_window_errors: bool = False, template_text: int = 150):
        self.token = token
        self.phone_number_id = phone_number_id
        self.app_secret = app_secret
        self.templates = {"kim_informasi": 3} if templates is None else templates
        self.template_language = template_language
        self.per_second = per_second
        self.webhook_url = webhook_url
        self.read = read
        self.clock = clock or Clock()
        self.version = version
        # the Cloud API may accept free text outside the window and report 131047 in a `failed` status
        self.late_window_errors = late_window_errors
        # the registered template's own words, in characters: the body's 1,024 include them
        self.template_text = template_text
        self.messages: list[Accepted] = []
        self.errors: list[int] = []  # the error code of each refused request, in order
        self.callbacks: list[int] = []  # the webhook's HTTP status for each status callback posted
        self._lock = threading.Lock()
        self._sessions: dict[str, float] = {}  # number → its user's last message (clock)
        self._sent: list[float] = []
        self._failures: list[tuple[int, int, str] | None] = []
        self._undeliverable: dict[str, tuple[int, str]] = {}
        self._ids = itertools.count(1)
        self._statuses: queue.Queue[tuple[str, str, tuple[int, str] | None] | None] = queue.Queue()
        super().__init__()
        self._poster = threading.Thread(target=self._post_statuses, daemon=True)
        self._poster.start()

    @property
    def api_url(self) -> str:
        """WHATSAPP_API_URL: the base address with the Graph API version."""
        return f"{self.url}/{self.version}"

    @property
    def accepted(self) -> int:
        return len(self.messages)

    def close(self) -> None:
        self._statuses.put(None)
        super().close()

    # what the tests make happen

    def open_window(self, number: str) -> None:
        """The user wrote to us now (without a webhook call): free text is allowed for 24 hours."""
        with self._lock:
            self._sessions[number] = self.clock()

    def fail_next(self, count: int, code: int = 131000, status: int = 500,
                  message: str = "Something went wrong", after: int = 0) -> None:
        """After `after` calls, the next `count` calls are refused with Meta's error `code` and HTTP `status`."""
        with self._lock:
            self._failures.extend([None] * after + [(status, code, message)] * count)

    def undeliverable(self, number: str, code: int = 131026, title: str = "Message undeliverable") -> None:
        """Messages to `number` are accepted, then reported `failed` with `code` in their status."""
        self._undeliverable[number] = (code, title)

    def user_says(self, from_number: str, text: str, context_id: str | None = None,
                  webhook_url: str | None = None) -> int:
        """The user writes to our number: the payload goes to the webhook, signed; the window opens.
        The webhook's HTTP status is returned."""
        message: dict[str, Any] = {"from": from_number, "id": self._message_id(),
                                   "timestamp": str(int(time.time())), "type": "text", "text": {"body": text}}
        if context_id is not None:
            message["context"] = {"from": DISPLAY_NUMBER, "id": context_id}
        self.open_window(from_number)
        value = {"contacts": [{"profile": {"name": "Warga"}, "wa_id": from_number}], "messages": [message]}
        return self.post(self._payload(value), webhook_url)

    def post(self, payload: dict[str, Any], webhook_url: str | None = None, signature: str | None = None) -> int:
        """POST a webhook payload as Meta does (signed with the app secret unless `signature` is given)."""
        url = webhook_url or self.webhook_url
        if url is None:
            raise AssertionError("no webhook_url")
        body = json.dumps(payload).encode()
        return httpx.post(url, content=body, timeout=30, headers={
            "Content-Type": "application/json",
            "X-Hub-Signature-256": signature or "sha256=" + sign(self.app_secret, body)}).status_code

    def verify_webhook(self, webhook_url: str, verify_token: str, challenge: str = "1158201444") -> httpx.Response:
        """Meta's subscription check: GET with hub.mode, hub.verify_token, hub.challenge (echoed if right)."""
        return httpx.get(webhook_url, timeout=30, params={
            "hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge})

    # the API

    def handle(self, method: str, path: str, headers: dict[str, str], body: bytes) -> Answer:
        headers = {name.lower(): value for name, value in headers.items()}
        match = re.fullmatch(r"(?:/v\d+\.\d+)?/([^/]+)/messages", urlsplit(path).path)
        if method != "POST" or match is None:
            return _error(400, 100, "Unsupported request - method type: " + method.lower())
        if headers.get("authorization") != f"Bearer {self.token}":
            return _error(401, 190, "Invalid OAuth access token - Cannot parse access token", kind="OAuthException")
        if match.group(1) != self.phone_number_id:
            return _error(400, 100, "Unsupported post request. Object does not exist, cannot be loaded due to "
                                    "missing permissions, or does not support this operation")
        try:
            request = json.loads(body)
        except ValueError:
            return _error(400, 100, "Invalid parameter")
        with self._lock:
            answer = self._message(request)
        if answer[0] != 200:
            self.errors.append(answer[1]["error"]["code"])
        return answer

    def _message(self, request: dict[str, Any]) -> Answer:
        failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            return _error(*failure)
        if request.get("messaging_product") != "whatsapp":
            return _error(400, 100, "The parameter messaging_product is required.")
        to = request.get("to")
        if not isinstance(to, str) or not re.fullmatch(r"[1-9][0-9]{7,14}", to):
            return _error(400, 100, "Invalid parameter", "Invalid WhatsApp ID")
        kind = request.get("type", "text")
        outside = False
        if kind == "text":
            text = (request.get("text") or {}).get("body")
            if not isinstance(text, str) or not text.strip():
                return _error(400, 100, "Invalid parameter", "text.body is required")
            if len(text.encode("utf-16-le")) // 2 > 4096:
                return _error(400, 100, "Invalid parameter", "text.body is too long (max 4096)")
            opened = self._sessions.get(to)
            outside = opened is None or self.clock() - opened > WINDOW_SECONDS
            if outside and not self.late_window_errors:
                return _error(400, 131047, "Re-engagement message",
                              "Message failed to send because more than 24 hours have passed since the "
                              "customer last replied to this number.")
            accepted: dict[str, Any] = {"text": text}
        elif kind == "template":
            refused_or_fields = self._template(request.get("template") or {})
            if refused_or_fields[0] != 200:
                return refused_or_fields
            accepted = refused_or_fields[1]
        else:
            return _error(400, 100, "Invalid parameter", f"unsupported type {kind}")
        now = self.clock()
        if sliding_count(self._sent, now, 1.0) >= self.per_second:
            return _error(429, 130429, "Rate limit hit",
                          "Cloud API message throughput has been reached.")
        self._sent.append(now)
        message_id = self._message_id()
        self.messages.append(Accepted(to=to, type=kind, message_id=message_id, time=now, **accepted))
        reported = (131047, "Re-engagement message") if kind == "text" and outside else self._undeliverable.get(to)
        self._statuses.put((message_id, to, reported))
        answer: dict[str, Any] = {"messaging_product": "whatsapp", "contacts": [{"input": to, "wa_id": to}],
                                  "messages": [{"id": message_id}]}
        if kind == "template":
            answer["messages"][0]["message_status"] = "accepted"
        return 200, answer

    def _template(self, template: dict[str, Any]) -> Answer:
        name, language = template.get("name"), (template.get("language") or {}).get("code")
        if name not in self.templates or language != self.template_language:
            return _error(404, 132001, "Template name does not exist in the translation",
                          f"template name ({name}) does not exist in {language}")
        parameters: list[str] = []
        for component in template.get("components") or []:
            if component.get("type") == "body":
                parameters.extend(str(parameter.get("text", "")) for parameter in component.get("parameters") or [])
        if len(parameters) != self.templates[name]:
            return _error(400, 132000, "Number of parameters does not match the expected number of params",
                          f"body: number of localizable_params ({len(parameters)}) does not match the expected "
                          f"number of params ({self.templates[name]})")
        for parameter in parameters:
            if re.search(r"[\n\t]| {5,}", parameter) or not parameter.strip():
                return _error(400, 132018, "There was an issue with the parameters in your template.",
                              "Param text cannot have new-line/tab characters or more than 4 consecutive spaces")
        if self.template_text + sum(len(parameter.encode("utf-16-le")) // 2 for parameter in parameters) > 1024:
            return _error(400, 132005, "Translated text too long", "hydrated template body is over 1024 characters")
        return 200, {"template": name, "language": language, "parameters": tuple(parameters)}

    def _message_id(self) -> str:
        return f"wamid.HBgNNjI4MTIzNDU2Nzg5FQIAERgS{next(self._ids):012d}"

    def _payload(self, value: dict[str, Any]) -> dict[str, Any]:
        value = {"messaging_product": "whatsapp",
                 "metadata": {"display_phone_number": DISPLAY_NUMBER, "phone_number_id": self.phone_number_id},
                 **value}
        return {"object": "whatsapp_business_account",
                "entry": [{"id": BUSINESS_ACCOUNT_ID, "changes": [{"value": value, "field": "messages"}]}]}

    def _post_statuses(self) -> None:
        """Meta's status callbacks, one message after another, each in its order."""
        while (item := self._statuses.get()) is not None:
            message_id, to, failure = item
            steps = ["sent", "failed"] if failure else ["sent", "delivered"] + (["read"] if self.read else [])
            for step in steps:
                status: dict[str, Any] = {"id": message_id, "status": step, "timestamp": str(int(time.time())),
                                          "recipient_id": to}
                if step == "failed" and failure:
                    status["errors"] = [{"code": failure[0], "title": failure[1], "message": failure[1],
                                         "error_data": {"details": failure[1]}}]
                elif step != "read":
                    status["conversation"] = {"id": "c0ffee", "origin": {"type": "utility"}}
                    status["pricing"] = {"billable": True, "pricing_model": "PMP", "category": "utility"}
                if self.webhook_url is None:
                    continue
                try:
                    self.callbacks.append(self.post(self._payload({"statuses": [status]})))
                except httpx.HTTPError:
                    self.callbacks.append(0)


def sign(app_secret: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def _error(status: int, code: int, message: str, details: str | None = None, kind: str = "OAuthException") -> Answer:
    error: dict[str, Any] = {"message": f"(#{code}) {message}", "type": kind, "code": code,
                             "fbtrace_id": "AbCdEfGhIjKlMnOp"}
    if details is not None:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return status, {"error": error}
