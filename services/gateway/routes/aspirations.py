"""/api/v1/aspirations: citizens' voices in (accepted even while the
aspirations service is down), tracked by code, handled by the office."""
import csv
import io
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import AliasChoices, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from services.common.events import utcnow
from services.common.regions import REGION_CODE, VILLAGE_CODE
from services.common.text import BLANK
from services.common.tracking import new_tracking_code, normalise_tracking_code
from services.common.vocabulary import ASPIRATION_KINDS, ASPIRATION_STATUSES
from services.gateway.access_log import log_access
from services.gateway.deps import Anyone, Idempotency, Member, Office, RpcCall, actor
from services.gateway.problems import Problem, prefers_english
from services.gateway.routes.common import EMAIL, TEXT, Flag, KnownRegions, Pages, notice_version, problems
from services.gateway.routes.kims import KIM_ID, Strict

router = APIRouter(tags=["aspirations"])

# no 0/O, no 1/I: easy to read aloud and to type on a phone; 32 symbols, 10 of them: 50 random bits
INTAKE_QUEUE = "aspirations.intake"
CATEGORY_LENGTH = 50  # the aspirations' category column
Kind = Literal[ASPIRATION_KINDS]
Status = Literal[ASPIRATION_STATUSES]


PHONE = r"^\+?[0-9][0-9 -]{5,19}$"
LINK = rf"^https?://[^{BLANK}]+$"


class Submitter(Strict):
    name: str | None = Field(None, max_length=200, pattern=TEXT)
    phone: str | None = Field(None, pattern=PHONE)
    email: str | None = Field(None, max_length=200, pattern=EMAIL)


# publik and rahasia exclude each other, stated where a client reads the body's rules
PUBLIK_RULE: dict[str, Any] = {"if": {"properties": {"rahasia": {"const": True}}, "required": ["rahasia"]},
               "then": {"properties": {"publik": {"const": False}}}}


class AspirationCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"allOf": [PUBLIK_RULE], "examples": [{
        "kind": "pengaduan", "category": "infrastruktur", "body": "Jalan di RT 03 berlubang sejak Oktober.",
        "village_code": "14.71.01.1002", "submitter": {"name": "Budi", "phone": "+62 812 1111 2222"},
        "anonim": True, "rahasia": False}]})
    kind: Kind
    category: str = Field(min_length=2, max_length=CATEGORY_LENGTH, pattern=r"^[\w -]+$",
                          description="kept lower-case with _ for spaces, e.g. infrastruktur, jalan_rusak")
    body: str = Field(min_length=5, max_length=10_000, pattern=TEXT)
    village_code: str = Field(pattern=VILLAGE_CODE)
    kim_id: str | None = Field(None, pattern=KIM_ID)
    broadcast_id: str | None = Field(None, pattern=r"^[0-9a-f-]{36}$")
    submitter: Submitter | None = None
    consent_version: notice_version("aspiration_contact") = None  # the submitter's notice
    anonim: Flag = Field(False, description="the identity is seen by the handling office only")
    rahasia: Flag = Field(False, description="nothing but the status is ever public")
    publik: Flag = Field(False, description="the submitter chooses to publish it: the text, category, village, "
                         "attachments and answer (never the submitter) are listed for everyone in Open311's "
                         "GET /open311/v2/requests.json; not with `rahasia`")
    attachments: list[Annotated[str, Field(pattern=LINK, max_length=500)]] = Field(
        default_factory=list, max_length=10)

    @field_validator("category")
    @classmethod
    def _category_key(cls, value: str) -> str:
        # the length is checked again as kept: lower-casing may lengthen ("İ" becomes two characters)
        key = "_".join(value.lower().replace("-", " ").split())
        if len(key) > CATEGORY_LENGTH:
            raise PydanticCustomError("string_too_long", "too long once normalised", {"max_length": CATEGORY_LENGTH})
        if len(key) < 2:
            raise PydanticCustomError("string_too_short", "too short once normalised", {"min_length": 2})
        return key

    @model_validator(mode="after")
    def _publik_is_not_rahasia(self):
        if self.publik and self.rahasia:
            raise PydanticCustomError("publik_and_rahasia", "publik and rahasia exclude each other",
                                      {"field": "publik"})
        return self


class Transition(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"to": "responded", "note": "Dinas PU menjadwalkan perbaikan.", "response": "Perbaikan jalan Januari 2027."},
        {"to": "rejected", "reason": "Bukan kewenangan pemerintah kota."}]})
    to: Status = Field(validation_alias=AliasChoices("to", "status"), description="the next state (or `status`)")
    note: str | None = Field(None, max_length=5000, pattern=TEXT)
    reason: str | None = Field(None, max_length=5000, pattern=TEXT,
                               description="why, for `rejected` (kept as the note)")
    response: str | None = Field(None, max_length=10_000, pattern=TEXT, description="the answer, for `responded`")


@router.post("/api/v1/aspirations", status_code=202, responses=problems(400, 403, 413, 422, 503),
             summary="Send an aspiration; 202 with the tracking code once it is durably held")
