"""The WhatsApp provider against a local stand-in of the Cloud API (tests/standins/whatsapp.py): text
in the window, the template outside it, Meta's errors and what they mean, the signed callbacks and
their parsing; and the stand-in's own limits."""
import json

import httpx
import pytest

from services.channels.providers import Message, Rejected, RetryLater, parts, whatsapp
from services.channels.settings import ChannelsSettings
from tests.standins import Clock, WebhookReceiver
from tests.standins.whatsapp import WINDOW_SECONDS, WhatsAppStandIn, sign

NUMBER = "6281234567890"


@pytest.fixture
def clock():
    return Clock(start=1000.0)


@pytest.fixture
def ours():
    """Our webhook, receiving Meta's callbacks."""
    with WebhookReceiver() as receiver:
        yield receiver


@pytest.fixture
def meta(clock, ours):
    with WhatsAppStandIn(clock=clock, webhook_url=f"{ours.url}/whatsapp") as stand_in:
        yield stand_in


@pytest.fixture
def settings(meta):
    return ChannelsSettings(whatsapp_api_url=meta.api_url, whatsapp_token=meta.token,
                            whatsapp_phone_number_id=meta.phone_number_id, whatsapp_app_secret=meta.app_secret,
                            public_url="https://kim.example")


@pytest.fixture
def client():
    with httpx.Client() as http:
        yield http


def webhook_payloads(ours, count, app_secret):
    """The first `count` webhook calls, each checked for Meta's signature, parsed."""
    calls = ours.wait_for(count)
    assert all(whatsapp.verify_signature(app_secret, body, headers.get("x-hub-signature-256"))
               for headers, body in calls)
    return [json.loads(body) for _, body in calls]


def test_off_names_what_is_missing():
    assert whatsapp.off_reason(ChannelsSettings(whatsapp_token="t")) == \
        "WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET not set"
    assert whatsapp.off_reason(ChannelsSettings(whatsapp_token="t", whatsapp_phone_number_id="1",
                                                whatsapp_app_secret="s")) is None


@pytest.mark.parametrize("written, wa_id", [
    ("+62 812-3456-7890", NUMBER), ("0812 3456 7890", NUMBER), ("6281234567890", NUMBER),
    ("0062 (812) 3456.7890", NUMBER), ("+1 415 555 0100", "14155550100"),
])
def test_numbers_become_e164_without_the_plus(written, wa_id):
    assert whatsapp.wa_id(written) == wa_id


@pytest.mark.parametrize("written", ["", "nomor saya", "+62 812", "+0812345678", "1234567890123456"])
def test_what_is_not_a_number_is_refused_without_repeating_it(written):
    with pytest.raises(ValueError) as refused:
        whatsapp.wa_id(written)
    assert written.strip() == "" or written not in str(refused.value)


def test_outside_the_window_the_template_carries_title_short_body_and_link(meta, settings, client):
    body = "Baris satu.\n\n\tBaris     dua. " + "kata " * 400  # 2,000 characters, line breaks, a tab, spaces
    sent = whatsapp.send(settings, client, "0812-3456-7890", Message(title="Kerja\nbakti", body=body))
    [accepted] = meta.messages
    assert sent.provider_ids == [accepted.message_id] and sent.parts == 1
    assert (accepted.to, accepted.type, accepted.template, accepted.language) == \
        (NUMBER, "template", "kim_informasi", "id")
    title, short, link = accepted.parameters
    assert title == "Kerja bakti" and link == "https://kim.example"
    assert short.startswith("Baris satu. Baris dua. kata") and short.endswith("kata…")
    assert sum(map(parts.length, accepted.parameters)) <= 1024 - whatsapp.TEMPLATE_OWN_TEXT


