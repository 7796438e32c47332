"""What the gateway put on `channels.inbound`, as each provider sent it, read into `Incoming`
messages and `StatusReport`s (services/channels/inbound.py) with the provider modules' parsers."""
import logging

from services.channels.inbound import Incoming, StatusReport
from services.channels.providers import sms, telegram, whatsapp

log = logging.getLogger(__name__)


def read(received: dict, settings) -> list[Incoming | StatusReport]:
    kind, what, payload = received.get("kind"), received.get("what"), received.get("payload") or {}
    try:
        if kind == "telegram":
            return _telegram(payload)
        if kind == "whatsapp":
            return _whatsapp(payload)
        if kind == "sms" and what == "mo":
            sender, text = sms.parse_mo(payload)
            return [Incoming("sms", sender, text, provider_id=payload.get("id") or received.get("id"))]
        if kind == "sms" and what == "dlr":
            reference, status = sms.parse_dlr(payload)
            return [StatusReport("sms", reference, status)] if reference else []
    except (ValueError, KeyError, TypeError) as error:
        # not what the provider sends: nothing to do (the type only: the payload is personal)
        log.warning("an inbound %s %s could not be read: %s", kind, what, type(error).__name__)
        return []
    log.warning("an inbound message of unknown kind %s/%s was dropped", kind, what)
    return []


def _telegram(update: dict) -> list[Incoming | StatusReport]:
    found = telegram.parse_update(update)
    if found is None or found.edited or found.sender == "bot":
        return []  # an edit is no new command; bots (ours too) are not groups
    reply_to = f"{found.chat_id}:{found.reply_to_message_id}" if found.reply_to_message_id else None
    return [Incoming("telegram", str(found.chat_id), found.text, provider_id=str(found.update_id),
                     reply_to=reply_to)]


def _whatsapp(payload: dict) -> list[Incoming | StatusReport]:
    messages, statuses = whatsapp.parse_webhook(payload)
    items: list[Incoming | StatusReport] = [
        Incoming("whatsapp", whatsapp_number(m.from_number), m.text or "", provider_id=m.message_id,
                 reply_to=m.context_id) for m in messages]
    items += [StatusReport("whatsapp", s.message_id, s.status,
                           f"{s.error_code} {s.error_title or ''}".strip() if s.error_code else None,
                           outside_window=s.error_code == whatsapp.OUTSIDE_WINDOW)
              for s in statuses]
    return items


def whatsapp_number(wa_id: str) -> str:
    return wa_id if wa_id.startswith("+") else "+" + wa_id
