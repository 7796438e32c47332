"""The channels service's domain rules on a real database (both backends): linking, deliveries into
messages, what a group writes back, recording what the providers answered, the lease, the figures."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from services.broadcast import events as broadcast_events
from services.broadcast.models import Broadcast, Delivery
from services.channels import commands, dispatch, inbound, outbound, stats, subscriptions
from services.channels.inbound import Incoming, StatusReport, Unstored
from services.channels.models import AspirationForward, Channel, OutboundMessage
from services.channels.providers import Rejected, RetryLater, Sent
from services.channels.settings import ChannelsSettings
from services.common.contracts import ChannelAcknowledged, ChannelRelayReported, DeliveriesCreated
from services.common.db import outbox
from services.common.errors import Conflict, InvalidInput
from services.common.events import utcnow
from services.common.testing import migrated_session, received

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
SETTINGS = ChannelsSettings(KIM_CHANNEL_PAUSE_AFTER_FAILURES=2, KIM_CHANNEL_MAX_ATTEMPTS=3)
VILLAGE = "14.71.01.1002"


@pytest.fixture
def session(databases):
    with migrated_session(databases, "channels", MIGRATIONS) as session:
        yield session


def linked(session, kim_id="KIM-A", kind="telegram", address=None, chat="-1001") -> Channel:
    made = subscriptions.create(session, kim_id, VILLAGE, kind, address, "operator:k1", SETTINGS)
    if kind == "email":
        return subscriptions.link(session, "email", None, made["link_code"])
    return subscriptions.link(session, kind, chat if kind == "telegram" else made["address"], made["link_code"])


def broadcast_event(deliveries, category="pengumuman", priority="normal", broadcast_id="b" * 36):
    """deliveries_created as the broadcast service builds it, read back as the channels read it."""
    broadcast = Broadcast(id=broadcast_id, title="Vaksinasi", body="Vaksinasi gratis Sabtu ini.",
                          category=category, priority=priority)
    return received("broadcast", broadcast_events.broadcast_deliveries_created(broadcast, deliveries),
                    DeliveriesCreated)


def events_recorded(session, type_):
    return [row.envelope for row in session.execute(select(outbox).where(outbox.c.event_type == type_))]


# --- linking ------------------------------------------------------------------------------

def test_a_code_links_its_channel_once_and_is_kept_only_as_a_hash(session):
    made = subscriptions.create(session, "KIM-A", VILLAGE, "telegram", None, "operator:k1", SETTINGS)
    code = made["link_code"]
    assert made["state"] == "pending" and made["how_to_link"]["id"].endswith(code)
    assert session.scalar(select(Channel.link_code_hash)) != code
    channel = subscriptions.link(session, "telegram", "-1001", code.lower())  # as typed
    assert (channel.state, channel.address) == ("live", "-1001")
    with pytest.raises(subscriptions.LinkRefused):
        subscriptions.link(session, "telegram", "-1002", code)  # used


def test_an_expired_code_or_one_of_another_kind_is_refused(session):
    made = subscriptions.create(session, "KIM-A", VILLAGE, "sms", "0812 1111 2222", "operator:k1", SETTINGS)
    assert made["address"] == "+6281211112222"
    with pytest.raises(subscriptions.LinkRefused):
        subscriptions.link(session, "whatsapp", "+6281211112222", made["link_code"])
    session.get(Channel, made["id"]).link_expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(subscriptions.LinkRefused):
        subscriptions.link(session, "sms", "+6281211112222", made["link_code"])


def test_a_code_of_group_a_cannot_link_elsewhere(session):
    """From another number than group A gave, or in a chat that is group B's."""
    sms = subscriptions.create(session, "KIM-A", VILLAGE, "sms", "+6281211112222", "operator:k1", SETTINGS)
    with pytest.raises(subscriptions.LinkRefused):
        subscriptions.link(session, "sms", "+6289999999999", sms["link_code"])
    linked(session, "KIM-B", chat="-100B")
    telegram = subscriptions.create(session, "KIM-A", VILLAGE, "telegram", None, "operator:k1", SETTINGS)
    with pytest.raises(subscriptions.LinkRefused):
        subscriptions.link(session, "telegram", "-100B", telegram["link_code"])
    assert session.get(Channel, telegram["id"]).state == "pending"