def test_in_the_window_the_message_goes_as_text_in_parts(meta, settings, client):
    meta.open_window(NUMBER)
    message = Message(title="Posyandu", body=("Jadwal imunisasi balita. " * 200 + "\n\n") * 2,
                      link="https://kim.example/b/7", in_session=True)
    sent = whatsapp.send(settings, client, NUMBER, message)
    texts = whatsapp.render_text(message)
    assert sent.parts == len(texts) == 3 and len(sent.provider_ids) == 3
    assert [m.text for m in meta.messages] == texts
    assert texts[0].startswith("*Posyandu*\n\nJadwal") and texts[-1].endswith("Baca selengkapnya: https://kim.example/b/7")
    assert all(parts.length(text) <= 4096 for text in texts)


def test_text_after_the_window_closed_goes_as_the_template_in_the_same_call(meta, settings, client, clock):
    meta.open_window(NUMBER)
    clock.advance(WINDOW_SECONDS + 1)
    sent = whatsapp.send(settings, client, NUMBER, Message(title="Rapat", body="Besok", in_session=True))
    assert meta.errors == [131047]
    [accepted] = meta.messages
    assert accepted.type == "template" and sent.provider_ids == [accepted.message_id]


def test_text_the_api_accepts_outside_the_window_fails_later_with_131047(clock, ours, settings, client):
    with WhatsAppStandIn(clock=clock, webhook_url=f"{ours.url}/whatsapp", late_window_errors=True) as late:
        sent = whatsapp.send(settings.model_copy(update={"whatsapp_api_url": late.api_url}), client, NUMBER,
                             Message(title="Rapat", body="Besok", in_session=True))
        failed = whatsapp.parse_webhook(webhook_payloads(ours, 2, late.app_secret)[1])[1][0]
    assert (failed.message_id, failed.status, failed.error_code) == (sent.provider_ids[0], "failed", 131047)


def test_an_empty_title_or_body_is_a_dash_in_the_template_and_nothing_is_refused(meta, settings, client):
    whatsapp.send(settings, client, NUMBER, Message(title="Hanya judul", body=" \n"))
    assert meta.messages[-1].parameters == ("Hanya judul", "-", "https://kim.example")
    meta.open_window(NUMBER)
    with pytest.raises(Rejected):
        whatsapp.send(settings, client, NUMBER, Message(title="", body="", in_session=True))


def test_statuses_come_signed_and_parse_in_order(meta, settings, client, ours):
    sent = whatsapp.send(settings, client, NUMBER, Message(title="Rapat", body="Besok"))
    payloads = webhook_payloads(ours, 2, meta.app_secret)
    statuses = [status for payload in payloads for status in whatsapp.parse_webhook(payload)[1]]
    assert [(s.message_id, s.status, s.recipient, s.error_code) for s in statuses] == \
        [(sent.provider_ids[0], "sent", NUMBER, None), (sent.provider_ids[0], "delivered", NUMBER, None)]


def test_the_stand_in_reports_read_when_told(clock, ours, settings, client):
    with WhatsAppStandIn(clock=clock, webhook_url=f"{ours.url}/whatsapp", read=True) as reading:
        whatsapp.send(settings.model_copy(update={"whatsapp_api_url": reading.api_url}), client, NUMBER,
                      Message(title="Rapat", body="Besok"))
        payloads = webhook_payloads(ours, 3, reading.app_secret)
    assert [whatsapp.parse_webhook(p)[1][0].status for p in payloads] == ["sent", "delivered", "read"]


def test_a_failed_delivery_parses_with_its_error(meta, settings, client, ours):
    meta.undeliverable(NUMBER)
    whatsapp.send(settings, client, NUMBER, Message(title="Rapat", body="Besok"))
    failed = whatsapp.parse_webhook(webhook_payloads(ours, 2, meta.app_secret)[1])[1][0]
    assert (failed.status, failed.error_code, failed.error_title) == ("failed", 131026, "Message undeliverable")


