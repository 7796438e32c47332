"""Posts (issue 15): a group's local news. The gateway takes the images
(services/gateway/media.py) and serves them; the registry owns the posts, the
review and the rules (services/registry/posts.py)."""
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from services.common.regions import REGION_CODE
from services.common.vocabulary import POST_KINDS, POST_STATUSES
from services.gateway import media
from services.gateway.deps import Member, Office, ReadModelDep, RpcCall, actor
from services.gateway.problems import Problem
from services.gateway.routes.common import TEXT, Day, Flag, Pages, problems
from services.gateway.routes.kims import KimId, Strict

router = APIRouter(tags=["posts"])

MEDIA_ID = r"^[0-9a-f]{32}$"
POST_ID = r"^[0-9a-f]{32}$"
REGENCY_CODE = r"^[0-9]{2}\.[0-9]{2}$"
MediaId = Annotated[str, Path(pattern=MEDIA_ID)]
PostId = Annotated[str, Path(pattern=POST_ID, examples=["9b2c4e6f8a0b4c1d9e3f5a7b9c1d3e5f"])]
Width = Literal[media.WIDTHS]
PostTag = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Region = Annotated[str | None, Query(pattern=REGION_CODE, description="a region subtree, e.g. 14.71")]


def media_urls(media_id: str) -> dict:
    return {str(width): f"/media/{media_id}/{width}.jpg" for width in media.WIDTHS}


def with_image_urls(post: dict) -> dict:
    """A post as the API answers it: each image's id with its web sizes' addresses."""
    return {**post, "images": [{"id": i, "urls": media_urls(i)} for i in post["images"]]}


class MediaCreated(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "0123456789abcdef0123456789abcdef", "width": 4000, "height": 3000,
        "urls": {"1280": "/media/0123456789abcdef0123456789abcdef/1280.jpg"}}]})
    id: str
    width: int
    height: int
    urls: dict[str, str]


@router.post("/api/v1/media", status_code=201, response_model=MediaCreated,
             responses=problems(401, 403, 413, 415, 422, 503),
             summary="Upload an image for a post (JPEG, PNG or WebP; EXIF removed; stored at 1280, 640, 320 px)")
async def upload_media(request: Request, caller: Member,
                       file: Annotated[UploadFile, File(description="a JPEG, PNG or WebP image")]):
    return await store_image(request, file)


async def store_image(request: Request, file: UploadFile) -> dict:
    """Check, clean, resize and store one uploaded image (the API's route and the portal's form)."""
    settings = request.app.state.settings
    content = await file.read(settings.media_max_bytes + 1)
    processed = await run_in_threadpool(media.process, content, settings.media_max_bytes, settings.media_max_pixels)
    media_id = media.new_id()
    await run_in_threadpool(request.app.state.media.save, media_id, processed.variants)
    return {"id": media_id, "width": processed.width, "height": processed.height, "urls": media_urls(media_id)}


@router.get("/media/{media_id}/{width}.jpg", include_in_schema=False)
async def serve_media(request: Request, media_id: MediaId, width: int):
    if width not in media.WIDTHS:
        raise Problem(404, "Gambar tidak ditemukan.", "No such image.")
    data = await run_in_threadpool(request.app.state.media.read, media_id, width)
    if data is None:
        raise Problem(404, "Gambar tidak ditemukan.", "No such image.")
    # an id's files never change, but go when their post is taken down: cached for an hour
    return Response(data, media_type=media.CONTENT_TYPE, headers={
        "Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"})


class PostCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kind": "berita", "title": "Gotong royong membersihkan parit", "date": "2026-11-20",
        "body": "Warga RT 02 **bersama-sama** membersihkan parit sebelum musim hujan.",
        "tags": ["lingkungan"], "images": ["0123456789abcdef0123456789abcdef"]}]})
    kind: Literal[POST_KINDS]
    title: str = Field(min_length=3, max_length=200, pattern=TEXT)
    body: str = Field(min_length=1, max_length=20_000, pattern=TEXT, description="Markdown (a safe subset)")
    date: Day = Field(None, description="the day it is about; today when left out")  # type: ignore[assignment]
    tags: list[PostTag] = Field(default_factory=list, max_length=10)
    images: list[Annotated[str, Field(pattern=MEDIA_ID)]] = Field(
        default_factory=list, max_length=4, description="ids from POST /api/v1/media")


class Reason(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Memuat data pribadi warga"}]})
    reason: str = Field(min_length=3, max_length=500, pattern=TEXT)


class ReviewSetting(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"review_required": True}]})
    review_required: Flag


class PostKim(BaseModel):
    id: str
    name: str
    village_code: str


class PostImage(BaseModel):
    id: str
    urls: dict[str, str]


