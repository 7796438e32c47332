"""The focus-tag vocabulary groups are tagged with: only a national admin
extends it, and a group carries known tags only."""
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.errors import Conflict, OutOfScope, invalid
from services.common.events import utcnow
from services.common.scope import Actor
from services.registry.models import Tag

TAG_CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def tag_view(tag: Tag) -> dict:
    return {"code": tag.code, "label_id": tag.label_id, "label_en": tag.label_en}


def list_tags(session: Session) -> dict:
    tags = session.scalars(select(Tag).order_by(Tag.code)).all()
    return {"items": [tag_view(t) for t in tags], "total": len(tags)}


def add_tag(session: Session, actor: Actor, data: dict) -> dict:
    if actor.role != "admin" or actor.scope_region is not None:
        raise OutOfScope("Hanya admin nasional yang menambah kosakata tag.",
                         detail_en="Only a national admin extends the tag vocabulary.")
    if not TAG_CODE.match(data["code"]):
        raise invalid("code", "lowercase letters, digits and _, 2..40", "Kode tag tidak valid.", "Invalid tag code.")
    if session.get(Tag, data["code"]):
        raise Conflict(f"Tag {data['code']} sudah ada.", detail_en=f"Tag {data['code']} exists.",
                       existing_id=data["code"])
    tag = Tag(code=data["code"], label_id=data["label_id"], label_en=data["label_en"], created_at=utcnow())
    session.add(tag)
    session.flush()
    return tag_view(tag)


def tags_rule(tags: list[str], known: set[str]) -> list[str]:
    """The tags sorted, without repeats, when all are in `known` (the vocabulary's codes among them)."""
    tags = sorted(set(tags))
    unknown = [t for t in tags if t not in known]
    if unknown:
        raise invalid("tags", f"unknown: {', '.join(unknown)}; see GET /api/v1/tags",
                      f"Tag tidak dikenal: {', '.join(unknown)}.", f"Unknown tags: {', '.join(unknown)}.")
    return tags
