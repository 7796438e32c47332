"""Posts (issue 15) at the domain level, on both backends: writing, the
regency's review, approval and rejection, take-down with a reason the group
sees, publication as activity (a vakum group revived, its event in the
outbox), the public reads (published only, nothing of the members), the
Markdown sanitised, and who may do what."""
import json
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from services.common.db import outbox
from services.common.errors import DomainError, InvalidInput, InvalidTransition, NotFound, OutOfScope
from services.common.scope import Actor
from services.registry import kims, posts
from services.registry.models import Kim
from services.registry.tests.test_kims_rules import (
    ADMIN,
    DUMAI_VILLAGE,
    INSIDE,
    OUTSIDE,
    PEKANBARU_VILLAGE,
    ZONE,
    group_data,
)

IMAGE = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def session(rolled_back_session):
    return rolled_back_session


def call(session, function, *args, **kwargs):
    with session.begin():
        return function(session, *args, **kwargs)


def refused(session, error: type[DomainError], function, *args, **kwargs) -> DomainError:
    with pytest.raises(error) as raised, session.begin():
        function(session, *args, **kwargs)
    return raised.value


@pytest.fixture
def world(session):
    a = call(session, kims.register_kim, ADMIN, group_data("KIM Berita Alfa", PEKANBARU_VILLAGE,
                                                           "POST/ALFA/11111111"), timezone=ZONE)
    b = call(session, kims.register_kim, ADMIN, group_data("KIM Berita Beta", DUMAI_VILLAGE,
                                                           "POST/BETA/22222222"), timezone=ZONE)
    call(session, kims.add_member, ADMIN, a["id"], {"name": "Siti Rahasia", "role": "ketua",
                                                    "phone": "+62 811 55555555"})
    return SimpleNamespace(a=a, b=b, own=Actor("kim", kim_id=a["id"], key_id="kim-alfa"),
                           other=Actor("kim", kim_id=b["id"], key_id="kim-beta"))


def post_data(**overrides) -> dict:
    data = {"kind": "berita", "title": "Gotong royong di Jadirejo", "body": "Warga **bersama** membersihkan parit.",
            "images": [IMAGE], "tags": ["lingkungan"], "date": "2026-11-01"}
    data.update(overrides)
    return data


def published_events(session) -> list[dict]:
    with session.begin():
        stored = [json.loads(e) for e in session.scalars(select(outbox.c.envelope).order_by(outbox.c.id))]
    return [e["data"] for e in stored if e["type"] == "kim_post_published"]


def test_without_review_a_post_is_published_at_once_and_counts_as_activity(session, world):
    with session.begin():
        kim = session.get(Kim, world.a["id"])
        kim.last_activity_on -= timedelta(days=30)
        before = kim.last_activity_on
    post = call(session, posts.write_post, world.own, world.a["id"], post_data(), timezone=ZONE)
    assert post["status"] == "published" and post["published_at"] and post["reason"] is None
    assert post["body_html"] == "<p>Warga <strong>bersama</strong> membersihkan parit.</p>\n"
    assert post["images"] == [IMAGE] and post["kim"]["name"] == "KIM Berita Alfa"
    with session.begin():
        assert session.get(Kim, world.a["id"]).last_activity_on > before
    assert any(e["post_id"] == post["id"] for e in published_events(session))
    public = call(session, posts.public_posts, region="14.71")
    assert [p["id"] for p in public["items"]] == [post["id"]]
    assert call(session, posts.public_posts, region="14.72")["items"] == []
    assert call(session, posts.get_post, None, post["id"], public=True)["title"] == post["title"]


def test_a_published_post_revives_a_vakum_group(session, world):
    call(session, kims.change_status, ADMIN, world.a["id"], "vakum", "Tidak ada kegiatan")
    call(session, posts.write_post, world.own, world.a["id"], post_data(), timezone=ZONE)
    history = call(session, kims.status_history, ADMIN, world.a["id"])
    assert history["status"] == "active" and history["history"][-1]["reason"] == "menerbitkan berita"