class PublicPost(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    kind: Literal[POST_KINDS]
    title: str
    body_html: str
    images: list[PostImage]
    tags: list[str]
    date: str
    published_at: str | None
    kim: PostKim
    region_path: list[str]


class GroupPost(PublicPost):
    body: str
    status: Literal[POST_STATUSES]
    reason: str | None


class PostPage(BaseModel):
    items: list[PublicPost]
    total: int
    next: str | None = None


class GroupPostPage(BaseModel):
    items: list[GroupPost]
    total: int
    next: str | None = None


async def _known_images(request: Request, ids: list[str]):
    store = request.app.state.media
    missing = [i for i in ids if not await run_in_threadpool(store.exists, i)]
    if missing:
        raise Problem(422, "Gambar tidak ditemukan; unggah dulu lewat /api/v1/media.",
                      "Unknown image; upload it with /api/v1/media first.",
                      errors=[{"field": "images", "in": "body", "message": "unknown media id"}])


@router.post("/api/v1/kims/{kim_id}/posts", status_code=201, response_model=GroupPost,
             responses=problems(401, 403, 404, 409, 422, 503),
             summary="Write a post (published at once, or in review when the regency requires it)")
async def write_post(request: Request, kim_id: KimId, body: PostCreate, caller: Member, rpc: RpcCall,
                     response: Response, model: ReadModelDep):
    data = body.model_dump(mode="json")
    await _known_images(request, data["images"])
    post = await rpc("registry", "write_post", actor=actor(caller), kim_id=kim_id, data=data)
    if post["status"] == "published":  # activity: the group's last activity, perhaps its status
        model.kim_changed(kim_id, None, counts=True, remember=False)
    response.headers["Location"] = f"/api/v1/posts/{post['id']}"
    return with_image_urls(post)


@router.get("/api/v1/kims/{kim_id}/posts", response_model=GroupPostPage, responses=problems(401, 403, 404, 503),
            summary="A group's posts in every state, with the office's reasons (the group and its office)")
async def list_group_posts(kim_id: KimId, caller: Member, rpc: RpcCall, paging: Pages):
    result = await rpc("registry", "list_group_posts", actor=actor(caller), kim_id=kim_id, limit=paging.limit,
                       offset=paging.offset)
    return paging.page([with_image_urls(p) for p in result["items"]], result["total"])


@router.get("/api/v1/posts", response_model=GroupPostPage, responses=problems(401, 403, 422, 503),
            summary="The office's review queue: its posts in one state (in review by default), oldest first")
async def list_review(caller: Office, rpc: RpcCall, paging: Pages, region: Region = None,
                      status: Annotated[Literal[POST_STATUSES], Query()] = "in_review"):
    result = await rpc("registry", "list_post_review", actor=actor(caller), region=region, status=status,
                       limit=paging.limit, offset=paging.offset)
    return paging.page([with_image_urls(p) for p in result["items"]], result["total"])


@router.get("/api/v1/posts/{post_id}", response_model=GroupPost, responses=problems(401, 403, 404, 503),
            summary="One post with its state (the group and its office)")
async def get_post(post_id: PostId, caller: Member, rpc: RpcCall):
    return with_image_urls(await rpc("registry", "get_post", actor=actor(caller), post_id=post_id))


@router.post("/api/v1/posts/{post_id}/approve", response_model=GroupPost,
             responses=problems(401, 403, 404, 409, 503), summary="Publish a post in review (its office)")
async def approve_post(post_id: PostId, caller: Office, rpc: RpcCall, model: ReadModelDep):
    post = await rpc("registry", "approve_post", actor=actor(caller), post_id=post_id)
    model.kim_changed(post["kim"]["id"], None, counts=True, remember=False)
    return with_image_urls(post)


@router.post("/api/v1/posts/{post_id}/reject", response_model=GroupPost,
             responses=problems(401, 403, 404, 409, 422, 503),
             summary="Reject a post in review, with the reason the group sees (its office)")
async def reject_post(request: Request, post_id: PostId, body: Reason, caller: Office, rpc: RpcCall):
    return await _withhold(request, rpc, "reject_post", caller, post_id, body.reason)


async def _withhold(request: Request, rpc, method: str, caller, post_id: str, reason: str) -> dict:
    """A post rejected or taken down may hold what must not be shown (a resident's data): its photos
    go too, not only the post (their addresses were public in its page and feeds)."""
    post = await rpc("registry", method, actor=actor(caller), post_id=post_id, reason=reason)
    for media_id in post.get("images") or []:
        await run_in_threadpool(request.app.state.media.remove, media_id)
    return with_image_urls(post)


@router.post("/api/v1/posts/{post_id}/take-down", response_model=GroupPost,
             responses=problems(401, 403, 404, 409, 422, 503),
             summary="Take a published post down, with the reason the group sees (its office)")
async def take_down_post(request: Request, post_id: PostId, body: Reason, caller: Office, rpc: RpcCall):
    return await _withhold(request, rpc, "take_down_post", caller, post_id, body.reason)


RegencyCode = Annotated[str, Path(pattern=REGENCY_CODE, examples=["14.71"])]


@router.get("/api/v1/post-review/{regency_code}", responses=problems(401, 403, 422, 503),
            summary="Whether a regency's posts wait for its office before publication")
async def get_post_review(regency_code: RegencyCode, caller: Office, rpc: RpcCall):
    return await rpc("registry", "get_post_review", actor=actor(caller), regency_code=regency_code)


@router.put("/api/v1/post-review/{regency_code}", responses=problems(401, 403, 422, 503),
            summary="Require (or stop requiring) review before publication in a regency (its office, an admin above)")
async def set_post_review(regency_code: RegencyCode, body: ReviewSetting, caller: Office, rpc: RpcCall):
    return await rpc("registry", "set_post_review", actor=actor(caller), regency_code=regency_code,
                     required=body.review_required)


@router.get("/api/v1/public/posts", response_model=PostPage, responses=problems(422, 503), tags=["public"],
            summary="Published posts, newest first: all, a region's, or one group's (no personal data)")
async def public_posts(rpc: RpcCall, paging: Pages, region: Region = None,
                       kim_id: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9._:-]{1,32}$")] = None):
    result = await rpc("registry", "public_posts", region=region, kim_id=kim_id, limit=paging.limit,
                       offset=paging.offset)
    return paging.page([with_image_urls(p) for p in result["items"]], result["total"])


@router.get("/api/v1/public/posts/{post_id}", response_model=PublicPost, responses=problems(404, 422, 503),
            tags=["public"], summary="One published post")
async def public_post(post_id: PostId, rpc: RpcCall):
    return with_image_urls(await rpc("registry", "get_post", actor=None, post_id=post_id, public=True))
