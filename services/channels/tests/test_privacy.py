"""The channels' addresses under UU 27/2022 (issue 16), on both databases: the
consent recorded with each address, what an office finds for a person, and
the erasure a person asked for (the channel stops, nothing more is sent to
the forgotten address, the texts it forwarded are forgotten once sent)."""
import json
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from services.broadcast import events as broadcast_events
from services.broadcast.models import Broadcast
from services.channels import dispatch, forward, inbound, outbound, privacy, subscriptions
from services.channels.inbound import Incoming, Unstored
from services.channels.models import AspirationForward, Channel, ConsentRecord, OutboundMessage, ProviderMessage
from services.channels.providers import Sent
from services.channels.service import ChannelsService
from services.channels.settings import ChannelsSettings
from services.common.contracts import DeliveriesCreated, HeldRecord, PersonalDataErasureRequested
from services.common.db import outbox
from services.common.errors import InvalidInput, OutOfScope
from services.common.events import make_envelope
from services.common.privacy import current_notice
from services.common.scope import Actor
from services.common.testing import migrated_session, received

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
SETTINGS = ChannelsSettings()
VILLAGE = "14.71.01.1002"
OTHER_REGENCY_VILLAGE = "14.72.01.1003"
ADMIN = Actor("admin", key_id="a1")
PHONE, EMAIL = "+6281234567890", "Warga.Satu@Contoh.ID"
CANARIES = (PHONE, "81234567890", "Warga.Satu", "warga.satu", "-100777")


@pytest.fixture
def session(databases):
    with migrated_session(databases, "channels", MIGRATIONS) as session:
        yield session


def create(session, kim_id, kind, address=None, created_by="operator:k1", village=VILLAGE, **data) -> dict:
    """As the gateway asks: the service's RPC, with the form's notice version in the data."""
    return ChannelsService.create_channel(SimpleNamespace(db=session, settings=SETTINGS), kim_id, village,
                                          {"kind": kind, "address": address, **data}, created_by)


def link(session, made: dict, chat: str | None = None) -> Channel:
    if made["kind"] == "email":
        return subscriptions.link(session, "email", None, made["link_code"])
    return subscriptions.link(session, made["kind"], chat or made["address"], made["link_code"])


def consents(session) -> dict[str, ConsentRecord]:
    return {row.record: row for row in session.scalars(select(ConsentRecord))}


def broadcast_event(deliveries, broadcast_id):
    broadcast = Broadcast(id=broadcast_id, title="Vaksinasi", body="Vaksinasi gratis Sabtu ini.",
                          category="pengumuman", priority="normal")
    return received("broadcast", broadcast_events.broadcast_deliveries_created(broadcast, deliveries),
                    DeliveriesCreated)


# --- consent ------------------------------------------------------------------------------

def test_an_address_is_recorded_with_its_consent_and_a_telegram_chat_gives_its_own(session):
    sms = create(session, "KIM-A", "sms", "0812 3456 7890", consent_version="2026-11")
    email = create(session, "KIM-B", "email", EMAIL, created_by="kim:g1")
    telegram = create(session, "KIM-C", "telegram")
    rows = consents(session)
    assert set(rows) == {f"channel:{sms['id']}", f"channel:{email['id']}"}  # no chat known yet
    given = rows[f"channel:{sms['id']}"]
    assert (given.purpose, given.notice_version, given.basis, given.fields, given.given_by) == (
        "channel_address", "2026-11", "persetujuan", ["address"], "operator:k1")
    assert rows[f"channel:{email['id']}"].given_by == "kim:g1"
    link(session, telegram, chat="-100777")
    chat = consents(session)[f"channel:{telegram['id']}"]
    assert (chat.fields, chat.given_by, chat.notice_version) == (
        ["address"], "telegram", current_notice("channel_address").version)
    with pytest.raises(InvalidInput):
        create(session, "KIM-D", "sms", "081299990000", consent_version="1999-01")
    assert session.scalar(select(func.count()).select_from(Channel).where(Channel.kim_id == "KIM-D")) == 0


# --- search ---------------------------------------------------------------------------------

