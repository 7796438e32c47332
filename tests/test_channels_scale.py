"""A broadcast to 2,000 groups, each with a Telegram chat, an SMS number and a mailbox, and the
channels service SIGKILLed in the middle of the send: every channel receives exactly its message,
none is lost, the repeats stay within the stated guarantee (at least once: at most the sends in
flight at the kill, KIM_CHANNEL_CONCURRENCY per kind), and the Telegram stand-in's limits (30 a
second for the bot, 20 a minute per group, its 429s) are never exceeded."""
import csv
import io
import os
import signal
import uuid
from collections import Counter

import pytest
from sqlalchemy import create_engine, text

from services.common.events import utcnow
from tests.conftest import own_platform, wait_for
from tests.kannel import Kannel
from tests.smtp_server import SmtpServer
from tests.standins.telegram import TelegramStandIn

GROUPS = 2000
CONCURRENCY = 8  # KIM_CHANNEL_CONCURRENCY: the most sends a kind has in flight, so the most it repeats


def engine_of(url: str):
    return create_engine(url.replace("postgresql://", "postgresql+psycopg2://"))


def import_groups(platform, run: str, count: int) -> list:
    """`count` groups over Pekanbaru's villages, by one CSV import through the API; their (id, village)."""
    registry_url = platform.env["REGISTRY_DATABASE_URL"]
    with engine_of(registry_url).connect() as registry:
        villages = registry.execute(text("SELECT code FROM regions WHERE level = 'village' AND code LIKE "
                                         "'14.71.%' ORDER BY code")).scalars().all()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["nama", "kode_desa", "nomor_sk", "tanggal_sk", "penerbit_sk", "klasifikasi"])
    for n in range(count):
        writer.writerow([f"KIM Skala {run} {n}", villages[n % len(villages)], f"SKALA/{run}/{n}", "2024-03-01",
                         "Lurah", "tumbuh"])
    with platform.admin as admin:
        answer = admin.post("/api/v1/kims/import",
                            files={"file": ("skala.csv", buffer.getvalue().encode(), "text/csv")})
        assert answer.status_code == 202, answer.text
        job = wait_for(lambda: (lambda j: j if j["status"] == "done" else None)(
            admin.get(f"/api/v1/kims/import/{answer.json()['id']}").json()), timeout=180, interval=0.5,
            message="the import")
    assert job["imported"] == count, job
    with engine_of(registry_url).connect() as registry:
        return registry.execute(text("SELECT id, village_code FROM kims WHERE name LIKE :name ORDER BY id"),
                                {"name": f"KIM Skala {run} %"}).all()


ADDRESSES = {"telegram": "-100{n:010d}", "whatsapp": "+62812{n:08d}", "sms": "+62813{n:08d}",
             "email": "kim{n}@desa.example"}


def linked_channels(channels_url: str, groups, kinds) -> dict[str, dict[str, str]]:
    """Each group's channels of these kinds, live, written as the channels service keeps them (linking
    by code is proven in test_channels.py; a WhatsApp number wrote within 24 hours): {kind: {kim id:
    address}}."""
    now = utcnow()
    linked = {kind: {kim_id: ADDRESSES[kind].format(n=n) for n, (kim_id, _) in enumerate(groups)} for kind in kinds}
    rows = [{"id": uuid.uuid4().hex, "kim_id": kim_id, "village_code": village, "kind": kind,
             "address": linked[kind][kim_id], "now": now, "token": uuid.uuid4().hex if kind == "email" else None}
            for kim_id, village in groups for kind in kinds]
    with engine_of(channels_url).begin() as channels:
        channels.execute(text(
            "INSERT INTO channels (id, kim_id, village_code, kind, address, state, failures, created_by, created_at, "
            "linked_at, updated_at, unsubscribe_token, last_inbound_at) VALUES (:id, :kim_id, :village_code, :kind, "
            ":address, 'live', 0, 'test', :now, :now, :now, :token, :now)"), rows)
    return linked


