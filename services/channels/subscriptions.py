"""A group's channels: linking one with a one-time code, pausing, resuming, removing, and what the
console and the portal show of them.

A code is shown once (to the office or the group that asked for the channel) and must come back
through the channel itself: posted in the Telegram chat where the bot was added, sent from the
WhatsApp or SMS number, or opened from the e-mail sent to the address. It is valid for
`KIM_CHANNEL_LINK_MINUTES` and works once; only its hash is kept. So nobody can point a group's
messages at another chat, number or mailbox without the code, and a code links only the channel
it was made for."""
import hashlib
import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.channels import addresses
from services.channels.models import Channel, ConsentRecord, OutboundMessage
from services.common.errors import Conflict, InvalidTransition, NotFound, invalid
from services.common.events import as_utc, utcnow
from services.common.privacy import consent_row, notice
from services.common.vocabulary import CHANNEL_KINDS, LINKED_CHANNEL_STATES

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed on a phone
CODE_LENGTH = 8
REMOVED = "removed"  # kept for the figures of what it carried, shown nowhere
ERASED = "erased"  # the paused_reason of a channel erased on a person's request (services/channels/privacy.py)
ADDRESS_PURPOSE = "channel_address"

HOW_TO_LINK = {
    "telegram": ("Tambahkan bot platform ke grup Telegram KIM, lalu kirim di grup itu: /link {code}",
                 "Add the platform's bot to the group's Telegram chat, then send there: /link {code}"),
    "whatsapp": ("Kirim pesan WhatsApp dari nomor ini ke nomor platform: DAFTAR {code}",
                 "Send a WhatsApp message from this number to the platform's number: DAFTAR {code}"),
    "sms": ("Kirim SMS dari nomor ini ke nomor platform: DAFTAR {code}",
            "Send a text message from this number to the platform's number: DAFTAR {code}"),
    "email": ("Buka tautan di e-mail yang baru dikirim ke alamat ini.",
              "Open the link in the e-mail just sent to this address."),
}