def test_addresses_are_checked_and_a_channel_is_not_made_twice(session):
    with pytest.raises(InvalidInput):
        subscriptions.create(session, "KIM-A", VILLAGE, "email", "not-an-address", "k", SETTINGS)
    with pytest.raises(InvalidInput):
        subscriptions.create(session, "KIM-A", VILLAGE, "telegram", "-1001", "k", SETTINGS)
    subscriptions.create(session, "KIM-A", VILLAGE, "whatsapp", "+62 812 3333 4444", "k", SETTINGS)
    with pytest.raises(Conflict):
        subscriptions.create(session, "KIM-A", VILLAGE, "whatsapp", "081233334444", "k", SETTINGS)


def test_an_email_channel_is_sent_its_confirmation_while_pending(session):
    made = subscriptions.create(session, "KIM-A", VILLAGE, "email", "ketua@Desa.ID", "k", SETTINGS)
    assert made["address"] == "ketua@desa.id"
    jobs = dispatch.lease(session, "email", 10, SETTINGS)
    assert len(jobs) == 1 and f"code={made['link_code']}" in jobs[0].message.body


# --- deliveries into messages -------------------------------------------------------------------

def test_each_delivery_is_one_message_per_live_or_paused_channel_and_never_twice(session):
    a = linked(session, "KIM-A", chat="-1001")
    linked(session, "KIM-A", kind="sms", address="+6281200000001")
    b = linked(session, "KIM-B", chat="-1002")
    stopped = linked(session, "KIM-C", chat="-1003")
    stopped.state = "stopped"
    subscriptions.change(session, "KIM-B", b.id, "paused", SETTINGS)
    event = broadcast_event([(1, "KIM-A", VILLAGE), (2, "KIM-B", VILLAGE), (3, "KIM-C", VILLAGE)])
    assert outbound.take(session, [event]) == 3
    assert outbound.take(session, [event]) == 0
    leased = dispatch.lease(session, "telegram", 10, SETTINGS)
    assert [job.channel_id for job in leased] == [a.id]  # the paused channel's waits
    assert dispatch.lease(session, "telegram", 10, SETTINGS) == []  # leased: nobody takes it again


def test_darurat_and_urgent_go_first(session):
    linked(session, "KIM-A", chat="-1001")
    outbound.take(session, [broadcast_event([(1, "KIM-A", VILLAGE)], broadcast_id="1" * 36),
                            broadcast_event([(2, "KIM-A", VILLAGE)], priority="high", broadcast_id="2" * 36),
                            broadcast_event([(3, "KIM-A", VILLAGE)], category="darurat", broadcast_id="3" * 36)])
    order = [session.get(OutboundMessage, job.message_id).delivery_id
             for job in dispatch.lease(session, "telegram", 10, SETTINGS)]
    assert order == [3, 2, 1]


def test_an_answer_to_an_aspiration_reaches_the_groups_channels(session):
    linked(session, "KIM-A", chat="-1001")
    delivery = Delivery(id=9, kind="aspiration_answer", kim_id="KIM-A", village_code=VILLAGE,
                        message={"aspiration_id": "x", "tracking_code": "ABCD234567", "response": "Jalan diperbaiki."})
    event = received("broadcast", broadcast_events.answer_delivery_created(delivery), DeliveriesCreated)
    assert outbound.take(session, [event]) == 1
    job = dispatch.lease(session, "telegram", 1, SETTINGS)[0]
    assert "ABCD234567" in job.message.title and job.message.body == "Jalan diperbaiki."


