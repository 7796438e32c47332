"""Channels (issue 14): the sustained send rate of each kind of channel against its provider's
configured limit (the goal: at least 90 % of it, never above), and the time from publishing a
broadcast to the first and the last Telegram message, for BENCH_CHANNEL_GROUPS (default 2,000)
groups each with a Telegram chat, a WhatsApp number, an SMS number and a mailbox.

  python bench/channels.py        (or: make bench)

The platform runs on PostgreSQL with the local stand-ins the tests use: a real Kannel (fakesmsc),
a real SMTP server (aiosmtpd), and the Telegram and WhatsApp API servers of tests/standins/
enforcing the providers' limits. Telegram's limit is Telegram's (30 a second); WhatsApp's 80 a
second; SMS and e-mail are set to 100 a second here (their defaults, 10, would make the run long).
Rates are read from the stand-ins' arrival times (Telegram, WhatsApp) and the channels' own record
of each send's completion (SMS, e-mail): messages / (last - first), and the most in any one second.
"""
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from tests.conftest import own_platform, wait_for  # noqa: E402
from tests.kannel import Kannel  # noqa: E402
from tests.smtp_server import SmtpServer  # noqa: E402
from tests.standins.telegram import TelegramStandIn  # noqa: E402
from tests.standins.whatsapp import WhatsAppStandIn  # noqa: E402
from tests.test_channels_scale import engine_of, import_groups, linked_channels  # noqa: E402

GROUPS = int(os.environ.get("BENCH_CHANNEL_GROUPS", "2000"))
LIMITS = {"telegram": 30, "whatsapp": 80, "sms": 100, "email": 100}
GOAL = 0.9


def busiest_second(times: list[float]) -> int:
    times, most, start = sorted(times), 0, 0
    for end, moment in enumerate(times):
        while times[start] <= moment - 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def main():
    run = uuid.uuid4().hex[:6]
    tmp = Path(tempfile.mkdtemp(prefix="kim-bench-channels-"))
    with SmtpServer() as smtp, TelegramStandIn() as telegram, WhatsAppStandIn() as whatsapp, \
            Kannel(tmp / "kannel", "http://127.0.0.1:9/") as kannel, \
            own_platform("postgresql", tmp, TELEGRAM_API_URL=telegram.url, TELEGRAM_BOT_TOKEN=telegram.token,
                         WHATSAPP_API_URL=whatsapp.api_url, WHATSAPP_TOKEN=whatsapp.token,
                         WHATSAPP_PHONE_NUMBER_ID=whatsapp.phone_number_id, WHATSAPP_APP_SECRET=whatsapp.app_secret,
                         KANNEL_SENDSMS_URL=kannel.sendsms_url, KANNEL_USERNAME=kannel.username,
                         KANNEL_PASSWORD=kannel.password, KANNEL_RATE_PER_SECOND=str(LIMITS["sms"]),
                         SMTP_URL=smtp.url, SMTP_FROM="kim@diskominfo.example",
                         SMTP_RATE_PER_SECOND=str(LIMITS["email"]), KIM_CHANNEL_DISPATCH_SECONDS="0.2") as platform:
        groups = import_groups(platform, run, GROUPS)
        for number in linked_channels(platform.env["CHANNELS_DATABASE_URL"], groups,
                                      ("telegram", "whatsapp", "sms", "email"))["whatsapp"].values():
            whatsapp.open_window(number.lstrip("+"))  # the groups wrote within 24 hours: free text
        channels_db = engine_of(platform.env["CHANNELS_DATABASE_URL"])
        with platform.admin as admin:
            wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": ["14.71"]}})
                     .json().get("recipients", 0) >= len(groups), timeout=120, message="the directory")
            created = admin.post("/api/v1/broadcasts", json={
                "title": f"Bench {run}", "body": "Informasi untuk semua KIM.", "category": "pengumuman",
                "target": {"regions": ["14.71"]}}).json()
            published = time.monotonic()  # the stand-ins' clock
            admin.post(f"/api/v1/broadcasts/{created['id']}/publish")
        total = len(groups)
        wait_for(lambda: telegram.accepted >= total and whatsapp.accepted >= total, timeout=900, interval=1,
                 message="Telegram and WhatsApp")
        with channels_db.connect() as channels:
            wait_for(lambda: channels.execute(text("SELECT count(*) FROM messages WHERE status <> 'queued'"))
                     .scalar() >= 4 * total, timeout=900, interval=1, message="every message")
            completed = {kind: [t.timestamp() for t in channels.execute(text(
                "SELECT sent_at FROM messages WHERE kind = :kind AND sent_at IS NOT NULL"), {"kind": kind}).scalars()]
                for kind in ("sms", "email")}
        arrivals = {"telegram": [m.time for m in telegram.messages], "whatsapp": [m.time for m in whatsapp.messages],
                    **completed}
        print(f"channels: {total} groups, 4 channels each (PostgreSQL)")
        for kind, times in arrivals.items():
            span = max(times) - min(times)
            rate = (len(times) - 1) / span if span else float("inf")
            most = busiest_second(times)
            verdict = "ok" if rate >= GOAL * LIMITS[kind] and most <= LIMITS[kind] else "NOT REACHED"
            print(f"  {kind:9} {len(times):6} sent in {span:6.1f} s: {rate:6.1f}/s = {rate / LIMITS[kind]:.2f} of "
                  f"the limit {LIMITS[kind]}/s, at most {most} in any second (goal >= {GOAL:.0%}, never above): "
                  f"{verdict}")
        first, last = min(arrivals["telegram"]), max(arrivals["telegram"])
        print(f"  publish -> first Telegram message {first - published:.1f} s, -> last {last - published:.1f} s "
              f"(the limit alone: {total / LIMITS['telegram']:.1f} s); 429s {telegram.rejected_429}, "
              f"429s not honoured {telegram.violations}")


if __name__ == "__main__":
    main()
