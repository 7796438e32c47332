"""A group's members (officers one each) and the activities it reports;
reporting one revives a vakum group. A member's name and phone are personal
data (issue 16): adding one records the consent it was given under, and
removing one only marks it removed (services/registry/privacy.py erases it
when the retention period has passed)."""
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.errors import Conflict, InvalidTransition, NotFound, invalid
from services.common.events import record_event, utcnow
from services.common.privacy import consent_row
from services.common.scope import Actor, require_kim
from services.common.vocabulary import ACTIVITY_KINDS, MEMBER_ROLES
from services.registry import events
from services.registry.kims.groups import load_kim, today
from services.registry.kims.life import set_status
from services.registry.models import Activity, ConsentRecord, Member

OFFICERS = ("ketua", "sekretaris", "bendahara")  # one each per group


def member_view(member: Member) -> dict:
    return {"id": member.id, "kim_id": member.kim_id, "name": member.name, "role": member.role,
            "phone": member.phone, "created_at": member.created_at.isoformat()}


def current(query):
    """Only the members still in their group: a removed one counts nowhere."""
    return query.where(Member.removed_at.is_(None))


def add_member(session: Session, actor: Actor, kim_id: str, data: dict) -> dict:
    data = dict(data)
    consent_version = data.pop("consent_version", None)  # the privacy notice the form showed
    kim = load_kim(session, kim_id, for_update=True)
    require_kim(actor, kim)
    if data["role"] not in MEMBER_ROLES:
        raise invalid("role", f"one of {', '.join(MEMBER_ROLES)}", "Peran anggota tidak dikenal.",
                      "Unknown member role.")
    if data["role"] in OFFICERS:
        holder = session.scalar(current(select(Member).where(Member.kim_id == kim.id, Member.role == data["role"])))
        if holder:
            raise Conflict(f"KIM ini sudah punya {data['role']}: {holder.name}.",
                           detail_en=f"This KIM already has a {data['role']}: {holder.name}.",
                           existing_id=holder.id)
    now = utcnow()
    member = Member(id=str(uuid.uuid4()), kim_id=kim.id, name=data["name"], role=data["role"],
                    phone=data.get("phone"), created_at=now)
    session.add(member)
    given = ["name"] + (["phone"] if member.phone else [])
    session.add(consent_row(ConsentRecord, f"member:{member.id}", "member_contact", consent_version, given,
                            actor.label, now))
    session.flush()
    return member_view(member)


def list_members(session: Session, actor: Actor, kim_id: str) -> dict:
    kim = load_kim(session, kim_id)
    require_kim(actor, kim)
    members = session.scalars(current(select(Member).where(Member.kim_id == kim.id))
                              .order_by(func.lower(Member.name), Member.id)).all()
    return {"items": [member_view(m) for m in members], "total": len(members)}


def remove_member(session: Session, actor: Actor, kim_id: str, member_id: str):
    kim = load_kim(session, kim_id)
    require_kim(actor, kim)
    member = session.get(Member, member_id) if isinstance(member_id, str) else None
    if member is None or member.kim_id != kim.id or member.removed_at is not None:
        raise NotFound("Anggota tidak ditemukan.", detail_en="No such member.")
    member.removed_at, member.removed_by = utcnow(), actor.label
    session.flush()


def activity_view(activity: Activity) -> dict:
    return {"id": activity.id, "kim_id": activity.kim_id, "date": activity.date.isoformat(),
            "title": activity.title, "kind": activity.kind, "participants": activity.participants,
            "place": activity.place, "description": activity.description,
            "created_at": activity.created_at.isoformat()}


def report_activity(session: Session, actor: Actor, kim_id: str, data: dict, *, timezone: str) -> dict:
    kim = load_kim(session, kim_id, for_update=True)
    require_kim(actor, kim)
    if data["kind"] not in ACTIVITY_KINDS:
        raise invalid("kind", f"one of {', '.join(ACTIVITY_KINDS)}", "Jenis kegiatan tidak dikenal.",
                      "Unknown activity kind.")
    held_on = date.fromisoformat(data["date"])
    if held_on > today(timezone) or held_on.year < 1945:
        raise invalid("date", "not in the future", "Tanggal kegiatan tidak boleh di masa depan.",
                      "The activity date cannot be in the future.")
    if not isinstance(data["participants"], int) or data["participants"] < 0:
        raise invalid("participants", ">= 0", "Jumlah peserta tidak valid.", "Invalid number of participants.")
    if kim.status == "dissolved":
        raise InvalidTransition("KIM ini sudah bubar.", detail_en="This KIM is dissolved.", allowed=[])
    activity = Activity(id=str(uuid.uuid4()), kim_id=kim.id, date=held_on, title=data["title"], kind=data["kind"],
                        participants=data["participants"], place=data.get("place"),
                        description=data.get("description"), created_at=utcnow())
    session.add(activity)
    if held_on > kim.last_activity_on:
        kim.last_activity_on = held_on
    session.flush()
    record_event(session, "kim_activity_reported", events.kim_activity_reported(kim, activity))
    if kim.status == "vakum":  # reporting an activity revives the group
        set_status(session, kim, "active", "melaporkan kegiatan", actor.label)
    return activity_view(activity)


def list_activities(session: Session, actor: Actor, kim_id: str, limit: int = 50, offset: int = 0) -> dict:
    kim = load_kim(session, kim_id)
    require_kim(actor, kim)
    query = select(Activity).where(Activity.kim_id == kim.id)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    activities = session.scalars(query.order_by(Activity.date.desc(), Activity.created_at.desc())
                                 .limit(limit).offset(offset)).all()
    return {"items": [activity_view(a) for a in activities], "total": total}
