"""The groups' posts on the website (issue 15): the public list `/berita`
(`?region=`), each post's page with its Open Graph tags (shared on WhatsApp),
the Atom feeds (the platform's, a region's, a group's), the portal page where
a group writes its posts and sees their state, and the console's review page.
Every page goes through the gateway's own API (web/api.py)."""
import re
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from services.common.regions import REGION_CODE
from services.common.vocabulary import POST_KINDS, POST_STATUSES
from services.gateway.routes.kims import KIM_ID, public_kim
from services.gateway.routes.regions import region_detail
from services.gateway.web import feeds
from services.gateway.web.api import Api
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import language
from services.gateway.web.pages import (
    PAGE_SIZE,
    GroupMember,
    Staff,
    Visitor,
    form_data,
    page_offset,
    redirect,
    render,
)

public = APIRouter(include_in_schema=False)
portal = APIRouter(prefix="/portal", include_in_schema=False)
console = console_router()

FEED_SIZE = 50
MAX_IMAGES = 4
ACTIONS = {"setujui": "approve", "tolak": "reject", "turunkan": "take-down"}


def status_labels(lang: str) -> dict[str, str]:
    """A post's states in the visitor's language (`published` means otherwise for a broadcast)."""
    return {term.code: term.en if lang == "en" else term.id for term in POST_STATUSES.terms}