def test_a_hoax_cases_outcome_reaches_the_reporting_groups_channels(session):
    # issue 15: one event for every group that reported the claim, one content for all
    linked(session, "KIM-A", chat="-1001")
    linked(session, "KIM-B", chat="-1002")
    message = {"case_id": "H1", "label": "hoaks", "title": "Vaksin tidak berisi chip",
               "explanation": "Penjelasan dinas.", "sources": []}
    deliveries = [Delivery(id=11, kind="hoax_outcome", kim_id="KIM-A", village_code=VILLAGE, message=message),
                  Delivery(id=12, kind="hoax_outcome", kim_id="KIM-B", village_code=VILLAGE, message=message)]
    event = received("broadcast", broadcast_events.hoax_outcome_deliveries_created(deliveries), DeliveriesCreated)
    assert outbound.take(session, [event]) == 2
    jobs = dispatch.lease(session, "telegram", 10, SETTINGS)
    assert len(jobs) == 2 and all("Vaksin tidak berisi chip" in job.message.title for job in jobs)
    assert {job.message.body for job in jobs} == {"Penjelasan dinas."}


# --- what comes back ---------------------------------------------------------------------------

def sent_delivery(session, channel, delivery_id=1, provider_id="55"):
    outbound.take(session, [broadcast_event([(delivery_id, channel.kim_id, VILLAGE)],
                                            broadcast_id=f"{delivery_id:036d}")])
    job = next(j for j in dispatch.lease(session, channel.kind, 50, SETTINGS) if j.channel_id == channel.id)
    dispatch.record(session, job, Sent(provider_ids=[provider_id]), SETTINGS)
    return job


def replies(session, channel):
    return [m.text for m in session.scalars(select(OutboundMessage).where(
        OutboundMessage.channel_id == channel.id, OutboundMessage.delivery_id.is_(None)).order_by(OutboundMessage.id))]


def test_ok_acknowledges_the_newest_message_and_a_reply_the_one_it_quotes(session):
    channel = linked(session, chat="-1001")
    sent_delivery(session, channel, 1, "55")
    sent_delivery(session, channel, 2, "56")
    inbound.handle(session, Incoming("telegram", "-1001", "ok", provider_id="u1"))
    inbound.handle(session, Incoming("telegram", "-1001", "siap, terima kasih", provider_id="u2", reply_to="-1001:55"))
    inbound.handle(session, Incoming("telegram", "-1001", "ok", provider_id="u1"))  # the same update again
    acks = [ChannelAcknowledged.model_validate(e["data"]) for e in
            map(__import__("json").loads, events_recorded(session, "channel_acknowledged"))]
    assert [a.delivery_id for a in acks] == [2, 1]
    assert len(replies(session, channel)) == 2  # two thanks


def test_sebar_reports_a_relay(session):
    channel = linked(session, chat="-1001")
    sent_delivery(session, channel)
    inbound.handle(session, Incoming("telegram", "-1001", "SEBAR 120 pengajian", provider_id="u1"))
    report = ChannelRelayReported.model_validate(
        __import__("json").loads(events_recorded(session, "channel_relay_reported")[0])["data"])
    assert (report.delivery_id, report.reached, report.channel) == (1, 120, "pengajian")
    assert stats.by_channel(session, f"{1:036d}", 5)["telegram"]["reached"] == 120


def test_an_aspiration_waits_for_the_intake_queue_and_its_code_is_sent_back(session):
    channel = linked(session, kind="whatsapp", address="+6281200000001")
    inbound.handle(session, Incoming("whatsapp", "+6281200000001", "LAPOR Jalan di RT 03 berlubang", provider_id="w1"))
    forward = session.scalar(select(AspirationForward))
    data = forward.submission["data"]
    assert (data["kind"], data["kim_id"], data["village_code"], forward.submission["filed_by_kim"]) == \
        ("pengaduan", "KIM-A", VILLAGE, True)
    assert forward.tracking_code in replies(session, channel)[-1]


def test_berhenti_stops_the_channel_and_mulai_starts_it_again(session):
    channel = linked(session, chat="-1001")
    outbound.take(session, [broadcast_event([(1, "KIM-A", VILLAGE)])])
    inbound.handle(session, Incoming("telegram", "-1001", "BERHENTI", provider_id="u1"))
    assert channel.state == "stopped"
    assert session.scalar(select(OutboundMessage.status).where(OutboundMessage.delivery_id == 1)) == "failed"
    assert outbound.take(session, [broadcast_event([(2, "KIM-A", VILLAGE)], broadcast_id="2" * 36)]) == 0
    inbound.handle(session, Incoming("telegram", "-1001", "mulai", provider_id="u2"))
    assert channel.state == "live"