def test_a_reply_parses_with_what_it_answers_and_opens_the_window(meta, settings, client, ours):
    sent = whatsapp.send(settings, client, NUMBER, Message(title="Rapat", body="Besok"))
    webhook_payloads(ours, 2, meta.app_secret)
    assert meta.user_says(NUMBER, "Siap hadir", context_id=sent.provider_ids[0]) == 200
    payload = webhook_payloads(ours, 3, meta.app_secret)[2]
    [inbound], statuses = whatsapp.parse_webhook(payload)
    assert statuses == []
    assert (inbound.from_number, inbound.type, inbound.text, inbound.context_id, inbound.phone_number_id) == \
        (NUMBER, "text", "Siap hadir", sent.provider_ids[0], meta.phone_number_id)
    whatsapp.send(settings, client, NUMBER, Message(title="Terima kasih", body="Sampai besok", in_session=True))
    assert meta.messages[-1].type == "text"


def test_a_forged_or_missing_signature_is_refused():
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    good = "sha256=" + sign("app-secret", body)
    assert whatsapp.verify_signature("app-secret", body, good)
    assert whatsapp.verify_signature("app-secret", body, good.upper().replace("SHA256=", "sha256="))
    assert not whatsapp.verify_signature("another-secret", body, good)
    assert not whatsapp.verify_signature("app-secret", body + b" ", good)  # the body changed on the way
    assert not whatsapp.verify_signature("app-secret", body, "sha256=" + "0" * 64)
    assert not whatsapp.verify_signature("app-secret", body, sign("app-secret", body))  # no "sha256="
    assert not whatsapp.verify_signature("app-secret", body, None)
    assert not whatsapp.verify_signature("", body, "sha256=" + sign("", body))


def test_parse_webhook_other_kinds_of_messages():
    payload = {"object": "whatsapp_business_account", "entry": [{"id": "1", "changes": [{"field": "messages", "value": {
        "metadata": {"phone_number_id": "106"},
        "messages": [
            {"from": NUMBER, "id": "wamid.1", "timestamp": "1700000000", "type": "button",
             "button": {"text": "Berhenti", "payload": "STOP"}},
            {"from": NUMBER, "id": "wamid.2", "timestamp": "1700000001", "type": "image",
             "image": {"caption": "jalan rusak", "id": "m1"}},
            {"from": NUMBER, "id": "wamid.3", "timestamp": "1700000002", "type": "sticker", "sticker": {"id": "m2"}},
            {"from": NUMBER, "id": "wamid.4", "timestamp": "x", "type": "interactive",
             "interactive": {"type": "button_reply", "button_reply": {"id": "ya", "title": "Ya"}}},
        ]}}]}]}
    inbound, _ = whatsapp.parse_webhook(payload)
    assert [(m.type, m.text, m.timestamp) for m in inbound] == [
        ("button", "Berhenti", 1700000000), ("image", "jalan rusak", 1700000001), ("sticker", None, 1700000002),
        ("interactive", "Ya", 0)]
    assert whatsapp.parse_webhook({"object": "page", "entry": []}) == ([], [])


@pytest.mark.parametrize("code, status, whole, retry_after", [
    (130429, 400, True, 1.0), (80007, 400, True, None), (131056, 400, False, 6.0),
    (131000, 500, False, None), (131016, 503, False, None),
])
def test_limits_and_server_errors_are_retry_later(meta, settings, client, code, status, whole, retry_after):
    meta.fail_next(1, code=code, status=status, message="Rate limit or trouble")
    with pytest.raises(RetryLater) as later:
        whatsapp.send(settings, client, NUMBER, Message(title="t", body="b"))
    assert (later.value.whole_provider, later.value.retry_after) == (whole, retry_after)
    assert later.value.reason == f"whatsapp: error {code}: (#{code}) Rate limit or trouble"


@pytest.mark.parametrize("code", [131026, 131021, 100])
def test_undeliverable_and_invalid_are_rejected(meta, settings, client, code):
    meta.fail_next(1, code=code, status=400, message="Refused")
    with pytest.raises(Rejected) as rejected:
        whatsapp.send(settings, client, NUMBER, Message(title="t", body="b"))
    assert rejected.value.reason == f"whatsapp: error {code}: (#{code}) Refused"


