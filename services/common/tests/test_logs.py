"""The log scrubber: no log line carries a phone number, an e-mail address
or a known personal field, whatever the message, its arguments or the
exception it carries."""
import io
import json
import logging

import pytest

from services.common import logs


@pytest.fixture
def captured():
    """A logger writing through the configured handler into a buffer."""
    buffer = io.StringIO()
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    logs.configure_logging("test", "INFO", "json")
    root.handlers[0].setStream(buffer)
    yield logging.getLogger("services.test"), buffer
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)


PERSONAL = {"phone": "(0761) 12345", "mobile": "+62 812-3456-7890", "email": "siti.rahma@contoh.id",
            "name": "Siti Rahmawati"}


def test_phones_and_emails_are_redacted_from_messages_and_arguments(captured):
    log, buffer = captured
    log.info("citizen %s called from %s, mail %s", "x", PERSONAL["phone"], PERSONAL["email"])
    log.warning(f"bad submitter phone {PERSONAL['mobile']}")
    log.info("submission %s", {"kind": "pengaduan", "submitter": {"name": PERSONAL["name"], "phone": "0812"}})
    log.info("form first_name=%s last_name=Rahmawati api_key=kim_secret_value", "Siti")
    text = buffer.getvalue()
    for value in (*PERSONAL.values(), "Rahmawati", "kim_secret_value", "'0812'"):
        assert value not in text, text
    lines = [json.loads(line) for line in text.splitlines()]
    assert len(lines) == 4 and "[phone]" in lines[0]["msg"] and "[email]" in lines[0]["msg"]
    assert "pengaduan" in lines[2]["msg"]  # what is not personal stays readable


def test_exception_text_is_redacted_too(captured):
    log, buffer = captured
    try:
        raise ValueError(f"invalid input: phone={PERSONAL['phone']!r} email={PERSONAL['email']!r}")
    except ValueError:
        log.exception("unhandled error on %s", "/open311/v2/requests.json")
    entry = json.loads(buffer.getvalue())
    assert "ValueError" in entry["exc"] and "/open311/v2/requests.json" in entry["msg"]
    assert PERSONAL["phone"] not in buffer.getvalue() and PERSONAL["email"] not in buffer.getvalue()


def test_what_is_not_personal_is_kept():
    keep = ("loaded 91234 regions in 2.51s", "KIM-1471011002-01 at version 3", "on 2026-11-29 01:48:03",
            "event 00000000-0000-0000-0000-000000000001", "amqp://localhost:5672/kim-e2e-1a2b3c",
            "broadcast 5c2e9e4a-1f0b-4c1e-9a43-2b6f7d1c0a11 reached 12000 groups")
    for text in keep:
        assert logs.scrub(text) == text


def test_a_validation_errors_quoted_input_is_redacted():
    from pydantic import BaseModel, Field, ValidationError

    class Submitter(BaseModel):
        name: str = Field(max_length=5)

    with pytest.raises(ValidationError) as raised:
        Submitter(name="Siti Rahmawati")
    assert "Siti" not in logs.scrub(str(raised.value)) and "string_too_long" in logs.scrub(str(raised.value))
