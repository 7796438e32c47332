"""/api/v1/kims and /api/v1/public/kims: the KIM directory, members,
activities and status. The registry applies the scope rules to the actor."""
import re
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.common.regions import REGION_CODE, VILLAGE_CODE
from services.common.vocabulary import ACTIVITY_KINDS, KIM_CLASSIFICATIONS, KIM_STATUSES, MEMBER_ROLES
from services.gateway import conditional
from services.gateway.access_log import log_access
from services.gateway.deps import Anyone, Member, Office, ReadModelDep, Rpc, RpcCall, actor
from services.gateway.problems import Problem
from services.gateway.readmodel import kim_key
from services.gateway.routes.common import (
    EMAIL,
    JSON_NUMBER,
    TEXT,
    Day,
    Integer,
    Page,
    Pages,
    notice_version,
    problems,
)

router = APIRouter(tags=["kims"])

KIM_ID = r"^[A-Za-z0-9._:-]{1,32}$"
TAG = r"^[a-z][a-z0-9_]{1,39}$"
Classification = Literal[KIM_CLASSIFICATIONS]
Status = Literal[KIM_STATUSES]
KimId = Annotated[str, Path(pattern=KIM_ID, examples=["KIM-1471011002-01"])]


# Indonesia's extent, as the registry checks it
Latitude = Annotated[float, Field(ge=-12, le=7, description="inside Indonesia"), JSON_NUMBER]
Longitude = Annotated[float, Field(ge=94, le=142, description="inside Indonesia"), JSON_NUMBER]


class Strict(BaseModel):
    # text is taken as sent (see TEXT): stripping it would make the document's lengths lie
    model_config = ConfigDict(extra="forbid")


class Sk(Strict):
    number: str = Field(min_length=1, max_length=100, pattern=TEXT, examples=["141/12/SK/2023"])
    date: Day
    issuer: str = Field(min_length=2, max_length=200, pattern=TEXT, examples=["Kepala Desa Jadirejo"],
                        description="who issued the decree; a village head may")


class Contact(Strict):
    person: str | None = Field(None, max_length=200, pattern=TEXT, description="the contact person")
    name: str | None = Field(None, max_length=200, pattern=TEXT, description="the same as person")
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{5,19}$")
    email: str | None = Field(None, max_length=200, pattern=EMAIL)
    website: str | None = Field(None, max_length=300, pattern=TEXT)


class KimFields(Strict):
    name: str = Field(min_length=3, max_length=200, pattern=TEXT)
    village_code: str = Field(pattern=VILLAGE_CODE)
    sk: Sk
    tags: list[Annotated[str, Field(pattern=TAG)]] = Field(default_factory=list, max_length=20)
    classification: Classification
    contact: Contact | None = None
    consent_version: notice_version("kim_contact") = None  # the contact's notice
    address: str | None = Field(None, max_length=500, pattern=TEXT)
    lat: Latitude | None = None
    lon: Longitude | None = None


class KimCreate(KimFields):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "name": "KIM Maju Bersama", "village_code": "14.71.01.1002",
        "sk": {"number": "141/12/SK/2023", "date": "2023-03-01", "issuer": "Lurah Jadirejo"},
        "tags": ["pemuda", "umkm"], "classification": "berkembang",
        "contact": {"person": "Siti", "phone": "+62 812 3456 7890"},
        "address": "Jl. Cempaka No. 5", "lat": 0.5071, "lon": 101.4478}]})


class KimPatch(Strict):
    """Only the fields sent change. A group may change its name, address,
    coordinates, tags and contact; the office everything."""
    model_config = ConfigDict(json_schema_extra={"examples": [{"address": "Jl. Melati No. 9", "tags": ["pemuda"]}]})
    # these five may be left out, not emptied (tags with []): their schema has no null,
    # so their type says no None although None is the default (mypy is told so)
    name: str = Field(None, min_length=3, max_length=200, pattern=TEXT)  # type: ignore[assignment]
    village_code: str = Field(None, pattern=VILLAGE_CODE)  # type: ignore[assignment]
    sk: Sk = None  # type: ignore[assignment]
    tags: list[Annotated[str, Field(pattern=TAG)]] = Field(None, max_length=20)  # type: ignore[arg-type]
    classification: Classification = None
    contact: Contact | None = None
    consent_version: notice_version("kim_contact") = None  # the contact's notice
    address: str | None = Field(None, max_length=500, pattern=TEXT)
    lat: Latitude | None = None
    lon: Longitude | None = None


