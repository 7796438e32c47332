"""The channels' addresses under UU 27/2022 (PDP): what an office finds for a
person (search, for the export and the erasure request) and erasing the
channels an erasure request names.

An erased channel keeps its row and its non-personal facts (the figures of
what it carried do not change): its address is forgotten, it is stopped
(`paused_reason` "erased") with no link code or unsubscribe token left, and
what was queued for it fails, so nothing more goes to the forgotten address.
The consent records stay (they hold no personal data). Logs and events carry
counts and ids only.
"""
import logging

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.channels.models import AspirationForward, Channel, ConsentRecord, OutboundMessage, ProviderMessage
from services.channels.subscriptions import ERASED, REMOVED, cancel_queued
from services.common.contracts import HeldRecord, PersonalDataErased
from services.common.events import as_utc, record_event, utcnow
from services.common.privacy import compact, consents_of, held_record, identifier_key, phone_variants
from services.common.scope import Actor, require_office

log = logging.getLogger(__name__)

SERVICE = "channels"
KIND = "channel"
PHONE_KINDS = ("whatsapp", "sms")  # a Telegram chat id is no phone number, whatever its digits


def _iso(moment):
    return as_utc(moment).isoformat() if moment is not None else None


def _record(channel_id: str) -> str:
    return f"channel:{channel_id}"


# --- search ----------------------------------------------------------------------------

def search(session: Session, actor: Actor, identifier: dict) -> dict:
    """The channels at this phone number (kept in E.164: compared by its national digits) or e-mail
    address (any case), of the groups in the office's scope; an erased channel has no address left."""
    require_office(actor)
    kind, key = identifier_key(identifier)
    query = select(Channel).where(Channel.address.is_not(None), Channel.state != REMOVED,
                                  Channel.paused_reason.is_distinct_from(ERASED))
    if kind == "phone":
        query = query.where(Channel.kind.in_(PHONE_KINDS), compact(Channel.address).in_(phone_variants(key)))
    else:
        query = query.where(Channel.kind == "email", func.lower(Channel.address) == key)
    root = actor.scope_region
    if root is not None:
        query = query.where((Channel.village_code == root) | Channel.village_code.like(root + ".%"))
    found = [c for c in session.scalars(query.order_by(Channel.created_at, Channel.id))
             if actor.covers(c.village_code)]
    consents = consents_of(session, ConsentRecord, [_record(c.id) for c in found])
    return {"items": [held_record(SERVICE, KIND, c.id, {"address": c.address}, _facts(c),
                                  consents.get(_record(c.id))) for c in found]}


def _facts(c: Channel) -> dict:
    return {"channel_id": c.id, "kim_id": c.kim_id, "kind": c.kind, "state": c.state,
            "village_code": c.village_code, "created_at": _iso(c.created_at), "linked_at": _iso(c.linked_at)}


# --- erasure ---------------------------------------------------------------------------

def erase(session: Session, erasure_id: str, records: list[HeldRecord]) -> int:
    """Erase the channels an erasure request names (its other services' records are theirs) and answer
    with `personal_data_erased`, also when none was left to erase, so the registry can mark this
    service's share done. The caller claimed the event: a repeat never comes here."""
    if not any(r.service == SERVICE for r in records):
        return 0  # the request names nothing of this service: the registry waits for no answer from it
    ids = sorted({r.id for r in records if r.service == SERVICE and r.kind == KIND})
    erased = 0
    if ids:
        for channel in session.scalars(select(Channel).where(Channel.id.in_(ids)).with_for_update()):
            if channel.paused_reason != ERASED:
                _erase_channel(session, channel)
                erased += 1
    record_event(session, "personal_data_erased",
                 PersonalDataErased(erasure_id=erasure_id, service=SERVICE, records=erased))
    log.info("erasure %s: %d channels erased of %d named", erasure_id, erased, len(ids))
    return erased


def _erase_channel(session: Session, channel: Channel):
    now = utcnow()
    if channel.state != REMOVED:  # a removed one stays hidden
        channel.state = "stopped"
    channel.address, channel.paused_reason, channel.updated_at = None, ERASED, now
    channel.link_code_hash = channel.link_expires_at = channel.unsubscribe_token = None
    cancel_queued(session, channel, ERASED)  # nothing more goes to the forgotten address
    sent = select(OutboundMessage.id).where(OutboundMessage.channel_id == channel.id)
    if channel.kind == "telegram":
        # Telegram's message ids are kept with the chat id (dispatch.provider_key)
        session.execute(delete(ProviderMessage).where(ProviderMessage.message_id.in_(sent)))
    # The texts the group sent are forgotten once they reached the intake queue (the aspirations
    # service holds them from then on, under its own erasure). One not sent yet keeps going: the
    # group's aspiration must still arrive; forward.forward empties it once sent.
    session.execute(update(AspirationForward).where(AspirationForward.channel_id == channel.id,
                                                    AspirationForward.sent_at.is_not(None))
                    .values(submission={}))