def test_review_approve_reject_and_take_down(session, world):
    assert call(session, posts.get_review, INSIDE, "14.71")["review_required"] is False
    call(session, posts.set_review, INSIDE, "14.71", True)
    waiting = call(session, posts.write_post, world.own, world.a["id"], post_data(), timezone=ZONE)
    assert waiting["status"] == "in_review" and waiting["published_at"] is None
    refused(session, NotFound, posts.get_post, None, waiting["id"], public=True)
    assert call(session, posts.public_posts)["total"] == 0
    queue = call(session, posts.list_review, INSIDE)
    assert [p["id"] for p in queue["items"]] == [waiting["id"]]
    assert call(session, posts.list_review, OUTSIDE)["items"] == []
    refused(session, OutOfScope, posts.approve_post, OUTSIDE, waiting["id"], timezone=ZONE)
    refused(session, OutOfScope, posts.approve_post, world.own, waiting["id"], timezone=ZONE)

    approved = call(session, posts.approve_post, INSIDE, waiting["id"], timezone=ZONE)
    assert approved["status"] == "published"
    assert [p["id"] for p in call(session, posts.public_posts, kim_id=world.a["id"])["items"]] == [waiting["id"]]
    refused(session, InvalidTransition, posts.approve_post, INSIDE, waiting["id"], timezone=ZONE)

    refused(session, InvalidInput, posts.take_down_post, INSIDE, waiting["id"], "")
    down = call(session, posts.take_down_post, INSIDE, waiting["id"], "Memuat data pribadi warga")
    assert down["status"] == "taken_down"
    assert call(session, posts.public_posts)["total"] == 0
    mine = call(session, posts.list_group_posts, world.own, world.a["id"])["items"]
    assert [(p["status"], p["reason"]) for p in mine] == [("taken_down", "Memuat data pribadi warga")]

    second = call(session, posts.write_post, world.own, world.a["id"], post_data(title="Kedua"), timezone=ZONE)
    rejected = call(session, posts.reject_post, INSIDE, second["id"], "Judul kurang jelas")
    assert rejected["status"] == "rejected" and rejected["reason"] == "Judul kurang jelas"


def test_who_may_write_and_set_review(session, world):
    refused(session, OutOfScope, posts.write_post, world.other, world.a["id"], post_data(), timezone=ZONE)
    refused(session, OutOfScope, posts.write_post, OUTSIDE, world.a["id"], post_data(), timezone=ZONE)
    refused(session, OutOfScope, posts.set_review, OUTSIDE, "14.71", True)
    refused(session, OutOfScope, posts.set_review, world.own, "14.71", True)
    refused(session, OutOfScope, posts.list_group_posts, world.other, world.a["id"])
    assert call(session, posts.set_review, Actor("admin", "14", key_id="prov"), "14.71", True)["review_required"]
    refused(session, InvalidInput, posts.set_review, ADMIN, "14.71.01", True)


@pytest.mark.parametrize("field,value", [
    ("kind", "gosip"), ("title", "ab"), ("body", ""), ("images", [IMAGE[:-1] + "g"]),
    ("images", [f"{i:032x}" for i in range(5)]), ("tags", ["Bukan Tag"]), ("date", "2999-01-01"),
    ("date", "kemarin")])
def test_bad_input_is_refused(session, world, field, value):
    error = refused(session, InvalidInput, posts.write_post, world.own, world.a["id"], post_data(**{field: value}),
                    timezone=ZONE)
    assert error.extra["errors"][0]["field"] == field


def test_script_in_markdown_is_neutralised(session, world):
    body = ("<script>alert('x')</script>\n\n[klik](javascript:alert(1)) <img src=x onerror=alert(1)>\n\n"
            "[situs](https://example.org)")
    post = call(session, posts.write_post, world.own, world.a["id"], post_data(body=body), timezone=ZONE)
    html = post["body_html"]
    assert "<script" not in html and "<img" not in html and "javascript:" not in html.replace(
        "(javascript:alert(1))", "")
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">situs</a>' in html
    assert post["body"] == body  # the Markdown is kept as written


def test_no_personal_data_in_public_answers(session, world):
    post = call(session, posts.write_post, world.own, world.a["id"], post_data(), timezone=ZONE)
    text = json.dumps([call(session, posts.public_posts), call(session, posts.get_post, None, post["id"],
                                                                 public=True)])
    for secret in ("Siti Rahasia", "55555555", "kim@example.org", "reviewed_by", "kim-alfa"):
        assert secret not in text


def test_a_dissolved_group_cannot_post(session, world):
    call(session, kims.change_status, ADMIN, world.b["id"], "dissolved", "Bubar")
    refused(session, InvalidTransition, posts.write_post, world.other, world.b["id"], post_data(), timezone=ZONE)