def hash_code(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_address(kind: str, address: str | None) -> str | None:
    if kind not in CHANNEL_KINDS:
        raise invalid("kind", f"one of {', '.join(CHANNEL_KINDS)}", "Jenis saluran tidak dikenal.",
                      "Unknown channel kind.")
    if kind == "telegram":
        if address:
            raise invalid("address", "none for telegram: the chat is known when the code is posted in it",
                          "Saluran Telegram tidak memakai alamat: kode dikirim di grupnya.",
                          "A Telegram channel has no address: the code is posted in its chat.")
        return None
    try:
        return addresses.email(address or "") if kind == "email" else addresses.phone(address or "")
    except ValueError:
        what = ("an e-mail address", "alamat e-mail") if kind == "email" else ("a phone number", "nomor telepon")
        raise invalid("address", what[0], f"Alamat harus {what[1]}.", f"The address must be {what[0]}.") from None


def create(session: Session, kim_id: str, village_code: str, kind: str, address: str | None, created_by: str,
           settings, consent_version: str | None = None) -> dict:
    """A new channel waiting for its code; the answer is the only place the code is shown.
    `consent_version`: the privacy notice the caller's form showed (None: the current one); the consent
    to an address given is recorded with it (a Telegram chat's, once it links itself)."""
    address = check_address(kind, address)
    notice(ADDRESS_PURPOSE, consent_version)  # an unknown version is refused before anything is made
    if address is not None:
        existing = session.scalar(select(Channel).where(Channel.kim_id == kim_id, Channel.kind == kind,
                                                        Channel.address == address, Channel.state != REMOVED))
        if existing is not None:
            raise Conflict("Saluran ini sudah ada untuk KIM ini.", detail_en="The group already has this channel.",
                           existing_id=existing.id)
    now = utcnow()
    code = new_code()
    channel = Channel(id=uuid.uuid4().hex, kim_id=kim_id, village_code=village_code, kind=kind, address=address,
                      state="pending", link_code_hash=hash_code(code),
                      link_expires_at=now + timedelta(minutes=settings.link_code_minutes),
                      unsubscribe_token=secrets.token_urlsafe(24) if kind == "email" else None,
                      failures=0, created_by=created_by, created_at=now, updated_at=now)
    session.add(channel)
    _consent(session, channel, consent_version, created_by, now)
    if kind == "email":
        link = f"{settings.public_url.rstrip('/')}/channels/email/confirm?code={code}"
        session.add(system_message(channel, CONFIRM_EMAIL.format(link=link), now))
    session.flush()
    indonesian, english = HOW_TO_LINK[kind]
    return {**view(channel, settings), "link_code": code, "link_expires_at": channel.link_expires_at.isoformat(),
            "how_to_link": {"id": indonesian.format(code=code), "en": english.format(code=code)}}


def _consent(session: Session, channel: Channel, version: str | None, given_by: str, now):
    """The consent to the channel's address, when it has one (a Telegram chat's comes with its link)."""
    consent = consent_row(ConsentRecord, f"channel:{channel.id}", ADDRESS_PURPOSE, version,
                          ["address"] if channel.address else [], given_by, now)
    if consent is not None:
        session.add(consent)


CONFIRM_EMAIL = ("Alamat e-mail ini didaftarkan untuk menerima informasi pemerintah bagi sebuah Kelompok "
                 "Informasi Masyarakat (KIM). Untuk menyetujui, buka tautan berikut:\n{link}\n\n"
                 "Jika Anda tidak memintanya, abaikan e-mail ini.\n\n"
                 "(English: this address was registered to receive government information for a community "
                 "information group. Open the link to agree, or ignore this message.)")


def system_message(channel: Channel, text: str, now, rank: int = 1) -> OutboundMessage:
    """A message of ours with no delivery (a code's confirmation, a tracking code, the help): sent
    whatever the channel's state."""
    return OutboundMessage(channel_id=channel.id, kind=channel.kind, delivery_id=None, content_key=None, text=text,
                           rank=rank, status="queued", attempts=0, next_attempt_at=now, parts=0, reached=0,
                           created_at=now)


class LinkRefused(Exception):
    """The code does not link this channel: `reason` for the sender (Indonesian), no detail of why."""


def link(session: Session, kind: str, address: str, code: str) -> Channel:
    """The code came back through a channel of `kind` from `address` (a chat id, a number, the
    mailbox that opened the link): the channel it was made for becomes live there."""
    now = utcnow()
    channel = session.scalar(select(Channel).where(Channel.link_code_hash == hash_code(code))
                             .with_for_update())
    if channel is None or channel.state != "pending" or channel.kind != kind:
        raise LinkRefused("unknown")
    if as_utc(channel.link_expires_at) <= now:
        raise LinkRefused("expired")
    if kind == "telegram":
        taken = session.scalar(select(func.count()).select_from(Channel).where(
            Channel.kind == "telegram", Channel.address == address, Channel.state.in_(LINKED_CHANNEL_STATES),
            Channel.kim_id != channel.kim_id))
        if taken:
            raise LinkRefused("taken")  # one chat is one group's: replies in it must name one group
        channel.address = address
        # the chat itself posted the code: it gave its id to be sent to
        _consent(session, channel, None, "telegram", now)
    elif kind != "email" and channel.address != address:
        # sent from another number than the one the office gave (an e-mail's code comes back by the
        # link in the mail sent to its address)
        raise LinkRefused("elsewhere")
    channel.state, channel.linked_at, channel.updated_at = "live", now, now
    channel.link_code_hash = None  # once
    return channel


def load(session: Session, kim_id: str, channel_id: str, lock: bool = False) -> Channel:
    channel = session.get(Channel, channel_id, with_for_update=lock) if isinstance(channel_id, str) else None
    if channel is None or channel.kim_id != kim_id or channel.state == REMOVED:
        raise NotFound("Saluran tidak ditemukan.", detail_en="No such channel.")
    return channel


def list_for(session: Session, kim_id: str, settings) -> list[dict]:
    channels = session.scalars(select(Channel).where(Channel.kim_id == kim_id, Channel.state != REMOVED)
                               .order_by(Channel.created_at)).all()
    return [view(channel, settings) for channel in channels]


def change(session: Session, kim_id: str, channel_id: str, state: str, settings) -> dict:
    """pause or resume (state `paused` or `live`); a pending channel is linked by its code only."""
    channel = load(session, kim_id, channel_id, lock=True)
    if state not in ("paused", "live"):
        raise InvalidTransition("Status ini tidak diubah dengan tangan: hanya 'paused' atau 'live'.",
                                detail_en="Only 'paused' or 'live' is set by hand.", allowed=["paused", "live"])
    if channel.state in ("pending", "stopped"):
        raise InvalidTransition("Saluran belum ditautkan dengan kodenya." if channel.state == "pending" else
                                "KIM menghentikan saluran ini (BERHENTI); KIM menyalakannya lagi dengan MULAI.",
                                detail_en="The channel is not linked yet." if channel.state == "pending" else
                                "The group stopped this channel; it sends MULAI to start it again.", allowed=[])
    if channel.state != state:
        channel.state = state
        channel.paused_reason = "office" if state == "paused" else None
        channel.failures = 0 if state == "live" else channel.failures
        channel.updated_at = utcnow()
    return view(channel, settings)


def remove(session: Session, kim_id: str, channel_id: str):
    """The channel sends nothing more and is shown nowhere; its address is forgotten."""
    channel = load(session, kim_id, channel_id, lock=True)
    channel.state, channel.address, channel.link_code_hash = REMOVED, None, None
    channel.unsubscribe_token, channel.updated_at = None, utcnow()
    cancel_queued(session, channel, "removed")


def unsubscribe(session: Session, token: str) -> dict:
    """The mailbox's one-click unsubscribe (List-Unsubscribe): the channel stops, as BERHENTI does."""
    channel = session.scalar(select(Channel).where(Channel.unsubscribe_token == token).with_for_update()) \
        if isinstance(token, str) and token else None
    if channel is None or channel.state == REMOVED:
        raise NotFound("Tautan berhenti berlangganan tidak berlaku.", detail_en="The unsubscribe link is not valid.")
    if channel.state != "stopped":
        channel.state, channel.paused_reason, channel.updated_at = "stopped", "kim", utcnow()
        cancel_queued(session, channel, "stopped by the group")
    return {"state": channel.state}


def cancel_queued(session: Session, channel: Channel, reason: str):
    for message in session.scalars(select(OutboundMessage).where(OutboundMessage.channel_id == channel.id,
                                                                  OutboundMessage.status == "queued")):
        message.status, message.error, message.status_at = "failed", reason, utcnow()


def view(channel: Channel, settings) -> dict:
    from services.channels.providers import off_reason
    off = off_reason(channel.kind, settings)
    return {"id": channel.id, "kim_id": channel.kim_id, "kind": channel.kind, "address": channel.address,
            "state": channel.state, "paused_reason": channel.paused_reason, "last_error": channel.last_error,
            "last_error_at": channel.last_error_at and as_utc(channel.last_error_at).isoformat(),
            "created_at": as_utc(channel.created_at).isoformat(),
            "linked_at": channel.linked_at and as_utc(channel.linked_at).isoformat(),
            "provider": {"on": off is None, "reason": off}}
