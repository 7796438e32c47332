"""What comes back on a channel: a group's replies (commands, see `commands`) and the providers'
reports on the messages we sent (sent, delivered, read, failed).

The gateway checks each provider's signature and puts what it received, as it received it, on the
durable queue `channels.inbound`; this service reads it here, each in one transaction with its
effects: a reply is processed once (claimed by the provider's id for it), an acknowledgement or a
relay becomes an event for the broadcast service, an aspiration waits in `aspiration_forwards` for
the intake queue, and our answer is a queued message like any other."""
import logging
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.channels import commands, events, subscriptions
from services.channels.models import (
    AspirationForward,
    Channel,
    ChannelDelivery,
    Content,
    OutboundMessage,
    ProviderMessage,
)
from services.common.events import claim_event, record_event, utcnow
from services.common.tracking import new_tracking_code
from services.common.vocabulary import LINKED_CHANNEL_STATES, SENT_MESSAGE_STATUSES

log = logging.getLogger(__name__)

ANSWERING = LINKED_CHANNEL_STATES  # a channel that answers for its group
STATUS_ORDER = {"queued": 0, "sent": 1, "delivered": 2, "read": 3}


@dataclass(frozen=True)
class Incoming:
    """A message a chat or number sent us."""
    kind: str
    sender: str  # the chat id, the phone number (E.164), the mailbox
    text: str
    provider_id: str | None = None  # the provider's id for it: a repeat is processed once
    reply_to: str | None = None  # the provider's id of our message it answers


@dataclass(frozen=True)
class StatusReport:
    """The provider's word on a message we sent."""
    kind: str
    provider_id: str  # the provider's id of our message (Kannel: our own reference)
    status: str  # sent, delivered, read, failed
    error: str | None = None
    # WhatsApp: free text failed because the 24-hour window had closed: send it again as the template
    outside_window: bool = False


@dataclass(frozen=True)
class Unstored:
    """An answer to a sender we do not know: sent, never kept."""
    kind: str
    address: str
    text: str


def handle(session: Session, item: Incoming | StatusReport) -> Unstored | None:
    if isinstance(item, StatusReport):
        record_status(session, item)
        return None
    if item.provider_id and not claim_event(session, {"id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{item.kind}:"
                                                                            f"{item.provider_id}")),
                                                      "type": "channel_inbound", "producer": item.kind}):
        return None  # the provider sent it again
    command = commands.parse(item.text)
    if command.name == "link":
        return _link(session, item, command)
    channel = session.scalar(select(Channel).where(Channel.kind == item.kind, Channel.address == item.sender,
                                                   Channel.state.in_(ANSWERING)).with_for_update())
    if channel is None:
        return Unstored(item.kind, item.sender, commands.UNKNOWN_SENDER)
    now = utcnow()
    channel.last_inbound_at = now  # WhatsApp: free text may be sent for 24 hours
    if command.name in ("unknown", "ack") and item.reply_to:
        command = commands.Command("ack")  # a reply to one of our messages acknowledges it
    reply = {"stop": _stop, "start": _start, "ack": _acknowledge, "relay": _relay, "aspiration": _aspiration,
             "help": lambda *_: commands.HELP, "unknown": lambda *_: commands.HELP}[command.name](
        session, channel, item, command)
    if reply:
        session.add(subscriptions.system_message(channel, reply, now))
    return None


def _link(session, item: Incoming, command) -> Unstored | None:
    try:
        channel = subscriptions.link(session, item.kind, item.sender, command.text)
    except subscriptions.LinkRefused as refused:
        log.info("a link code was refused on %s: %s", item.kind, refused)
        return Unstored(item.kind, item.sender, commands.LINK_REFUSED)
    channel.last_inbound_at = utcnow()
    session.add(subscriptions.system_message(channel, commands.LINKED.format(name="KIM"), utcnow()))
    return None


def _stop(session, channel: Channel, item, command) -> str:
    channel.state, channel.paused_reason, channel.updated_at = "stopped", "kim", utcnow()
    subscriptions.cancel_queued(session, channel, "stopped by the group")
    return commands.STOPPED


def _start(session, channel: Channel, item, command) -> str:
    if channel.state == "stopped":
        channel.state, channel.paused_reason, channel.failures, channel.updated_at = "live", None, 0, utcnow()
    return commands.STARTED