class Kim(BaseModel):
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "id": "KIM-1471011002-01", "name": "KIM Maju Bersama", "village_code": "14.71.01.1002",
        "region_path": ["14", "14.71", "14.71.01", "14.71.01.1002"],
        "regions": [{"code": "14", "name": "Riau", "level": "province", "parent_code": None}],
        "sk": {"number": "141/12/SK/2023", "date": "2023-03-01", "issuer": "Lurah Jadirejo"},
        "tags": ["pemuda", "umkm"], "classification": "berkembang", "status": "active",
        "status_reason": "registered", "last_activity_on": "2026-11-28", "version": 1,
        "contact": {"person": "Siti", "phone": "+62 812 3456 7890"}}]})
    id: str
    name: str
    village_code: str
    region_path: list[str]
    status: Status
    version: int


class MemberCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "Siti Aminah", "role": "ketua", "phone": "+62 812 3456 7890"}]})
    name: str = Field(min_length=1, max_length=200, pattern=TEXT)
    role: Literal[MEMBER_ROLES]
    phone: str | None = Field(None, pattern=r"^\+?[0-9][0-9 -]{5,19}$", description="personal data")
    consent_version: notice_version("member_contact") = None


class ActivityCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "date": "2026-11-20", "title": "Sosialisasi program vaksinasi", "kind": "diseminasi",
        "participants": 45, "place": "Balai Desa Jadirejo"}]})
    date: Day
    title: str = Field(min_length=3, max_length=200, pattern=TEXT)
    kind: Literal[ACTIVITY_KINDS]
    participants: Integer = Field(ge=0, le=1_000_000)
    place: str | None = Field(None, max_length=200, pattern=TEXT)
    description: str | None = Field(None, max_length=5000, pattern=TEXT)


class StatusCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "vakum", "reason": "Pengurus pindah"}]})
    status: Status
    reason: str = Field(min_length=3, max_length=500, pattern=TEXT)


IF_MATCH = r'^(\*|(W/)?"?[0-9]{1,9}"?)$'


def etag(version: int) -> str:
    return f'"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """The version an If-Match names (None for none or `*`); 400 when it names none."""
    if value is None or value.strip() == "*":
        return None
    if not re.match(IF_MATCH, value.strip()):
        raise Problem(400, 'If-Match harus berisi versi, misalnya "3".', 'If-Match must hold a version such as "3".')
    return int(value.strip().removeprefix("W/").strip('"'))


@router.post("/api/v1/kims", status_code=201, response_model=Kim, responses=problems(401, 403, 409, 413, 422, 503),
             summary="Register a KIM (admin, or an operator inside its regency)")
async def register_kim(body: KimCreate, caller: Office, rpc: RpcCall, response: Response, model: ReadModelDep):
    kim = await rpc("registry", "register_kim", actor=actor(caller), data=body.model_dump(mode="json"))
    # this gateway's next reads show the write at once; other gateways when the event arrives
    model.kim_changed(kim["id"], kim["village_code"], counts=True, remember=False)
    response.headers["Location"] = f"/api/v1/kims/{kim['id']}"
    response.headers["ETag"] = etag(kim["version"])
    return kim


def _filters(region, status, tag, classification, q) -> dict:
    return {"region": region, "status": status, "tag": tag, "classification": classification, "q": q}