def test_an_unknown_sender_gets_the_help_and_nothing_is_kept(session):
    before = session.scalar(select(__import__("sqlalchemy").func.count()).select_from(OutboundMessage))
    answer = inbound.handle(session, Incoming("sms", "+6289999999999", "ASPIRASI tolong jalan", provider_id="m1"))
    assert isinstance(answer, Unstored) and answer.text == commands.UNKNOWN_SENDER
    assert session.scalar(select(__import__("sqlalchemy").func.count()).select_from(OutboundMessage)) == before
    assert session.scalar(select(AspirationForward)) is None


def test_provider_reports_move_a_message_forward_only(session):
    channel = linked(session, kind="whatsapp", address="+6281200000001")
    job = sent_delivery(session, channel, 1, "wamid.1")
    for status in ("read", "delivered", "sent"):
        inbound.handle(session, StatusReport("whatsapp", "wamid.1", status))
    assert session.get(OutboundMessage, job.message_id).status == "read"
    inbound.handle(session, StatusReport("whatsapp", "wamid.1", "failed", "131026 undeliverable"))
    assert session.get(OutboundMessage, job.message_id).error == "131026 undeliverable"


# --- recording what the provider answered -----------------------------------------------------

def test_retries_back_off_then_fail_and_a_failing_channel_is_paused(session):
    channel = linked(session, chat="-1001")
    outbound.take(session, [broadcast_event([(1, "KIM-A", VILLAGE)], broadcast_id="1" * 36),
                            broadcast_event([(2, "KIM-A", VILLAGE)], broadcast_id="2" * 36)])
    first, second = dispatch.lease(session, "telegram", 10, SETTINGS)[-2:]
    dispatch.record(session, first, RetryLater("HTTP 502"), SETTINGS)
    message = session.get(OutboundMessage, first.message_id)
    assert message.status == "queued" and message.attempts == 1
    dispatch.record(session, first, RetryLater("429", retry_after=7), SETTINGS)
    assert message.attempts == 1  # a provider's "wait" is no failed attempt
    for _ in range(2):
        dispatch.record(session, first, RetryLater("HTTP 502"), SETTINGS)
    assert (message.status, message.error) == ("failed", "HTTP 502")
    dispatch.record(session, second, Rejected("Forbidden: bot was kicked"), SETTINGS)
    assert (channel.state, channel.paused_reason) == ("paused", "failing: Forbidden: bot was kicked")
    assert stats.by_channel(session, "1" * 36)["telegram"]["failed"] == 1


def test_commands_in_both_languages():
    assert commands.parse("/stop@KimBot").name == "stop"
    assert commands.parse("Terima").name == "ack"
    assert commands.parse("SEBAR 1.200").reached == 1200
    assert commands.parse("relay 12 whatsapp group").how == "whatsapp_group"
    assert commands.parse("sebar banyak").name == "unknown"
    assert commands.parse("aspirasi ok").name == "unknown"  # too short to be an aspiration
    assert commands.parse("/start AB12CD34") == commands.Command("link", text="AB12CD34")
    assert commands.parse("HELP").name == "help" and commands.parse("").name == "unknown"


def test_only_a_linked_channel_is_paused_or_resumed_by_hand(session):
    from services.common.errors import InvalidTransition
    pending = subscriptions.create(session, "KIM-A", VILLAGE, "telegram", None, "k", SETTINGS)
    with pytest.raises(InvalidTransition):
        subscriptions.change(session, "KIM-A", pending["id"], "paused", SETTINGS)
    channel = linked(session, "KIM-B", chat="-1002")
    with pytest.raises(InvalidTransition):
        subscriptions.change(session, "KIM-B", channel.id, "stopped", SETTINGS)
    assert subscriptions.change(session, "KIM-B", channel.id, "paused", SETTINGS)["paused_reason"] == "office"
    assert subscriptions.change(session, "KIM-B", channel.id, "live", SETTINGS)["state"] == "live"
    channel.state = "stopped"  # the group sent BERHENTI: only its MULAI starts it again
    with pytest.raises(InvalidTransition):
        subscriptions.change(session, "KIM-B", channel.id, "live", SETTINGS)
