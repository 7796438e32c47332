"""Posts (issue 15): a group's local news, `berita`, `kegiatan` or `informasi`.

A group (its key, or an office for it) writes a post; it is published at once,
or waits for its regency's office when the regency requires review before
publication (`regency_post_review`, set by that office or an admin above it).
The office approves or rejects a post in review and may take a published one
down; rejection and take-down carry a reason the group sees. Publication counts
as the group's activity for the dormancy timer, in the same transaction, as
reporting an activity does (a vakum group is revived). The public sees
published posts only, and nothing of the members.
"""
import re
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.errors import InvalidTransition, NotFound, invalid
from services.common.events import record_event, utcnow
from services.common.regions import REGION_CODE_PATTERN
from services.common.scope import Actor, require_kim, require_office, require_region
from services.common.text import strip_blank
from services.common.vocabulary import POST_KINDS, POST_STATUSES
from services.registry import events, metrics, richtext
from services.registry.kims.groups import _in_subtree, load_kim, region_path, today, with_region_names
from services.registry.kims.life import set_status
from services.registry.models import Kim, Post, RegencyPostReview

MAX_IMAGES = 4
MAX_TAGS = 10
MAX_BODY = 20_000
MEDIA_ID = re.compile(r"^[0-9a-f]{32}$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
REGENCY = re.compile(r"^[0-9]{2}\.[0-9]{2}$")


# --- views ----------------------------------------------------------------------

def public_view(post: Post, kim: Kim) -> dict:
    """What anyone may see of a published post: the group's name and place, never its members."""
    return {
        "id": post.id, "kind": post.kind, "title": post.title, "body_html": post.body_html,
        "images": list(post.images), "tags": list(post.tags), "date": post.date.isoformat(),
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "kim": {"id": kim.id, "name": kim.name, "village_code": kim.village_code},
        "region_path": region_path(kim.village_code),
    }


def group_view(post: Post, kim: Kim) -> dict:
    """The group's and its office's view: the Markdown, the state and why."""
    return {**public_view(post, kim), "body": post.body, "status": post.status, "reason": post.reason,
            "created_at": post.created_at.isoformat(), "updated_at": post.updated_at.isoformat()}


def _load(session: Session, post_id, for_update: bool = False) -> tuple[Post, Kim]:
    query = select(Post, Kim).join(Kim, Kim.id == Post.kim_id).where(Post.id == str(post_id))
    if for_update:
        query = query.with_for_update()
    row = session.execute(query).first() if isinstance(post_id, str) else None
    if row is None:
        raise NotFound("Berita tidak ditemukan.", detail_en="No such post.")
    return row[0], row[1]


# --- writing ----------------------------------------------------------------------

def _check(data: dict, timezone: str) -> date:
    if data.get("kind") not in POST_KINDS:
        raise invalid("kind", f"one of {', '.join(POST_KINDS)}", "Jenis berita tidak dikenal.", "Unknown post kind.")
    title = data.get("title")
    if not isinstance(title, str) or not 3 <= len(title) <= 200:
        raise invalid("title", "3 to 200 characters", "Judul harus 3 sampai 200 karakter.",
                      "The title must be 3 to 200 characters.")
    body = data.get("body")
    if not isinstance(body, str) or not 1 <= len(body) <= MAX_BODY:
        raise invalid("body", f"1 to {MAX_BODY} characters", f"Isi berita harus 1 sampai {MAX_BODY} karakter.",
                      f"The body must be 1 to {MAX_BODY} characters.")
    images = data.get("images") or []
    if len(images) > MAX_IMAGES or not all(isinstance(i, str) and MEDIA_ID.match(i) for i in images) \
            or len(set(images)) != len(images):
        raise invalid("images", f"at most {MAX_IMAGES} distinct media ids", f"Paling banyak {MAX_IMAGES} gambar.",
                      f"At most {MAX_IMAGES} images.")
    tags = data.get("tags") or []
    if len(tags) > MAX_TAGS or not all(isinstance(t, str) and TAG.match(t) for t in tags):
        raise invalid("tags", f"at most {MAX_TAGS} tags of a-z, 0-9, _ and -", "Tag tidak valid.", "Invalid tags.")
    try:
        on = date.fromisoformat(data.get("date") or today(timezone).isoformat())
    except (TypeError, ValueError):
        raise invalid("date", "YYYY-MM-DD", "Tanggal tidak valid.", "Invalid date.") from None
    if on > today(timezone) or on.year < 1945:
        raise invalid("date", "not in the future", "Tanggal berita tidak boleh di masa depan.",
                      "The post's date cannot be in the future.")
    return on


def review_required(session: Session, regency_code: str) -> bool:
    setting = session.get(RegencyPostReview, regency_code)
    return bool(setting and setting.required)


def write_post(session: Session, actor: Actor, kim_id: str, data: dict, *, timezone: str) -> dict:
    kim = load_kim(session, kim_id, for_update=True)
    require_kim(actor, kim)
    on = _check(data, timezone)
    if kim.status == "dissolved":
        raise InvalidTransition("KIM ini sudah bubar.", detail_en="This KIM is dissolved.", allowed=[])
    now = utcnow()
    post = Post(id=uuid.uuid4().hex, kim_id=kim.id, kind=data["kind"], title=data["title"], body=data["body"],
                body_html=richtext.render(data["body"]), images=list(data.get("images") or []),
                tags=sorted(set(data.get("tags") or [])), date=on, status="in_review", created_at=now,
                updated_at=now)
    session.add(post)
    if not review_required(session, kim.regency_code):
        _publish(session, actor, kim, post, timezone)
    session.flush()
    return group_view(post, kim)


def _publish(session: Session, actor: Actor, kim: Kim, post: Post, timezone: str):
    """Publish, and count it as the group's activity today (as report_activity does)."""
    post.status, post.reason = "published", None
    post.published_at = post.updated_at = utcnow()
    metrics.POSTS_PUBLISHED.labels(kim.regency_code).inc()
    on = today(timezone)
    if on > kim.last_activity_on:
        kim.last_activity_on = on
    session.flush()
    record_event(session, "kim_post_published", events.kim_post_published(kim, post))
    if kim.status == "vakum":  # a published post is activity: it revives the group
        set_status(session, kim, "active", "menerbitkan berita", actor.label)


# --- the office's review -------------------------------------------------------------

def _office_post(session: Session, actor: Actor, post_id: str) -> tuple[Post, Kim]:
    require_office(actor)
    post, kim = _load(session, post_id, for_update=True)
    require_kim(actor, kim)
    return post, kim


def _reason(reason) -> str:
    if not isinstance(reason, str) or not 3 <= len(strip_blank(reason)) <= 500:
        raise invalid("reason", "3 to 500 characters", "Alasan harus 3 sampai 500 karakter.",
                      "The reason must be 3 to 500 characters.")
    return strip_blank(reason)


def _move(post: Post, allowed_from: str, new: str):
    if post.status != allowed_from:
        raise InvalidTransition(f"Berita berstatus {post.status} tidak dapat menjadi {new}.",
                                detail_en=f"A post that is {post.status} cannot become {new}.", allowed=[])


def approve_post(session: Session, actor: Actor, post_id: str, *, timezone: str) -> dict:
    post, kim = _office_post(session, actor, post_id)
    _move(post, "in_review", "published")
    if kim.status == "dissolved":
        raise InvalidTransition("KIM ini sudah bubar.", detail_en="This KIM is dissolved.", allowed=[])
    post.reviewed_by = actor.label
    _publish(session, actor, kim, post, timezone)
    return group_view(post, kim)


def reject_post(session: Session, actor: Actor, post_id: str, reason: str) -> dict:
    return _withhold(session, actor, post_id, reason, "in_review", "rejected")


def take_down_post(session: Session, actor: Actor, post_id: str, reason: str) -> dict:
    return _withhold(session, actor, post_id, reason, "published", "taken_down")


def _withhold(session: Session, actor: Actor, post_id: str, reason: str, allowed_from: str, new: str) -> dict:
    """The office keeps a post from the public (rejected in review, taken down once published), with
    the reason the group sees."""
    post, kim = _office_post(session, actor, post_id)
    why = _reason(reason)
    _move(post, allowed_from, new)
    post.status, post.reason, post.reviewed_by, post.updated_at = new, why, actor.label, utcnow()
    return group_view(post, kim)


def set_review(session: Session, actor: Actor, regency_code: str, required: bool) -> dict:
    """Whether a regency's posts wait for its office; the regency's office or an admin above it."""
    require_office(actor)
    if not isinstance(regency_code, str) or not REGENCY.match(regency_code):
        raise invalid("regency_code", "a regency code, e.g. 14.71", "Kode kabupaten/kota tidak valid.",
                      "Invalid regency code.")
    require_region(actor, regency_code)
    setting = session.get(RegencyPostReview, regency_code)
    if setting is None:
        setting = RegencyPostReview(regency_code=regency_code)
        session.add(setting)
    setting.required, setting.changed_by, setting.changed_at = bool(required), actor.label, utcnow()
    session.flush()
    return get_review(session, actor, regency_code)


def get_review(session: Session, actor: Actor, regency_code: str) -> dict:
    require_office(actor)
    if not isinstance(regency_code, str) or not REGENCY.match(regency_code):
        raise invalid("regency_code", "a regency code, e.g. 14.71", "Kode kabupaten/kota tidak valid.",
                      "Invalid regency code.")
    require_region(actor, regency_code)
    setting = session.get(RegencyPostReview, regency_code)
    return {"regency_code": regency_code, "review_required": bool(setting and setting.required),
            "changed_at": setting.changed_at.isoformat() if setting else None}


# --- reading ----------------------------------------------------------------------

def _region_filter(query, region):
    if region:
        if not isinstance(region, str) or not REGION_CODE_PATTERN.match(region):
            raise invalid("region", "a region code", "Kode wilayah tidak valid.", "Invalid region code.")
        query = query.where(_in_subtree(region))
    return query


def _page(session: Session, query, order, limit: int, offset: int, view) -> dict:
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    rows = session.execute(query.order_by(*order).limit(limit).offset(offset)).all()
    return {"items": with_region_names(session, [view(post, kim) for post, kim in rows]), "total": total}


def list_group_posts(session: Session, actor: Actor, kim_id: str, limit: int = 50, offset: int = 0) -> dict:
    """Every post of a group, in any state, with the reasons: for the group and its office."""
    kim = load_kim(session, kim_id)
    require_kim(actor, kim)
    query = select(Post, Kim).join(Kim, Kim.id == Post.kim_id).where(Post.kim_id == kim.id)
    return _page(session, query, (Post.created_at.desc(), Post.id), limit, offset, group_view)


def list_review(session: Session, actor: Actor, region=None, status="in_review", limit: int = 50,
                offset: int = 0) -> dict:
    """The office's queue: its subtree's posts in one state (oldest first: the first waited longest)."""
    require_office(actor)
    if status not in POST_STATUSES:
        raise invalid("status", f"one of {', '.join(POST_STATUSES)}", "Status tidak dikenal.", "Unknown status.")
    query = select(Post, Kim).join(Kim, Kim.id == Post.kim_id).where(Post.status == status)
    if actor.scope_region:
        query = query.where(_in_subtree(actor.scope_region))
    if region:
        if isinstance(region, str) and not actor.covers(region) and not (
                actor.scope_region or "").startswith(region + "."):
            require_region(actor, region)
        query = _region_filter(query, region)
    return _page(session, query, (Post.created_at, Post.id), limit, offset, group_view)


def public_posts(session: Session, region=None, kim_id=None, limit: int = 50, offset: int = 0) -> dict:
    """Published posts, newest first: all, a region's subtree's, or one group's."""
    query = select(Post, Kim).join(Kim, Kim.id == Post.kim_id).where(Post.status == "published")
    query = _region_filter(query, region)
    if kim_id is not None:
        query = query.where(Post.kim_id == str(kim_id))
    return _page(session, query, (Post.published_at.desc(), Post.id), limit, offset, public_view)


def get_post(session: Session, actor: Actor, post_id: str, public: bool = False) -> dict:
    post, kim = _load(session, post_id)
    if public:
        if post.status != "published":
            raise NotFound("Berita tidak ditemukan.", detail_en="No such post.")
        return with_region_names(session, [public_view(post, kim)])[0]
    require_kim(actor, kim)
    return with_region_names(session, [group_view(post, kim)])[0]