Region = Annotated[str | None, Query(pattern=REGION_CODE, description="a region subtree, e.g. 14.71")]
StatusFilter = Annotated[Status | None, Query()]
TagFilter = Annotated[str | None, Query(pattern=TAG)]
ClassFilter = Annotated[Classification | None, Query()]
# no NUL, as in any text (TEXT): PostgreSQL cannot compare with one
NameFilter = Annotated[str | None, Query(min_length=2, max_length=100, pattern=r"^[^\x00]*$",
                                         description="part of the name")]


@router.get("/api/v1/kims", response_model=Page[Kim], responses=problems(401, 403, 422, 503),
            summary="KIM inside your scope, with filters")
async def list_kims(caller: Member, rpc: RpcCall, paging: Pages, request: Request, region: Region = None,
                    status: StatusFilter = None, tag: TagFilter = None, classification: ClassFilter = None,
                    q: NameFilter = None):
    result = await rpc("registry", "list_kims", actor=actor(caller), filters=_filters(region, status, tag,
                       classification, q), limit=paging.limit, offset=paging.offset)
    await log_access(request, caller, "view_contact", f"kims:{region or 'ID'}",
                     sum(1 for kim in result["items"] if kim.get("contact")))
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/public/kims", response_model=Page[Kim], responses=problems(422, 503), tags=["public"],
            summary="The public KIM directory (no personal data)")
async def public_list_kims(rpc: RpcCall, paging: Pages, region: Region = None, status: StatusFilter = None,
                           tag: TagFilter = None, classification: ClassFilter = None, q: NameFilter = None):
    result = await rpc("registry", "list_kims", actor=None, public=True, filters=_filters(
        region, status, tag, classification, q), limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/public/kims/{kim_id}", response_model=Kim, tags=["public"],
            responses={**problems(404, 422, 503), **conditional.documented()},
            summary="One KIM's public profile (ETag; 304 to If-None-Match)")
async def public_get_kim(kim_id: KimId, request: Request, if_none_match: conditional.IfNoneMatch = None):
    # no dependencies but the parameters: an answer from the read model costs little else
    return conditional.answer(if_none_match, await public_kim(request, kim_id), conditional.PUBLIC)


async def public_kim(request: Request, kim_id: str) -> conditional.Answer:
    """A group's public profile, from the read model (filled from the registry on a miss): this
    route's answer, and the website's group page reads it here too (web/api.py `Api.read`)."""
    async def fill() -> conditional.Answer:
        found = await Rpc(request)("registry", "get_kim", actor=None, kim_id=kim_id, public=True)
        return conditional.Answer.of(Kim.model_validate(found).model_dump(mode="json"))
    return await request.app.state.readmodel.read(kim_key(kim_id), fill)


@router.get("/api/v1/kims/{kim_id}", response_model=Kim, responses=problems(401, 403, 404, 503),
            summary="One KIM with its contact (ETag: its version)")
async def get_kim(kim_id: KimId, caller: Member, rpc: RpcCall, response: Response, request: Request):
    kim = await rpc("registry", "get_kim", actor=actor(caller), kim_id=kim_id)
    await log_access(request, caller, "view_contact", f"kim:{kim_id}", 1 if kim.get("contact") else 0)
    response.headers["ETag"] = etag(kim["version"])
    return kim


@router.patch("/api/v1/kims/{kim_id}", response_model=Kim, responses=problems(400, 401, 403, 404, 409, 412, 422, 503),
              summary="Change a KIM; send If-Match with the version you read (412 when it changed since)")
async def update_kim(kim_id: KimId, body: KimPatch, caller: Member, rpc: RpcCall, response: Response,
                     model: ReadModelDep,
                     if_match: Annotated[str, Header(json_schema_extra={"pattern": IF_MATCH},
                                                     description='the version you read, e.g. "3"')] = None):
    changes = body.model_dump(mode="json", exclude_unset=True)
    kim = await rpc("registry", "update_kim", actor=actor(caller), kim_id=kim_id, changes=changes,
                    expected_version=parse_if_match(if_match))
    model.kim_changed(kim_id, kim["village_code"], counts=False, may_have_moved="village_code" in changes,
                      remember=False)
    response.headers["ETag"] = etag(kim["version"])
    return kim


