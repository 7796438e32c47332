"""Changing a broadcast (issue 16), by the office that wrote it or one above.

Before it is sent (a draft, or a scheduled broadcast before its time) every
field of the composing form may change. Once sent (publishing or published)
only its content: the text, the English text, the priority and the expiry;
each such change is a revision: its moment is kept (`Broadcast.revisions`), a
darurat broadcast's CAP alert becomes an Update (alerts.py) and each group
that had the broadcast gets an `update` message with the new text. A
withdrawn broadcast changes no more."""
from datetime import datetime

from sqlalchemy.orm import Session

from services.broadcast import events
from services.broadcast.broadcasts.alerts import SENT, tell_groups
from services.broadcast.broadcasts.compose import checked, load_broadcast, set_regions
from services.broadcast.broadcasts.views import broadcast_view
from services.broadcast.models import Broadcast
from services.common.errors import InvalidTransition, invalid
from services.common.events import as_utc, utcnow
from services.common.scope import Actor

FIELDS = ("title", "body", "title_en", "body_en", "category", "priority", "target", "publish_at", "expires_at")
CONTENT = ("title", "body", "title_en", "body_en", "priority", "expires_at")  # what a sent broadcast may change
TIMES = ("publish_at", "expires_at")


def _as_sent(b: Broadcast) -> dict:
    """The broadcast's fields as the composing form sends them."""
    return {field: (as_utc(getattr(b, field)).isoformat() if getattr(b, field) else None) if field in TIMES
            else getattr(b, field) for field in FIELDS}


def _stored(b: Broadcast, field: str):
    value = getattr(b, field)
    return as_utc(value) if field in TIMES and value is not None else value


def change_broadcast(session: Session, actor: Actor, broadcast_id: str, changes: dict) -> dict:
    """Only the fields in `changes` change (None empties publish_at,
    expires_at and the English text). Changing nothing is no revision."""
    b = load_broadcast(session, actor, broadcast_id, for_update=True, to_change=True)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise invalid(unknown[0], f"one of {', '.join(FIELDS)}", "Isian ini tidak dikenal.", "This field is not known.")
    if b.status == "withdrawn":
        raise InvalidTransition("Siaran yang sudah ditarik tidak dapat diubah.",
                                detail_en="A withdrawn broadcast cannot be changed.", allowed=[])
    now = utcnow()
    sent = b.status in SENT
    if sent:
        fixed = sorted(set(changes) - set(CONTENT))
        if fixed:
            raise InvalidTransition(
                f"Siaran yang sudah terkirim hanya dapat diubah isinya (judul, isi, teks bahasa Inggris, prioritas, "
                f"kedaluwarsa), bukan {', '.join(fixed)}.",
                detail_en=f"A sent broadcast changes only its content (title, body, English text, priority, "
                          f"expiry), not {', '.join(fixed)}.", allowed=list(CONTENT), fields=fixed)
        if b.expires_at is not None and as_utc(b.expires_at) <= now:
            raise InvalidTransition("Siaran ini sudah kedaluwarsa.", detail_en="This broadcast has expired.",
                                    allowed=[])
    values = checked(actor, {**_as_sent(b), **changes}, now)
    if sent and changes.get("expires_at") is not None and values["expires_at"] <= now:
        # a sent broadcast's publish_at may lie behind: a new expiry is ahead of now (withdraw to end it)
        raise invalid("expires_at", "after now", "Kedaluwarsa harus setelah saat ini.", "expires_at must be ahead.")
    changed = {field: value for field, value in values.items() if _stored(b, field) != value}
    if not changed:
        return broadcast_view(b)
    for field, value in changed.items():
        setattr(b, field, value)
    if "target" in changed:
        set_regions(session, b)
    if b.status == "scheduled" and "publish_at" in changed:
        _reschedule(b, now)
    if sent:
        _revise(session, b, now)
    return broadcast_view(b)


def _reschedule(b: Broadcast, now: datetime):
    """A scheduled broadcast whose time moved: still ahead, it waits for it;
    no longer ahead (or none), it is published now, as `publish` would."""
    if b.publish_at is not None and as_utc(b.publish_at) > now:
        b.published_at = b.publish_at
    else:
        b.status, b.published_at = "publishing", now


def _revise(session: Session, b: Broadcast, now: datetime):
    """A change to a sent broadcast: a revision, and an `update` to the groups that had it."""
    b.revisions = [*(b.revisions or []), now.isoformat()]  # a new list: the JSON column sees the change
    message = {"broadcast_id": b.id, "title": b.title, "body": b.body, "title_en": b.title_en,
               "body_en": b.body_en, "priority": b.priority, "revision": len(b.revisions)}
    tell_groups(session, b, "update", message, now, events.update_deliveries_created)
