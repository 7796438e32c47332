"""/api/v1/privacy: the rights of the person under UU 27/2022 (PDP), and the
records of who saw personal data.

An office searches by phone number or e-mail across every service (each
answers for its own data, over RPC), exports everything held about the person
(JSON, or a readable page to print), and erases it with a reason: the registry
records the request and the other services erase their share on its event
(docs/privacy.md). Every search, export and erasure, like every view of a
member list or a contact, is written to the access log a national admin reads.
The phone number or e-mail travels in the body, never in a URL, so no access
log of a proxy holds it."""
import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from services.common.privacy import NOTICES, current_notice
from services.gateway.access_log import log_access
from services.gateway.deps import Admin, Office, RpcCall, actor
from services.gateway.keys import Principal
from services.gateway.problems import Problem
from services.gateway.routes.common import EMAIL, TEXT, Moment, Pages, problems
from services.gateway.routes.kims import Strict

router = APIRouter(tags=["privacy"])

# the services that hold personal data, each answering for its own (services/<name>/privacy.py)
HOLDERS = ("registry", "aspirations", "channels")
PHONE = r"^\+?[0-9][0-9 ()-]{5,24}$"
ErasureId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class Person(Strict):
    """One phone number or one e-mail address, in any usual spelling (+62 812-…, 0812…)."""
    model_config = {"json_schema_extra": {"examples": [{"phone": "+62 812 3456 7890"}],
                                          "oneOf": [{"required": ["phone"]}, {"required": ["email"]}]}}
    # one of them, left out rather than null: the schema's oneOf says so (their type has no null, so
    # mypy is told that None is only the default)
    phone: str = Field(None, pattern=PHONE)  # type: ignore[assignment]
    email: str = Field(None, max_length=200, pattern=EMAIL)  # type: ignore[assignment]

    @model_validator(mode="after")
    def _one_of_them(self):
        if (self.phone is None) == (self.email is None):
            raise PydanticCustomError("one_identifier", "give a phone number or an e-mail address, not both")
        return self

    @property
    def identifier(self) -> dict:
        return {"phone": self.phone} if self.phone is not None else {"email": self.email}

    @property
    def kind(self) -> str:
        return "phone" if self.phone is not None else "email"


class Export(Person):
    format: Literal["json", "html"] = Field("json", description="`html`: a readable page, to print or save as PDF")


class Erasure(Person):
    reason: str = Field(min_length=5, max_length=500, pattern=TEXT,
                        description="why (the person's request, its letter's number); kept with the request only")


# --- search, export, erasure -----------------------------------------------------------------

async def held_about(rpc, caller: Principal, person: Person) -> list[dict]:
    """What every service holds about the person, inside the caller's scope. One service down is a
    503 for the whole: a partial answer would tell the person that nothing else is held."""
    answers = await asyncio.gather(*(rpc(service, "privacy_search", actor=actor(caller),
                                         identifier=person.identifier) for service in HOLDERS))
    return [item for answer in answers for item in answer["items"]]


@router.post("/api/v1/privacy/search", responses=problems(401, 403, 422, 503),
             summary="What the platform holds about a person, found by phone or e-mail (offices)")
async def search(body: Person, caller: Office, rpc: RpcCall, request: Request):
    items = await held_about(rpc, caller, body)
    await log_access(request, caller, "privacy_search", f"person:{body.kind}", len(items), always=True)
    return {"items": items, "total": len(items), "services": list(HOLDERS)}


@router.post("/api/v1/privacy/export", responses={**problems(401, 403, 422, 503), 200: {"content": {
    "application/json": {}, "text/html": {"schema": {"type": "string"}}}}},
             summary="Everything held about a person, to give them (JSON, or a readable page)")