async def submit(body: AspirationCreate, caller: Anyone, rpc: RpcCall, regions: KnownRegions, kept: Idempotency,
                 idempotency_key: Annotated[str | None, Header(max_length=200)] = None):
    kim_id = body.kim_id
    if caller is not None and caller.role == "kim":
        if kim_id not in (None, caller.kim_id):
            raise Problem(403, "KIM hanya dapat mengirim atas namanya sendiri.", "A group files in its own name only.")
        kim_id = caller.kim_id
    await regions.require([body.village_code], "village_code", "Desa/kelurahan {codes} tidak ada.",
                          "No village {codes}.", "unknown village")
    if kim_id:
        try:
            await rpc("aspirations", "check_kim", kim_id=kim_id, timeout=2.0)
        except Problem as problem:
            if problem.status != 503:
                raise
            # the service is down: accept; it checks the group when it takes the aspiration in

    submission = new_submission(f"{caller.role}:{caller.key_id}" if caller else "public",
                                {**body.model_dump(mode="json"), "kim_id": kim_id}, filed_by_kim=_is_group(caller))
    replayed = False
    if idempotency_key:
        # The submission is kept with the key before it is sent. A retry sends the kept one
        # again (intake ignores a tracking code it has), so a crash between keeping and
        # sending loses nothing, and the same key never makes two aspirations.
        submission, replayed = await run_in_threadpool(
            kept.keep, caller.key_id if caller else "anonymous", idempotency_key, submission)
    await rpc.send_command(INTAKE_QUEUE, submission)
    return JSONResponse({"tracking_code": submission["tracking_code"], "status": "received"}, status_code=202,
                        headers={"Idempotent-Replayed": "true"} if replayed else None)


def _is_group(caller) -> bool:
    # a kim caller always files in its own name (its kim_id is forced), so it is the filer
    return caller is not None and caller.role == "kim"


def new_submission(submitted_by: str, data: dict, filed_by_kim: bool = False) -> dict:
    """What the gateway puts on the intake queue (the aspirations service takes it in).
    `filed_by_kim`: the named group sent it itself, so it may see who and a rahasia body."""
    return {"type": "aspiration_submission", "id": str(uuid.uuid4()), "tracking_code": new_tracking_code(),
            "submitted_at": utcnow().isoformat(), "submitted_by": submitted_by, "filed_by_kim": filed_by_kim,
            "data": data}


@router.get("/api/v1/aspirations/track/{tracking_code}", responses=problems(404, 422, 503),
            summary="Status, public history and the answer; never personal data")
async def track(tracking_code: Annotated[str, Path(min_length=6, max_length=20)], rpc: RpcCall):
    code = normalise_tracking_code(tracking_code)
    return await rpc("aspirations", "track", tracking_code=code)


def _filters(region, status, kind, category, overdue, escalated, tracking_code=None) -> dict:
    return {"region": region, "status": status, "kind": kind, "category": category, "overdue": overdue,
            "escalated": escalated, "tracking_code": tracking_code}


Region = Annotated[str | None, Query(pattern=REGION_CODE)]
Category = Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]+$", max_length=50)]


@router.get("/api/v1/aspirations/stats", responses={**problems(401, 403, 422, 503), 200: {
    "content": {"application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
            summary="Counts by status and kind, median hours to a first response, overdue (?format=csv)")
async def stats(caller: Office, rpc: RpcCall, request: Request, region: Region = None,
                format: Literal["json", "csv"] = "json"):
    figures = await rpc("aspirations", "stats", actor=actor(caller), filters=_filters(region, None, None, None,
                                                                                        None, None))
    if format == "json":
        return figures
    english = prefers_english(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["measure", "value"] if english else ["ukuran", "nilai"])
    writer.writerow(["total", figures["total"]])
    for status, count in sorted(figures["by_status"].items()):
        writer.writerow([f"status_{status}", count])
    for kind, count in sorted(figures["by_kind"].items()):
        writer.writerow([f"{'kind' if english else 'jenis'}_{kind}", count])
    writer.writerow(["overdue" if english else "lewat_tenggat", figures["overdue"]])
    writer.writerow(["median_hours_to_first_response" if english else "median_jam_sampai_jawaban_pertama",
                     figures["median_hours_to_first_response"] if figures["median_hours_to_first_response"]
                     is not None else ""])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="aspirasi-{region or "ID"}.csv"'})


@router.get("/api/v1/aspirations", responses=problems(401, 403, 422, 503),
            summary="The work queue of your scope: overdue first, then by deadline")
async def work_queue(caller: Member, rpc: RpcCall, paging: Pages, request: Request, region: Region = None,
                     status: Annotated[Status | None, Query()] = None, kind: Annotated[Kind | None, Query()] = None,
                     category: Category = None, overdue: bool | None = None, escalated: bool | None = None,
                     tracking_code: Annotated[str | None, Query(
                         min_length=6, max_length=20, pattern=r"^[A-Za-z0-9 -]+$",
                         description="one aspiration by its code")] = None):
    code = normalise_tracking_code(tracking_code) if tracking_code else None
    result = await rpc("aspirations", "work_queue", actor=actor(caller),
                       filters=_filters(region, status, kind, category, overdue, escalated, code),
                       limit=paging.limit, offset=paging.offset)
    await log_access(request, caller, "view_contact", f"aspirations:{region or 'ID'}",
                     sum(1 for item in result["items"] if item.get("submitter")))
    return paging.page(result["items"], result["total"])


AspirationId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]


@router.get("/api/v1/aspirations/{aspiration_id}", responses=problems(401, 404, 422, 503),
            summary="One aspiration with its audit history (404 outside your regency)")
async def detail(aspiration_id: AspirationId, caller: Member, rpc: RpcCall, request: Request):
    found = await rpc("aspirations", "get_aspiration", actor=actor(caller), aspiration_id=aspiration_id)
    await log_access(request, caller, "view_contact", f"aspiration:{aspiration_id}", 1 if found.get("submitter") else 0)
    return found


@router.post("/api/v1/aspirations/{aspiration_id}/transition", responses=problems(401, 403, 404, 409, 422, 503),
             summary="A workflow step (409 naming the allowed ones when the state machine forbids it)")
async def transition(aspiration_id: AspirationId, body: Transition, caller: Office, rpc: RpcCall):
    return await rpc("aspirations", "transition", actor=actor(caller), aspiration_id=aspiration_id, to=body.to,
                     note=body.reason or body.note, response=body.response)