@pytest.fixture
def addresses(session):
    made = SimpleNamespace(
        whatsapp=create(session, "KIM-A", "whatsapp", "+62 812-3456-7890"),
        sms=create(session, "KIM-B", "sms", "081234567890"),
        elsewhere=create(session, "KIM-C", "sms", "6281234567890", village=OTHER_REGENCY_VILLAGE),
        email=create(session, "KIM-A", "email", EMAIL),
        other=create(session, "KIM-D", "sms", "081299990000"),
        telegram=create(session, "KIM-E", "telegram"))
    link(session, made.whatsapp)
    link(session, made.telegram, chat="6281234567890")  # a chat id with a phone's digits is no phone
    return made


def found(session, actor, identifier) -> list[str]:
    return sorted(item["id"] for item in privacy.search(session, actor, identifier)["items"])


def test_an_office_finds_a_number_in_any_spelling_and_an_email_in_any_case(session, addresses):
    phones = sorted(m["id"] for m in (addresses.whatsapp, addresses.sms, addresses.elsewhere))
    for spelling in ("+62 812-3456-7890", "081234567890", "6281234567890", "0812 3456 7890"):
        assert found(session, ADMIN, {"phone": spelling}) == phones, spelling
    for spelling in (EMAIL, EMAIL.lower(), EMAIL.upper()):
        assert found(session, ADMIN, {"email": spelling}) == [addresses.email["id"]]
    item = next(i for i in privacy.search(session, ADMIN, {"phone": "081234567890"})["items"]
                if i["id"] == addresses.whatsapp["id"])
    assert (item["service"], item["kind"], item["personal"]) == ("channels", "channel", {"address": PHONE})
    facts = item["facts"]
    assert (facts["channel_id"], facts["kim_id"], facts["kind"], facts["state"]) == (
        addresses.whatsapp["id"], "KIM-A", "whatsapp", "live")
    assert facts["created_at"] and facts["linked_at"]
    assert [(c["purpose"], c["fields"], c["given_by"]) for c in item["consents"]] == [
        ("channel_address", ["address"], "operator:k1")]


def test_an_operator_finds_only_its_region_and_a_group_nothing(session, addresses):
    assert found(session, Actor("operator", "14.71", key_id="o1"), {"phone": PHONE}) == sorted(
        [addresses.whatsapp["id"], addresses.sms["id"]])
    assert found(session, Actor("operator", "14.72", key_id="o2"), {"phone": PHONE}) == [addresses.elsewhere["id"]]
    with pytest.raises(OutOfScope):
        privacy.search(session, Actor("kim", kim_id="KIM-A", key_id="g1"), {"phone": PHONE})
    with pytest.raises(InvalidInput):
        privacy.search(session, ADMIN, {"email": "no address"})


# --- erasure --------------------------------------------------------------------------------

def erasure_requested(erasure_id: str, *records: tuple[str, str, str]) -> dict:
    payload = PersonalDataErasureRequested(erasure_id=erasure_id, records=[
        HeldRecord(service=service, kind=kind, id=record_id) for service, kind, record_id in records])
    return json.loads(json.dumps(make_envelope("registry", payload.TYPE, payload.wire(), payload.VERSION)))


def handle(session, envelope: dict):
    ChannelsService.on_personal_data_erasure_requested(SimpleNamespace(db=session), envelope)


class Publisher:
    """The intake queue's publisher: what was published, by body."""

    def __init__(self):
        self.bodies: list[dict] = []

    def declare_queue(self, *args, **kwargs):
        pass

    def publish(self, messages):
        self.bodies += [json.loads(message.body) for message in messages]


def answers(session) -> list[str]:
    return [row.envelope for row in session.execute(select(outbox).where(outbox.c.event_type == "personal_data_erased"))]