def base_url(request: Request) -> str:
    """The site's address for links that leave it (feeds, Open Graph)."""
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def excerpt(html: str, length: int = 200) -> str:
    """Plain text of the sanitised body, for a preview (Open Graph, lists)."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = " ".join(text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                    .replace("&#39;", "'").replace("&amp;", "&").split())
    return text if len(text) <= length else text[:length - 1].rsplit(" ", 1)[0] + "…"


# --- public ------------------------------------------------------------------------------

def _region_param(request: Request) -> str | None:
    region = request.query_params.get("region") or None
    if region is not None and ("\n" in region or not re.match(REGION_CODE, region)):
        raise PageError(422)
    return region


@public.get("/berita.atom")
async def platform_feed(request: Request):
    region = _region_param(request)
    api = Api(request)
    posts = await api.get("/api/v1/public/posts", region=region, limit=FEED_SIZE)
    base = base_url(request)
    title = "Berita KIM"
    if region:
        found = await api.read(region_detail, region, REGION_CODE)
        title = f"Berita KIM · {found['name']}"
    suffix = f"?region={region}" if region else ""
    body = feeds.atom(feed_id=f"{base}/berita.atom{suffix}", title=title, self_url=f"{base}/berita.atom{suffix}",
                      page_url=f"{base}/berita{suffix}", base_url=base, posts=posts["items"])
    return Response(body, media_type=feeds.CONTENT_TYPE, headers={"Cache-Control": "public, max-age=300"})


@public.get("/kim/{kim_id}/berita.atom")
async def group_feed(request: Request, kim_id: str):
    api = Api(request)
    kim = await api.read(public_kim, kim_id, KIM_ID)
    posts = await api.get("/api/v1/public/posts", kim_id=kim["id"], limit=FEED_SIZE)
    base = base_url(request)
    url = f"{base}/kim/{kim['id']}/berita.atom"
    body = feeds.atom(feed_id=url, title=f"Berita {kim['name']}", self_url=url, page_url=f"{base}/kim/{kim['id']}",
                      base_url=base, posts=posts["items"])
    return Response(body, media_type=feeds.CONTENT_TYPE, headers={"Cache-Control": "public, max-age=300"})


@public.get("/berita")
async def news(request: Request, _visitor: Visitor):
    region = _region_param(request)
    api = Api(request)
    posts = await api.get("/api/v1/public/posts", region=region, limit=PAGE_SIZE, offset=page_offset(request))
    place = await api.read(region_detail, region, REGION_CODE) if region else None
    return render(request, "news.html", posts=posts, region=region, place=place, offset=page_offset(request),
                  page_size=PAGE_SIZE, excerpt=excerpt)


@public.get("/berita/{post_id}")
async def news_item(request: Request, post_id: str, _visitor: Visitor):
    post = await Api(request).get(f"/api/v1/public/posts/{post_id}")
    base = base_url(request)
    return render(request, "news_item.html", post=post, base=base, description=excerpt(post["body_html"]),
                  url=f"{base}/berita/{post['id']}")


# --- the portal ------------------------------------------------------------------------------

async def _portal(request: Request, member, values: dict, errors: dict, status_code: int = 200):
    posts = await Api(request).get(f"/api/v1/kims/{member.principal.kim_id}/posts", limit=PAGE_SIZE)
    return render(request, "portal/posts.html", status_code=status_code, posts=posts, values=values, errors=errors,
                  kinds=POST_KINDS, statuses=status_labels(language(request)),
                  saved=request.query_params.get("tersimpan"))


@portal.get("/berita")
async def my_posts(request: Request, member: GroupMember):
    return await _portal(request, member, {"kind": "berita", "date": date.today().isoformat()}, {})


@portal.post("/berita")
async def write_post(request: Request, member: GroupMember):
    form = await form_data(request)
    uploads = [f for f in (await request.form()).getlist("images") if isinstance(f, UploadFile) and f.filename]
    api = Api(request)
    if len(uploads) > MAX_IMAGES:
        return await _portal(request, member, dict(form), {"images": _image_count(request)}, 422)
    image_ids = []
    for upload in uploads:
        stored = await api.send("POST", "/api/v1/media", files={"file": (
            "image", await upload.read(request.app.state.settings.media_max_bytes + 1),
            "application/octet-stream")})
        if not stored.ok:
            return await _portal(request, member, dict(form), {"images": stored.detail}, stored.status)
        image_ids.append(stored.data["id"])
    tags = [t.strip().lower() for t in (form.get("tags") or "").split(",") if t.strip()]
    payload = {"kind": form.get("kind") or None, "title": form.get("title", ""), "body": form.get("body", ""),
               "tags": tags, "images": image_ids}
    if form.get("date"):  # left out: today
        payload["date"] = form["date"]
    answer = await api.send("POST", f"/api/v1/kims/{member.principal.kim_id}/posts", payload)
    if answer.ok:
        return redirect(request, "/portal/berita?tersimpan=1")
    return await _portal(request, member, dict(form), answer.field_errors(), answer.status)


def _image_count(request: Request) -> str:
    english = language(request) == "en"
    return f"At most {MAX_IMAGES} images." if english else f"Paling banyak {MAX_IMAGES} gambar."


# --- the console's review ----------------------------------------------------------------------

async def _review(request: Request, staff, errors: dict | None = None, status_code: int = 200):
    status = request.query_params.get("status") or "in_review"
    if status not in POST_STATUSES:
        status = "in_review"
    api = Api(request)
    posts = await api.get("/api/v1/posts", status=status, limit=PAGE_SIZE, offset=page_offset(request))
    scope = staff.principal.scope_region
    regency = scope if scope and scope.count(".") == 1 else request.query_params.get("kabupaten")
    setting = None
    if regency:
        answer = await api.call("GET", f"/api/v1/post-review/{regency}")
        setting = answer.data if answer.ok else None
    return render(request, "console/posts.html", status_code=status_code, posts=posts, status=status,
                  statuses=status_labels(language(request)), setting=setting, regency=regency,
                  errors=errors or {}, offset=page_offset(request), page_size=PAGE_SIZE, excerpt=excerpt)


@console.get("/berita")
async def review(request: Request, staff: Staff):
    return await _review(request, staff)


@console.post("/berita/tinjauan")
async def set_review(request: Request, staff: Staff):
    form = await form_data(request)
    regency = form.get("regency_code", "")
    if not re.fullmatch(r"[0-9]{2}\.[0-9]{2}", regency):  # it becomes part of an API path
        return await _review(request, staff, {"regency_code": "Kode kabupaten/kota seperti 14.71."}, 422)
    answer = await Api(request).send("PUT", f"/api/v1/post-review/{regency}",
                                     {"review_required": form.get("review_required") == "ya"})
    if answer.ok:
        return redirect(request, f"/konsol/berita?kabupaten={regency}")
    return await _review(request, staff, answer.field_errors() or {"": answer.detail}, answer.status)


@console.post("/berita/{post_id}/{action}")
async def review_action(request: Request, post_id: str, action: str, staff: Staff):
    form = await form_data(request)
    if action not in ACTIONS:
        raise PageError(404)
    payload = None if action == "setujui" else {"reason": form.get("reason", "")}
    answer = await Api(request).send("POST", f"/api/v1/posts/{post_id}/{ACTIONS[action]}", payload)
    if answer.ok:
        back = "published" if action == "turunkan" else "in_review"
        return redirect(request, f"/konsol/berita?status={back}")
    errors = {(f"{post_id}:{field}" if field else ""): message for field, message in answer.field_errors().items()}
    return await _review(request, staff, errors, answer.status)