def test_an_unknown_template_is_rejected_and_a_bad_number_never_sent(meta, settings, client):
    with pytest.raises(Rejected) as rejected:
        whatsapp.send(settings.model_copy(update={"whatsapp_template": "tidak_ada"}), client, NUMBER,
                      Message(title="t", body="b"))
    assert rejected.value.reason.startswith("whatsapp: error 132001")
    with pytest.raises(Rejected) as rejected:
        whatsapp.send(settings, client, "nomor saya", Message(title="t", body="b"))
    assert rejected.value.reason == "whatsapp: not a phone number"
    assert meta.errors == [132001] and meta.accepted == 0


def test_a_wrong_token_pauses_the_provider_and_names_the_setting(meta, settings, client):
    with pytest.raises(RetryLater) as later:
        whatsapp.send(settings.model_copy(update={"whatsapp_token": "salah"}), client, NUMBER, Message("t", "b"))
    assert later.value.whole_provider and later.value.reason.startswith("whatsapp: error 190")
    assert "WHATSAPP_TOKEN" in later.value.reason and "salah" not in later.value.reason


def test_a_retry_in_the_window_sends_only_the_parts_not_sent(meta, settings, client):
    meta.open_window(NUMBER)
    message = Message(title="Panjang", body="\n\n".join(["kalimat " * 400] * 3), in_session=True)
    meta.fail_next(1, code=131000, status=500, after=1)  # the second part fails
    with pytest.raises(RetryLater) as later:
        whatsapp.send(settings, client, NUMBER, message)
    assert later.value.parts_sent == 1 and len(later.value.provider_ids) == 1
    sent = whatsapp.send(settings, client, NUMBER, message, first_part=later.value.parts_sent)
    assert len(sent.provider_ids) == 2 and sent.parts == 3
    assert [m.text for m in meta.messages] == whatsapp.render_text(message)  # each part once, in order


# the stand-in's own rules

def test_the_81st_message_in_one_second_gets_130429(meta, client):
    headers = {"Authorization": f"Bearer {meta.token}"}
    template = {"name": "kim_informasi", "language": {"code": "id"}, "components": [
        {"type": "body", "parameters": [{"type": "text", "text": v} for v in ("a", "b", "c")]}]}
    answers = [client.post(f"{meta.api_url}/{meta.phone_number_id}/messages", headers=headers, json={
        "messaging_product": "whatsapp", "to": f"62812000{n:05d}", "type": "template", "template": template})
        for n in range(81)]
    assert [a.status_code for a in answers] == [200] * 80 + [429]
    assert answers[-1].json()["error"]["code"] == 130429 and meta.accepted == 80


@pytest.mark.parametrize("values, code", [(("a", "b"), 132000), (("a", "b\nc", "d"), 132018),
                                          (("a", "b     c", "d"), 132018), (("a", "b" * 900, "c"), 132005)])
def test_the_stand_in_checks_template_parameters(meta, client, values, code):
    answer = client.post(f"{meta.api_url}/{meta.phone_number_id}/messages",
                         headers={"Authorization": f"Bearer {meta.token}"}, json={
                             "messaging_product": "whatsapp", "to": NUMBER, "type": "template", "template": {
                                 "name": "kim_informasi", "language": {"code": "id"}, "components": [
                                     {"type": "body",
                                      "parameters": [{"type": "text", "text": v} for v in values]}]}})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == code


def test_the_stand_in_signs_with_the_app_secret_only(meta, ours):
    assert meta.post({"object": "whatsapp_business_account", "entry": []}, signature="sha256=forged") == 200
    [(headers, body)] = ours.wait_for(1)
    assert not whatsapp.verify_signature(meta.app_secret, body, headers["x-hub-signature-256"])