# 90 s alone; on a slow two-core machine beside the rest of the suite, more than the default 300 s
@pytest.mark.timeout(900)
@pytest.mark.parametrize("backend", ["postgresql"])  # the domain tests run both backends
def test_a_broadcast_to_2000_groups_on_three_channels_survives_a_sigkill(tmp_path, backend):
    run = uuid.uuid4().hex[:6]
    with SmtpServer() as smtp, TelegramStandIn() as telegram, Kannel(tmp_path / "kannel", "http://127.0.0.1:9/") \
            as kannel, own_platform(backend, tmp_path, TELEGRAM_API_URL=telegram.url,
                                    TELEGRAM_BOT_TOKEN=telegram.token, KANNEL_SENDSMS_URL=kannel.sendsms_url,
                                    KANNEL_USERNAME=kannel.username, KANNEL_PASSWORD=kannel.password,
                                    KANNEL_RATE_PER_SECOND="100", SMTP_URL=smtp.url, SMTP_FROM="kim@diskominfo.example",
                                    SMTP_RATE_PER_SECOND="100", KIM_CHANNEL_DISPATCH_SECONDS="0.2",
                                    KIM_CHANNEL_CONCURRENCY=str(CONCURRENCY)) as platform:
        groups = import_groups(platform, run, GROUPS)
        assert len(groups) == GROUPS
        linked = linked_channels(platform.env["CHANNELS_DATABASE_URL"], groups, ("telegram", "sms", "email"))
        chats, phones, mailboxes = linked["telegram"], linked["sms"], linked["email"]

        with platform.admin as admin:
            wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": ["14.71"]}})
                     .json().get("recipients", 0) >= GROUPS, timeout=60, message="the groups in broadcast's directory")
            created = admin.post("/api/v1/broadcasts", json={
                "title": f"Siaga banjir {run}", "body": "Waspada banjir malam ini. Siapkan jalur evakuasi.",
                "category": "darurat", "priority": "urgent", "target": {"regions": ["14.71"]}})
            assert created.status_code == 201, created.text
            assert admin.post(f"/api/v1/broadcasts/{created.json()['id']}/publish").status_code == 200

        title = f"Siaga banjir {run}"
        wait_for(lambda: telegram.accepted >= 300, timeout=120, message="the send under way")
        os.kill(platform.pids["channels"], signal.SIGKILL)  # the launcher starts it again

        def got(messages, key):
            return Counter(key(m) for m in messages)
        targets = {"telegram": set(chats.values()), "sms": set(phones.values()), "email": set(mailboxes.values())}

        def received() -> dict[str, Counter]:
            return {"telegram": got([m for m in telegram.messages if title in m.text], lambda m: m.chat_id),
                    "sms": got([m for m in kannel.received() if title in m.text], lambda m: m.receiver),
                    "email": got([m for m in smtp.messages if title in m.message["Subject"]],
                                 lambda m: m.rcpt_tos[0])}
        wait_for(lambda: all(set(received()[kind]) == targets[kind] for kind in targets), timeout=600, interval=1,
                 message="every channel of every group reached")
        counts = received()
        print("repeats after the kill:", {kind: sum(n - 1 for n in counts[kind].values()) for kind in targets})
        for kind in targets:
            assert set(counts[kind]) == targets[kind], f"{kind}: messages to addresses nobody linked"
            repeats = sum(n - 1 for n in counts[kind].values())
            assert repeats <= CONCURRENCY, f"{kind}: {repeats} repeats, more than the sends in flight at the kill"
        # nothing else was sent to anyone (each channel exactly its message, and its repeat at most)
        assert all(title in m.text for m in telegram.messages)
        assert telegram.violations == 0, telegram.violation_log[:5]
        assert telegram.rejected_429 == 0  # the limits were kept, not found by hitting them
