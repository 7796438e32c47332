"""A group's life: its status (active, vakum, dissolved) and the moves
between them, the history of those moves, and dormancy (an active group
without activity for long becomes vakum)."""
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.errors import InvalidTransition, invalid
from services.common.events import record_event, utcnow
from services.common.scope import Actor, require_kim
from services.common.vocabulary import KIM_STATUSES
from services.registry import coverage, events
from services.registry.kims.groups import full_view, load_kim, with_region_names
from services.registry.models import Kim, StatusChange

STATUSES = KIM_STATUSES
# from -> to: a dissolved group stays dissolved (a re-founded one registers anew)
TRANSITIONS = {"active": ("vakum", "dissolved"), "vakum": ("active", "dissolved"), "dissolved": ()}


def set_status(session: Session, kim: Kim, new: str, reason: str, actor_label: str):
    """The one place a status changes: history, counters, version, events."""
    old = kim.status
    if new not in TRANSITIONS[old]:
        raise InvalidTransition(
            f"Status {old} tidak dapat menjadi {new}.", detail_en=f"Status {old} cannot become {new}.",
            allowed=list(TRANSITIONS[old]))
    now = utcnow()
    kim.status, kim.status_reason = new, reason
    kim.version += 1
    kim.updated_at = now
    session.add(StatusChange(kim_id=kim.id, old=old, new=new, reason=reason, actor=actor_label, changed_at=now))
    coverage.apply(session, [(kim.village_code, old, new)])
    session.flush()
    record_event(session, "kim_status_changed", events.kim_status_changed(kim, old, new, reason))


def change_status(session: Session, actor: Actor, kim_id: str, new: str, reason: str) -> dict:
    kim = load_kim(session, kim_id, for_update=True)
    require_kim(actor, kim)
    if new not in STATUSES:
        raise invalid("status", f"one of {', '.join(STATUSES)}", "Status tidak dikenal.", "Unknown status.")
    if new == "dissolved" and not actor.is_office:
        raise InvalidTransition("Pembubaran dicatat oleh kantor Diskominfo.",
                                detail_en="Dissolution is recorded by the Diskominfo office.",
                                allowed=[s for s in TRANSITIONS[kim.status] if s != "dissolved"])
    set_status(session, kim, new, reason, actor.label)
    return with_region_names(session, [full_view(kim)])[0]


def status_history(session: Session, actor: Actor, kim_id: str) -> dict:
    kim = load_kim(session, kim_id)
    require_kim(actor, kim)
    changes = session.scalars(select(StatusChange).where(StatusChange.kim_id == kim.id)
                              .order_by(StatusChange.id)).all()
    return {"kim_id": kim.id, "status": kim.status, "version": kim.version, "history": [
        {"old": c.old, "new": c.new, "reason": c.reason, "actor": c.actor, "changed_at": c.changed_at.isoformat()}
        for c in changes]}


def mark_dormant(session: Session, on: date, after_days: int, limit: int = 5000) -> list[str]:
    """Active groups with no activity for `after_days` become vakum."""
    cutoff = on - timedelta(days=after_days)
    kims = session.scalars(select(Kim).where(Kim.status == "active", Kim.last_activity_on < cutoff)
                           .order_by(Kim.id).limit(limit).with_for_update(skip_locked=True)).all()
    for kim in kims:
        set_status(session, kim, "vakum", f"tidak ada kegiatan selama {after_days} hari", "system:vakum-timer")
    return [k.id for k in kims]