def _answered(session, channel: Channel, item: Incoming) -> tuple[ChannelDelivery, OutboundMessage] | None:
    """The delivery a reply is about, with our message that carried it on this channel: the message
    it quotes, else the newest one sent on this channel."""
    message = None
    if item.reply_to:
        message = session.scalar(select(OutboundMessage).join(
            ProviderMessage, ProviderMessage.message_id == OutboundMessage.id).where(
            ProviderMessage.kind == channel.kind, ProviderMessage.provider_id == item.reply_to,
            OutboundMessage.channel_id == channel.id, OutboundMessage.delivery_id.is_not(None)))
    if message is None:
        message = session.scalar(select(OutboundMessage).where(
            OutboundMessage.channel_id == channel.id, OutboundMessage.delivery_id.is_not(None),
            OutboundMessage.status.in_(SENT_MESSAGE_STATUSES)).order_by(OutboundMessage.id.desc()).limit(1))
    if message is None:
        return None
    delivery = session.get(ChannelDelivery, message.delivery_id, with_for_update=True)
    return (delivery, message) if delivery is not None else None


def _title(session, delivery: ChannelDelivery) -> str:
    content = session.get(Content, delivery.content_key)
    return content.title[:80] if content else ""


def _acknowledge(session, channel: Channel, item, command) -> str:
    answered = _answered(session, channel, item)
    if answered is None:
        return commands.NOTHING_TO_ANSWER
    delivery, message = answered
    message.acknowledged_at = message.acknowledged_at or utcnow()
    if delivery.acknowledged_on is None:
        delivery.acknowledged_on = channel.kind
        record_event(session, "channel_acknowledged", events.channel_acknowledged(delivery, channel))
    return commands.ACKNOWLEDGED.format(title=_title(session, delivery))


def _relay(session, channel: Channel, item, command) -> str:
    answered = _answered(session, channel, item)
    if answered is None:
        return commands.NOTHING_TO_ANSWER
    delivery, message = answered
    delivery.reached += command.reached
    message.reached += command.reached
    record_event(session, "channel_relay_reported",
                 events.channel_relay_reported(delivery, channel, command.reached, command.how, date.today()))
    return commands.RELAYED.format(title=_title(session, delivery), reached=command.reached)


def _aspiration(session, channel: Channel, item, command) -> str:
    code = new_tracking_code()
    # as the gateway's intake builds it (services/gateway/routes/aspirations.py new_submission): the
    # group files in its own name, in its village; the aspirations service checks it again
    submission = {"type": "aspiration_submission", "id": str(uuid.uuid4()), "tracking_code": code,
                  "submitted_at": utcnow().isoformat(), "submitted_by": f"channel:{channel.kind}",
                  "filed_by_kim": True,
                  "data": {"kind": command.kind, "category": "lainnya", "body": command.text,
                           "village_code": channel.village_code, "kim_id": channel.kim_id, "broadcast_id": None,
                           "submitter": None, "anonim": False, "rahasia": False, "publik": False,
                           "attachments": []}}
    session.add(AspirationForward(tracking_code=code, channel_id=channel.id, submission=submission,
                                  created_at=utcnow(), sent_at=None))
    return commands.ASPIRATION_RECEIVED.format(code=code)


def record_status(session: Session, report: StatusReport):
    """A provider's report moves a message forward only (a late `delivered` after `read` changes
    nothing); `failed` is final and names the provider's reason."""
    message = session.scalar(select(OutboundMessage).join(
        ProviderMessage, ProviderMessage.message_id == OutboundMessage.id).where(
        ProviderMessage.kind == report.kind, ProviderMessage.provider_id == report.provider_id).with_for_update())
    if message is None and report.kind == "sms" and report.provider_id.isdigit():
        message = session.get(OutboundMessage, int(report.provider_id), with_for_update=True)  # our reference
    if message is None:
        return
    now = utcnow()
    if report.status == "failed" and report.outside_window and message.status != "failed":
        channel = session.get(Channel, message.channel_id)
        if channel is not None:
            channel.last_inbound_at = None  # the window is closed: the next try is the template
        message.status, message.next_attempt_at, message.parts, message.error = "queued", now, 0, report.error
        return
    if report.status == "failed":
        if message.status != "failed":
            message.status, message.error, message.status_at = "failed", (report.error or "failed")[:300], now
            channel = session.get(Channel, message.channel_id)
            if channel is not None:
                channel.last_error, channel.last_error_at = message.error, now
    elif STATUS_ORDER.get(report.status, -1) > STATUS_ORDER.get(message.status, 99):
        message.status, message.status_at = report.status, now