@router.post("/api/v1/kims/{kim_id}/members", status_code=201, responses=problems(401, 403, 404, 409, 422, 503),
             summary="Add a member (officer roles are one each)")
async def add_member(kim_id: KimId, body: MemberCreate, caller: Member, rpc: RpcCall):
    return await rpc("registry", "add_member", actor=actor(caller), kim_id=kim_id, data=body.model_dump(mode="json"))


@router.get("/api/v1/kims/{kim_id}/members", responses=problems(401, 403, 404, 503),
            summary="Members with phones: the group itself, its regency's operators and admins only")
async def list_members(kim_id: KimId, caller: Member, rpc: RpcCall, request: Request):
    result = await rpc("registry", "list_members", actor=actor(caller), kim_id=kim_id)
    await log_access(request, caller, "view_members", f"kim:{kim_id}", result["total"])
    return {**result, "next": None}


@router.delete("/api/v1/kims/{kim_id}/members/{member_id}", status_code=204,
               responses=problems(401, 403, 404, 503), summary="Remove a member")
async def remove_member(kim_id: KimId, member_id: Annotated[str, Path(max_length=36)], caller: Member,
                        rpc: RpcCall):
    await rpc("registry", "remove_member", actor=actor(caller), kim_id=kim_id, member_id=member_id)
    return Response(status_code=204)


@router.post("/api/v1/kims/{kim_id}/activities", status_code=201, responses=problems(401, 403, 404, 409, 422, 503),
             summary="Report an activity (revives a vakum group)")
async def report_activity(kim_id: KimId, body: ActivityCreate, caller: Member, rpc: RpcCall, model: ReadModelDep):
    reported = await rpc("registry", "report_activity", actor=actor(caller), kim_id=kim_id,
                         data=body.model_dump(mode="json"))
    # its last activity is public; a vakum group is revived, which changes where it was counted
    model.kim_changed(kim_id, None, counts=True, remember=False)
    return reported


@router.get("/api/v1/kims/{kim_id}/activities", responses=problems(401, 403, 404, 503),
            summary="A group's activities, newest first")
async def list_activities(kim_id: KimId, caller: Member, rpc: RpcCall, paging: Pages):
    result = await rpc("registry", "list_activities", actor=actor(caller), kim_id=kim_id,
                       limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.post("/api/v1/kims/{kim_id}/status", responses=problems(401, 403, 404, 409, 422, 503),
             summary="Change a group's status (active, vakum, dissolved) with a reason")
async def change_status(kim_id: KimId, body: StatusCreate, caller: Member, rpc: RpcCall, model: ReadModelDep):
    kim = await rpc("registry", "change_status", actor=actor(caller), kim_id=kim_id, status=body.status,
                    reason=body.reason)
    model.kim_changed(kim_id, kim["village_code"], counts=True, remember=False)
    return kim


@router.get("/api/v1/kims/{kim_id}/status", responses=problems(401, 403, 404, 503),
            summary="A group's status and its history")
async def status_history(kim_id: KimId, caller: Member, rpc: RpcCall):
    return await rpc("registry", "status_history", actor=actor(caller), kim_id=kim_id)


class TagCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "lingkungan", "label_id": "Lingkungan hidup", "label_en": "Environment"}]})
    code: str = Field(pattern=TAG)
    label_id: str = Field(min_length=2, max_length=100, pattern=TEXT)
    label_en: str = Field(min_length=2, max_length=100, pattern=TEXT)


@router.get("/api/v1/tags", tags=["tags"], responses=problems(503), summary="The focus tag vocabulary")
async def list_tags(rpc: RpcCall, _caller: Anyone):
    result = await rpc("registry", "list_tags")
    return {**result, "next": None}


@router.post("/api/v1/tags", status_code=201, tags=["tags"], responses=problems(401, 403, 409, 422, 503),
             summary="Extend the tag vocabulary (national admin)")
async def add_tag(body: TagCreate, caller: Office, rpc: RpcCall):
    return await rpc("registry", "add_tag", actor=actor(caller), data=body.model_dump())
