"""Structured logs: one JSON object per line with the correlation id that
follows a request from the gateway through RPC calls and events, with
personal data scrubbed from every record."""
import contextvars
import io
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import cast

correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


# Personal data never reaches a log line: whatever a message, its arguments or an
# exception carry (a validation error quotes its input), phone numbers, e-mail
# addresses and the values of personal fields are replaced before formatting.
EMAIL = re.compile(r"[^\s@'\"<>(),;:]+@[^\s@'\"<>(),;:]+\.[^\s@'\"<>(),;:]+")
# 9 to 15 digits with spaces, hyphens or parentheses between them, as people write
# phones ("(0761) 12345", "+62 812-3456-7890"); not part of a longer id, date or address
PHONE = re.compile(r"(?<![\w.:/-])\+?\(?\d(?:[ ()-]{0,2}\d){8,14}(?![\w:/-]|\.\d)")
# a request's own words too: a validation error quotes its input, an aspiration's body may be rahasia
PERSONAL_FIELDS = ("phone", "email", "e-mail", "first_name", "last_name", "submitter", "contact", "person",
                   "password", "api_key", "token", "secret", "body", "description", "input_value")
_FIELD = "|".join(re.escape(f) for f in PERSONAL_FIELDS)
# 'phone': '...', "email": "...", 'submitter': {...}, phone=...
PERSONAL_VALUE = re.compile(
    rf"""(?P<key>['"]?\b(?:{_FIELD})['"]?\s*[:=]\s*)"""
    r"""(?:\{[^{}]*\}|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,;&)}\]]+)""", re.I)


def scrub(text: str) -> str:
    """The text without personal data."""
    text = PERSONAL_VALUE.sub(lambda m: m.group("key") + "[redacted]", text)
    text = EMAIL.sub("[email]", text)
    return PHONE.sub("[phone]", text)


class PersonalDataFilter(logging.Filter):
    """Scrubs each record once: the message with its arguments, the
    exception text and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_scrubbed", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # arguments that do not fit the message: keep what can be shown
            message = f"{record.msg} {record.args}"
        record.msg, record.args = scrub(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._scrubbed = True
        return True


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        cid = correlation_id.get()
        if cid:
            entry["correlation_id"] = cid
        if record.exc_text:
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service: str, level: str = "INFO", fmt: str = "json"):
    # a line as soon as it is logged, also when stdout is a file or a pipe
    cast(io.TextIOWrapper, sys.stdout).reconfigure(line_buffering=True)
    handler = logging.StreamHandler(sys.stdout)
    if fmt == "json":
        handler.setFormatter(JsonFormatter(service))
    else:
        handler.setFormatter(logging.Formatter(f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PersonalDataFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # kombu/amqp chatter at INFO hides what matters
    for noisy in ("amqp", "kombu", "aio_pika", "aiormq"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
    # nameko logs expected (domain) errors as warnings with a traceback;
    # Instrumentation logs them as one line instead
    logging.getLogger("nameko.containers").setLevel(logging.ERROR)