async def export(body: Export, caller: Office, rpc: RpcCall, request: Request):
    items = await held_about(rpc, caller, body)
    await log_access(request, caller, "privacy_export", f"person:{body.kind}", len(items), always=True)
    made = datetime.now(UTC).replace(microsecond=0)
    document = {"generated_at": made.isoformat(), "generated_by": caller.actor.label,
                "services": list(HOLDERS), "items": items, "total": len(items),
                "notices": [notice_view(n) for n in NOTICES if any(
                    c["purpose"] == n.purpose and c["notice_version"] == n.version
                    for item in items for c in item["consents"])]}
    name = f"data-pribadi-{made:%Y%m%d-%H%M%S}"
    if body.format == "html":
        from services.gateway.web.pages import render  # the website's templates, language and styles
        page = render(request, "privacy_export.html", document=document)
        page.headers["Content-Disposition"] = f'inline; filename="{name}.html"'
        page.headers["Cache-Control"] = "no-store"
        return page
    return JSONResponse(document, headers={"Content-Disposition": f'attachment; filename="{name}.json"',
                                           "Cache-Control": "no-store"})


@router.post("/api/v1/privacy/erasures", status_code=202, responses=problems(401, 403, 404, 422, 503),
             summary="Erase what is held about a person, with a reason: every service follows (offices)")
async def erase(body: Erasure, caller: Office, rpc: RpcCall, request: Request, response: Response):
    items = await held_about(rpc, caller, body)
    if not items:
        raise Problem(404, "Tidak ada data pribadi dengan nomor atau e-mail ini dalam wilayah Anda.",
                      "No personal data with this number or e-mail inside your scope.")
    erasure = await rpc("registry", "request_erasure", actor=actor(caller), data={
        "reason": body.reason, "records": [{k: item[k] for k in ("service", "kind", "id")} for item in items]})
    # the gateway's own copy: a submission kept with its Idempotency-Key holds the submitter too
    codes = [item["facts"].get("tracking_code") for item in items if item["service"] == "aspirations"]
    await run_in_threadpool(request.app.state.idempotency.forget, [code for code in codes if code])
    await log_access(request, caller, "privacy_erasure", f"erasure:{erasure['id']}", len(items))
    response.headers["Location"] = f"/api/v1/privacy/erasures/{erasure['id']}"
    return erasure


@router.get("/api/v1/privacy/erasures", responses=problems(401, 403, 422, 503),
            summary="Erasure requests and how far each service has come (offices: their own; admins: all)")
async def list_erasures(caller: Office, rpc: RpcCall, paging: Pages):
    result = await rpc("registry", "list_erasures", actor=actor(caller), limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/privacy/erasures/{erasure_id}", responses=problems(401, 403, 404, 422, 503),
            summary="One erasure request: `done` once every service has erased its share")
async def get_erasure(erasure_id: ErasureId, caller: Office, rpc: RpcCall):
    return await rpc("registry", "get_erasure", actor=actor(caller), erasure_id=erasure_id)


# --- the access log ----------------------------------------------------------------------------

@router.get("/api/v1/privacy/access-log", responses={**problems(401, 403, 422), 200: {"content": {
    "application/json": {}, "text/csv": {"schema": {"type": "string"}}}}},
            summary="Who saw which personal data, newest first (national admins; ?format=csv: all that match)")
async def access_log(caller: Admin, request: Request, paging: Pages,
                     since: Annotated[Moment | None, Query(alias="from")] = None,
                     until: Annotated[Moment | None, Query(alias="to")] = None,
                     by: Annotated[str | None, Query(alias="actor", max_length=100, pattern=r"^[\w:.-]+$")] = None,
                     action: Annotated[str | None, Query(max_length=30, pattern=r"^[a-z_]+$")] = None,
                     format: Literal["json", "csv"] = "json"):
    if caller.scope_region is not None:
        raise Problem(403, "Hanya admin nasional yang membaca log akses.",
                      "Only a national admin reads the access log.")
    log = request.app.state.access_log
    if format == "csv":
        body = await run_in_threadpool(log.csv, since, until, by, action)
        return Response(body, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="log-akses-data-pribadi.csv"'})
    items, total = await run_in_threadpool(log.page, since, until, by, action, paging.limit, paging.offset)
    return paging.page(items, total)


# --- the notices the forms show -------------------------------------------------------------------

def notice_view(notice) -> dict[str, Any]:
    return {"purpose": notice.purpose, "version": notice.version, "basis": notice.basis, "text": notice.id,
            "text_en": notice.en, "current": current_notice(notice.purpose) == notice}


@router.get("/api/v1/privacy/notices", tags=["public"],
            summary="The privacy notices a form shows, by purpose and version (send the version you showed)")
async def notices():
    return {"items": [notice_view(n) for n in NOTICES]}