def test_an_erased_channel_stops_and_is_sent_nothing_more_and_its_sent_texts_are_forgotten(session, caplog):
    caplog.set_level(logging.DEBUG)
    whatsapp = link(session, create(session, "KIM-A", "whatsapp", PHONE))
    email = create(session, "KIM-A", "email", EMAIL)  # pending: its confirmation waits to be sent
    telegram = link(session, create(session, "KIM-B", "telegram"), chat="-100777")
    kept = link(session, create(session, "KIM-C", "sms", "081299990000"))
    publisher = Publisher()
    inbound.handle(session, Incoming("whatsapp", PHONE, "LAPOR Jalan di RT 03 berlubang", provider_id="w1"))
    assert forward.forward(session, publisher, "classic") == 1
    inbound.handle(session, Incoming("whatsapp", PHONE, "LAPOR Lampu jalan mati", provider_id="w2"))  # not sent yet
    outbound.take(session, [broadcast_event([(1, "KIM-A", VILLAGE), (2, "KIM-B", VILLAGE), (3, "KIM-C", VILLAGE)],
                                            "1" * 36)])
    telegram_job = next(j for j in dispatch.lease(session, "telegram", 10, SETTINGS) if j.channel_id == telegram.id)
    dispatch.record(session, telegram_job, Sent(provider_ids=["55"]), SETTINGS)
    outbound.take(session, [broadcast_event([(4, "KIM-B", VILLAGE)], "2" * 36)])  # queued for the chat

    request = erasure_requested("e" * 32, ("channels", "channel", whatsapp.id), ("channels", "channel", email["id"]),
                                ("channels", "channel", telegram.id), ("aspirations", "aspiration", "a1"))
    handle(session, request)
    handle(session, request)  # delivered again: claimed already, nothing more

    for channel in (whatsapp, session.get(Channel, email["id"]), telegram):
        assert (channel.address, channel.state, channel.paused_reason) == (None, "stopped", "erased")
        assert (channel.link_code_hash, channel.link_expires_at, channel.unsubscribe_token) == (None, None, None)
        assert session.scalar(select(func.count()).select_from(OutboundMessage).where(
            OutboundMessage.channel_id == channel.id, OutboundMessage.status == "queued")) == 0
    assert {m.error for m in session.scalars(select(OutboundMessage).where(
        OutboundMessage.channel_id.in_([whatsapp.id, email["id"], telegram.id]), OutboundMessage.status == "failed"))
    } == {"erased"}
    # nothing is leased for them; the untouched channel still gets its message
    leased = [job for kind in ("whatsapp", "email", "telegram", "sms") for job in dispatch.lease(session, kind, 50, SETTINGS)]
    assert {job.channel_id for job in leased} == {kept.id}
    assert session.scalar(select(func.count()).select_from(ProviderMessage).where(
        ProviderMessage.kind == "telegram")) == 0  # Telegram's ids name the chat
    assert (kept.address, kept.state) == ("+6281299990000", "live")
    # the forwarded text is forgotten; the waiting one still goes, then is forgotten too
    forwards = {f.sent_at is not None: f for f in session.scalars(select(AspirationForward))}
    assert forwards[True].submission == {}
    assert forwards[False].submission["data"]["body"] == "Lampu jalan mati"
    assert forward.forward(session, publisher, "classic") == 1
    assert publisher.bodies[-1]["data"]["body"] == "Lampu jalan mati"
    assert session.scalar(select(AspirationForward.submission).where(
        AspirationForward.tracking_code == forwards[False].tracking_code)) == {}
    # a new delivery queues nothing; the old number is a stranger; the consent records stay
    assert outbound.take(session, [broadcast_event([(5, "KIM-A", VILLAGE)], "3" * 36)]) == 0
    assert isinstance(inbound.handle(session, Incoming("whatsapp", PHONE, "MULAI", provider_id="w3")), Unstored)
    assert whatsapp.state == "stopped"
    assert len(consents(session)) == 4
    assert found(session, ADMIN, {"phone": PHONE}) == []
    assert found(session, ADMIN, {"email": EMAIL}) == []

    recorded = answers(session)
    assert len(recorded) == 1
    assert json.loads(recorded[0])["data"] == {"erasure_id": "e" * 32, "service": "channels", "records": 3}
    assert not any(canary in recorded[0] for canary in CANARIES)
    # again, by another request: answered with 0; a request naming nothing of ours is not answered
    handle(session, erasure_requested("f" * 32, ("channels", "channel", whatsapp.id)))
    handle(session, erasure_requested("0" * 32, ("registry", "member", "8")))
    assert sorted((json.loads(e)["data"]["erasure_id"], json.loads(e)["data"]["records"]) for e in answers(session)) \
        == [("e" * 32, 3), ("f" * 32, 0)]
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert not any(canary in logged for canary in CANARIES)
