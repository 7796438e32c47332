"""A group's channels end to end, through the gateway, on a platform of its own: a real SMTP server
(aiosmtpd), a real Kannel with its fake SMS centre, and local servers speaking the Telegram Bot API
and the WhatsApp Cloud API. Linking with codes, a broadcast arriving on every channel, and what
comes back: acknowledgements, relays, an aspiration answered on the same chat, BERHENTI, forged
callbacks, unknown senders, replies while the channels service is stopped."""
import hashlib
import hmac
import json
import os
import re
import signal
import uuid

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.conftest import free_port, own_platform, wait_for
from tests.kannel import Kannel
from tests.smtp_server import SmtpServer
from tests.standins.telegram import TelegramStandIn
from tests.standins.whatsapp import WhatsAppStandIn

VILLAGE = "14.71.01.1002"
TELEGRAM_SECRET = "tg-secret-123"
KANNEL_SECRET = "kannel-secret-123"
VERIFY_TOKEN = "wa-verify-123"
GROUP_A_PHONE, GROUP_A_WA, STRANGER_PHONE = "+6281311110001", "6281311110002", "+6281399990009"
CHAT_A, STRANGER_CHAT = "-1001000000001", "-1009999999999"


@pytest.fixture(scope="module", params=["postgresql"])  # the domain tests run both backends
def reach(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("channels")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    mo_url = (f"{base}/channels/sms/mo?secret={KANNEL_SECRET}&from=%p&to=%P&text=%b&coding=%c")
    with SmtpServer() as smtp, TelegramStandIn() as telegram, \
            WhatsAppStandIn(webhook_url=f"{base}/channels/whatsapp/webhook") as whatsapp, \
            Kannel(tmp / "kannel", mo_url) as kannel:
        telegram.webhook_url, telegram.webhook_secret = f"{base}/channels/telegram/webhook", TELEGRAM_SECRET
        with own_platform(request.param, tmp, GATEWAY_PORT=str(port), GATEWAY_PUBLIC_URL=base,
                          TELEGRAM_API_URL=telegram.url, TELEGRAM_BOT_TOKEN=telegram.token,
                          TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
                          WHATSAPP_API_URL=whatsapp.api_url, WHATSAPP_TOKEN=whatsapp.token,
                          WHATSAPP_PHONE_NUMBER_ID=whatsapp.phone_number_id,
                          WHATSAPP_APP_SECRET=whatsapp.app_secret, WHATSAPP_VERIFY_TOKEN=VERIFY_TOKEN,
                          KANNEL_SENDSMS_URL=kannel.sendsms_url, KANNEL_USERNAME=kannel.username,
                          KANNEL_PASSWORD=kannel.password, KANNEL_CALLBACK_SECRET=KANNEL_SECRET,
                          SMTP_URL=smtp.url, SMTP_FROM="Diskominfo Pekanbaru <kim@pekanbaru.go.id>",
                          KIM_CHANNEL_DISPATCH_SECONDS="0.2", KIM_CHANNEL_BACKOFF_SECONDS="0.5") as platform:
            yield platform, telegram, whatsapp, kannel, smtp


def register(admin: httpx.Client, name: str) -> str:
    created = admin.post("/api/v1/kims", json={
        "name": name, "village_code": VILLAGE, "classification": "tumbuh",
        "sk": {"number": f"SK/{name}", "date": "2024-01-02", "issuer": "Lurah"}})
    assert created.status_code == 201, created.text
    return created.json()["id"]


def channels_of(client: httpx.Client, kim_id: str) -> dict[str, dict]:
    listed = client.get(f"/api/v1/kims/{kim_id}/channels")
    assert listed.status_code == 200, listed.text
    return {channel["kind"]: channel for channel in listed.json()["items"]}


def new_channel(client: httpx.Client, kim_id: str, kind: str, address: str | None = None) -> dict:
    made = client.post(f"/api/v1/kims/{kim_id}/channels", json={"kind": kind, "address": address})
    assert made.status_code == 201, made.text
    return made.json()


def live(client, kim_id, kind) -> bool:
    return channels_of(client, kim_id).get(kind, {}).get("state") == "live"


def channels_db(platform):
    return create_engine(platform.env["CHANNELS_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg2://"))


@pytest.fixture(scope="module")
def group(reach):
    """Group A with all four channels linked, each by its code through the channel itself."""
    platform, telegram, whatsapp, kannel, smtp = reach
    with platform.admin as admin:
        kim_id = register(admin, f"KIM Saluran {uuid.uuid4().hex[:6]}")
        key = admin.post("/api/v1/keys", json={"name": "KIM A", "role": "kim", "kim_id": kim_id}).json()["key"]
        tg = new_channel(admin, kim_id, "telegram")
        assert tg["state"] == "pending" and tg["link_code"] in tg["how_to_link"]["id"]
        assert telegram.user_says(CHAT_A, f"/link@kim_test_bot {tg['link_code']}") == 200
        wa = new_channel(admin, kim_id, "whatsapp", "+" + GROUP_A_WA)
        assert whatsapp.user_says(GROUP_A_WA, f"DAFTAR {wa['link_code']}") == 200
        sms = new_channel(admin, kim_id, "sms", "0813-1111-0001")
        kannel.send_mo(GROUP_A_PHONE, f"daftar {sms['link_code']}")
        mail = new_channel(admin, kim_id, "email", "ketua.kim@desa.example")
        confirmation = smtp.wait_for(1, timeout=30)[0].message
        link = re.search(r"https?://\S+/channels/email/confirm\?code=\w+", confirmation.get_body(("plain",))
                         .get_content()).group(0)
        assert link.endswith(mail["link_code"])
        with httpx.Client(timeout=30) as browser:
            page = browser.get(link)
            assert page.status_code == 200 and "<form" in page.text  # a mail scanner's visit confirms nothing
            assert browser.post(link).status_code == 200
        for kind in ("telegram", "whatsapp", "sms", "email"):
            wait_for(lambda kind=kind: live(admin, kim_id, kind), timeout=30, message=f"the {kind} channel linked")
    return {"id": kim_id, "key": key}


def publish(admin: httpx.Client, title: str, **fields) -> str:
    created = admin.post("/api/v1/broadcasts", json={
        "title": title, "body": "Vaksinasi gratis setiap Sabtu di puskesmas <b>kelurahan</b> & posyandu.",
        "category": "program", "target": {"regions": [VILLAGE]}, **fields})
    assert created.status_code == 201, created.text
    assert admin.post(f"/api/v1/broadcasts/{created.json()['id']}/publish").status_code == 200
    return created.json()["id"]


def test_a_used_code_and_a_code_from_another_number_are_refused(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    with platform.admin as admin:
        other = register(admin, f"KIM Lain {uuid.uuid4().hex[:6]}")
        sms = new_channel(admin, other, "sms", "+6281322220002")
        kannel.send_mo(STRANGER_PHONE, f"DAFTAR {sms['link_code']}")  # group B's code, from a stranger's phone
        tg = new_channel(admin, other, "telegram")
        telegram.user_says(CHAT_A, f"/link {tg['link_code']}")  # in group A's chat
        wait_for(lambda: any("tidak berlaku" in text for text in telegram.texts(CHAT_A)),
                 message="the refusal in group A's chat")
        assert {c["state"] for c in channels_of(admin, other).values()} == {"pending"}
        assert channels_of(admin, group["id"])["telegram"]["state"] == "live"
        wait_for(lambda: any(m.receiver == STRANGER_PHONE for m in kannel.received()), message="the refusal by SMS")


def test_a_broadcast_arrives_on_every_channel_and_the_replies_come_back(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    with platform.admin as admin, platform.client(group["key"]) as kim:
        broadcast_id = publish(admin, "Vaksinasi gratis")
        wait_for(lambda: any("Vaksinasi gratis" in t for t in telegram.texts(CHAT_A)), message="Telegram")
        assert any("&lt;b&gt;kelurahan&lt;/b&gt; &amp; posyandu" in t for t in telegram.texts(CHAT_A))
        wait_for(lambda: any(m.to == GROUP_A_WA and "Vaksinasi gratis" in (m.text or "") for m in whatsapp.messages),
                 message="WhatsApp (free text: the group wrote within 24 hours)")
        wait_for(lambda: any("Vaksinasi gratis" in m.text for m in kannel.received()
                             if m.receiver == GROUP_A_PHONE), message="SMS")
        mail = wait_for(lambda: next((m.message for m in smtp.messages if "Vaksinasi" in m.message["Subject"]), None),
                        message="e-mail")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "/channels/email/unsubscribe?token=" in mail["List-Unsubscribe"]
        html = mail.get_body(("html",)).get_content()
        assert "&lt;b&gt;kelurahan&lt;/b&gt;" in html and "Vaksinasi gratis" in mail.get_body(("plain",)).get_content()

        # a reply to the Telegram message acknowledges it; SEBAR by SMS reports a relay
        message_id = next(m.message_id for m in telegram.messages if m.chat_id == CHAT_A and "Vaksinasi" in m.text)
        telegram.user_says(CHAT_A, "siap, sudah kami terima", reply_to=message_id)
        kannel.send_mo(GROUP_A_PHONE, "SEBAR 120 pengajian")

        def delivery():
            items = kim.get(f"/api/v1/kims/{group['id']}/inbox").json()["items"]
            return next((d for d in items if d.get("broadcast_id") == broadcast_id), None)
        wait_for(lambda: (delivery() or {}).get("acknowledged_at") and delivery()["reached"] == 120,
                 message="the acknowledgement and the relay in the inbox")
        def recorded():
            stats = admin.get(f"/api/v1/broadcasts/{broadcast_id}").json()["stats"]
            kinds = ("telegram", "whatsapp", "sms", "email")
            return stats if all(stats["by_channel"].get(kind, {}).get("sent") == 1 for kind in kinds) else None
        # each send's outcome is recorded once the provider answered: a moment after it arrived
        stats = wait_for(recorded, message="every channel's send recorded")
        assert stats["acknowledged"] == 1 and stats["reached"] == 120
        by_channel = stats["by_channel"]
        assert set(by_channel) == {"telegram", "whatsapp", "sms", "email"}
        assert by_channel["telegram"]["acknowledged"] == 1 and by_channel["sms"]["reached"] == 120
        assert by_channel["sms"]["by_region"][0]["region"].startswith("14.71")
        wait_for(lambda: admin.get(f"/api/v1/broadcasts/{broadcast_id}").json()["stats"]["by_channel"]["whatsapp"]
                 ["delivered"] == 1, message="WhatsApp's signed status callback")


def test_an_aspiration_on_a_channel_gets_its_code_and_its_answer_on_that_chat(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    whatsapp.user_says(GROUP_A_WA, "ASPIRASI Lampu jalan di RT 03 mati sejak seminggu")
    code = wait_for(lambda: next((re.search(r"Kode pelacakan: (\w+)", m.text).group(1) for m in whatsapp.messages
                                  if m.to == GROUP_A_WA and "Kode pelacakan" in (m.text or "")), None),
                    message="the tracking code on WhatsApp")
    with platform.client() as anyone, platform.admin as admin:
        wait_for(lambda: anyone.get(f"/api/v1/aspirations/track/{code}").status_code == 200,
                 message="the aspiration stored")
        found = admin.get("/api/v1/aspirations", params={"tracking_code": code}).json()["items"][0]
        assert found["kim_id"] == group["id"] and found["village_code"] == VILLAGE
        for step in ({"to": "verified"}, {"to": "forwarded"},
                     {"to": "responded", "response": "Lampu diganti hari Kamis."}):
            assert admin.post(f"/api/v1/aspirations/{found['id']}/transition", json=step).status_code == 200
    wait_for(lambda: any("Lampu diganti hari Kamis." in (m.text or "") for m in whatsapp.messages
                         if m.to == GROUP_A_WA), message="the answer on the same chat")


def test_forged_callbacks_are_refused_and_unknown_senders_get_help_only(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    base = platform.url
    with httpx.Client(timeout=30) as http:
        forged = telegram.update(CHAT_A, "BERHENTI")
        assert http.post(f"{base}/channels/telegram/webhook", json=forged,
                         headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}).status_code == 401
        assert http.post(f"{base}/channels/telegram/webhook", json=forged).status_code == 401
        payload = json.dumps({"object": "whatsapp_business_account", "entry": []}).encode()
        bad = "sha256=" + hmac.new(b"not-the-secret", payload, hashlib.sha256).hexdigest()
        assert http.post(f"{base}/channels/whatsapp/webhook", content=payload,
                         headers={"X-Hub-Signature-256": bad}).status_code == 401
        assert http.get(f"{base}/channels/sms/mo", params={"secret": "wrong", "from": GROUP_A_PHONE,
                                                            "text": "BERHENTI"}).status_code == 401
        assert whatsapp.verify_webhook(f"{base}/channels/whatsapp/webhook", VERIFY_TOKEN).text == "1158201444"
        assert whatsapp.verify_webhook(f"{base}/channels/whatsapp/webhook", "wrong").status_code == 403
    telegram.user_says(STRANGER_CHAT, "ASPIRASI jalan rusak di desa kami")
    wait_for(lambda: telegram.texts(STRANGER_CHAT), message="the help text to an unknown chat")
    assert "belum terdaftar" in telegram.texts(STRANGER_CHAT)[0]
    with platform.admin as admin:
        assert all(c["state"] == "live" for c in channels_of(admin, group["id"]).values())
    with channels_db(platform).connect() as db:
        assert not db.execute(text("SELECT 1 FROM channels WHERE address = :a"), {"a": STRANGER_CHAT}).first()
        assert not db.execute(text("SELECT 1 FROM aspiration_forwards")).first() or \
            db.execute(text("SELECT count(*) FROM aspiration_forwards")).scalar() == 1  # group A's only


def test_replies_while_the_channels_service_is_stopped_are_processed_after(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    with platform.admin as admin:
        broadcast_id = publish(admin, "Kerja bakti")
        wait_for(lambda: any("Kerja bakti" in t for t in telegram.texts(CHAT_A)), message="the broadcast")
        wait_for(lambda: any("Kerja bakti" in m.text for m in kannel.received()), message="the broadcast by SMS")
        pid = platform.pids["channels"]
        os.kill(pid, signal.SIGSTOP)
        try:
            assert telegram.user_says(CHAT_A, "OK") == 200  # taken in by the gateway, held by the broker
            kannel.send_mo(GROUP_A_PHONE, "SEBAR 30")
        finally:
            os.kill(pid, signal.SIGCONT)

        def figures():
            return admin.get(f"/api/v1/broadcasts/{broadcast_id}").json()["stats"]
        try:
            wait_for(lambda: figures()["acknowledged"] == 1 and figures()["reached"] == 30, timeout=60,
                     message="the replies processed once the service runs again")
        except AssertionError:
            raise AssertionError(figures()) from None


def test_berhenti_stops_a_channel_and_the_mail_unsubscribes_in_one_click(reach, group):
    platform, telegram, whatsapp, kannel, smtp = reach
    kannel.send_mo(GROUP_A_PHONE, "BERHENTI")
    mail = next(m.message for m in smtp.messages if "Vaksinasi" in m.message["Subject"])
    unsubscribe = re.search(r"<(http[^>]+)>", mail["List-Unsubscribe"]).group(1)
    with httpx.Client(timeout=30) as mailer:  # RFC 8058: the mail program POSTs, no cookie, no form
        assert mailer.post(unsubscribe, content="List-Unsubscribe=One-Click",
                           headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 200
    with platform.admin as admin:
        wait_for(lambda: channels_of(admin, group["id"])["sms"]["state"] == "stopped", message="BERHENTI")
        assert channels_of(admin, group["id"])["email"]["state"] == "stopped"
        sms_before, mail_before = len(kannel.received()), len(smtp.messages)
        publish(admin, "Siaran sesudah berhenti")
        wait_for(lambda: any("sesudah berhenti" in t for t in telegram.texts(CHAT_A)), message="Telegram still")
        assert not any("sesudah berhenti" in m.text for m in kannel.received()[sms_before:])
        assert not any("sesudah berhenti" in m.message["Subject"] for m in smtp.messages[mail_before:])
