"""Open311 GeoReport v2, for existing civic tools: our categories are its
services, our tracking codes its service_request_id, our states open/closed.

Errors are GeoReport errors, as Open311 clients read them: the status (400,
403 for a wrong api_key, 404, 503) and `[{"code": status, "description": ...}]`
in the reader's language, never an RFC 9457 problem and never a 422."""
import re
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from services.common.regions import VILLAGE_CODE
from services.common.vocabulary import ASPIRATION_CATEGORIES
from services.gateway.deps import RpcCall, authenticate
from services.gateway.problems import Problem, field_message, georeport_errors, prefers_english
from services.gateway.routes.aspirations import (
    INTAKE_QUEUE,
    LINK,
    PHONE,
    AspirationCreate,
    new_submission,
)
from services.gateway.routes.common import EMAIL, TEXT, KnownRegions


class GeoReportError(BaseModel):
    code: int
    description: str


# Our statuses as GeoReport's: a wrong or missing key is 403, a field problem 400.
GEOREPORT_STATUS = {401: 403, 403: 403, 404: 404, 503: 503}

# the API's field -> the Open311 field a client sent it in
OPEN311_FIELD = {"body": "description", "category": "service_code", "village_code": "address_id",
                 "submitter.name": "first_name", "submitter.phone": "phone", "submitter.email": "email",
                 "attachments": "media_url", "attachments.0": "media_url"}


def _field_errors(errors: Sequence[Any], english: bool) -> list[tuple[str, str]]:
    described = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        field = OPEN311_FIELD.get(".".join(loc), ".".join(loc) or "request")
        if field == "address_id" and error.get("type") == "missing":
            described.append(VILLAGE_NEEDED)  # a position alone cannot be routed: say what is needed
            continue
        described.append((f"{field}: {field_message(error, False)}", f"{field}: {field_message(error, True)}"))
    return described


class GeoReportRoute(APIRoute):
    """Every error raised while answering an Open311 request becomes a GeoReport error."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def answer(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return georeport_errors(request, 400, _field_errors(exc.errors(), prefers_english(request)))
            except Problem as problem:
                status = GEOREPORT_STATUS.get(problem.status, 400 if problem.status < 500 else 503)
                described = [(f"{e['field']}: {problem.detail}", f"{e['field']}: {problem.detail_en or problem.detail}")
                             for e in problem.errors or [] if e.get("field")]
                described = described or [(problem.detail, problem.detail_en or problem.detail)]
                headers = {k: v for k, v in problem.headers.items() if k.lower() == "retry-after"}
                return georeport_errors(request, status, described, headers=headers or None)
            except StarletteHTTPException as exc:
                status = GEOREPORT_STATUS.get(exc.status_code, 400)
                return georeport_errors(request, status, [("Permintaan tidak valid.", "Invalid request.")])
        return answer


router = APIRouter(prefix="/open311/v2", tags=["open311"], route_class=GeoReportRoute)

GEOREPORT_ERRORS = {
    status: {"model": list[GeoReportError], "description": description}
    for status, description in ((400, "A field is missing or wrong (GeoReport error)"),
                                (403, "The api_key is missing, unknown or revoked (GeoReport error)"),
                                (404, "No such request (GeoReport error)"),
                                (503, "A service is unavailable; try again after Retry-After (GeoReport error)"),
                                ("default", "Any other error, in the same GeoReport shape"))}

# service_code -> (name, description); an aspiration's category is its service
SERVICES = {term.code: term.service for term in ASPIRATION_CATEGORIES.terms}


@router.get("/discovery.json", summary="Open311 discovery")
async def discovery(request: Request):
    base = str(request.base_url).rstrip("/") + "/open311/v2/"
    return {"changeset": "2026-11-28T00:00:00Z", "contact": "Diskominfo",
            "key_service": "API keys are issued by a Diskominfo admin (POST /api/v1/keys)",
            "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                           "changeset": "2026-11-28T00:00:00Z", "type": "production",
                           "formats": ["application/json"]}]}


@router.get("/services.json", summary="Open311 services: the aspiration categories")
async def services():
    return [{"service_code": code, "service_name": name, "description": description, "metadata": False,
             "type": "realtime", "keywords": code, "group": "aspirasi"}
            for code, (name, description) in SERVICES.items()]


# a phone as people write it: "(0761) 12345", "0812.3456.7890", "+62 812-3456-7890"; 6 to 20 digits
WRITTEN_PHONE = r"^\+?[() .-]*([0-9][() .-]*){6,20}$"


def written_phone(phone: str | None) -> str | None:
    """A phone as people write it (WRITTEN_PHONE), in the API's form (PHONE)."""
    if not phone:
        return None
    plus = "+" if phone.startswith("+") else ""
    grouped = plus + " ".join(re.sub(r"[().-]", " ", phone.removeprefix("+")).split())
    return grouped if re.match(PHONE, grouped) else plus + re.sub(r"\D", "", phone)


def or_empty(pattern: str) -> str:
    # a form field left empty is a field not given
    return f"^$|{pattern}"


VILLAGE_NEEDED = ("address_id: kode desa/kelurahan wajib diisi, misalnya 14.71.01.1002; permintaan dengan lat/long "
                  "saja tidak dapat diarahkan ke kantor yang menanganinya.",
                  "address_id: the village code is required, such as 14.71.01.1002; a request with only lat/long "
                  "cannot be routed to the office that handles it.")


@router.post("/requests.json", status_code=201, responses=GEOREPORT_ERRORS,
             summary="Open311: create a request (form-encoded, api_key); address_id, the village code, is required; "
                     "not listed publicly unless publik=true")
async def create_request(request: Request, rpc: RpcCall, regions: KnownRegions,
                         api_key: Annotated[str, Form(min_length=8, max_length=200)],
                         service_code: Annotated[str, Form(min_length=1, max_length=50)],
                         description: Annotated[str, Form(min_length=5, max_length=10_000, pattern=TEXT)],
                         address_id: Annotated[str, Form(
                             pattern=VILLAGE_CODE,
                             description="the village code (required: a position alone cannot be routed)")],
                         # optional fields are typed without null: a form has no null, only a field left out
                         lat: Annotated[float, Form(ge=-90, le=90, description="accepted, not used")] = None,
                         long: Annotated[float, Form(ge=-180, le=180, description="accepted, not used")] = None,
                         email: Annotated[str, Form(max_length=200, pattern=or_empty(EMAIL))] = None,
                         first_name: Annotated[str, Form(max_length=99, pattern=or_empty(TEXT))] = None,
                         last_name: Annotated[str, Form(max_length=99, pattern=or_empty(TEXT))] = None,
                         phone: Annotated[str, Form(max_length=40, pattern=or_empty(WRITTEN_PHONE))] = None,
                         media_url: Annotated[str, Form(max_length=500, pattern=or_empty(LINK))] = None,
                         publik: Annotated[Literal["true", "false"], Form(
                             description="true: the submitter chooses to publish the request in the public list "
                                         "(never the contact)")] = "false"):
    try:
        caller = await authenticate(request, api_key)
    except Problem as problem:
        raise Problem(403, problem.detail, problem.detail_en, errors=[{"field": "api_key"}]) from None
    if service_code not in SERVICES:
        raise Problem(400, f"Layanan tidak dikenal; pilih salah satu dari: {', '.join(SERVICES)}.",
                      f"Unknown service; choose one of: {', '.join(SERVICES)}.",
                      errors=[{"field": "service_code"}])
    name = " ".join(part for part in (first_name, last_name) if part) or None
    try:
        body = AspirationCreate(kind="pengaduan", category=service_code, body=description, village_code=address_id,
                                submitter={"name": name, "phone": written_phone(phone), "email": email or None},
                                attachments=[media_url] if media_url else [], publik=publik == "true")
    except ValidationError as invalid:
        return georeport_errors(request, 400, _field_errors(invalid.errors(), prefers_english(request)))
    if not await regions.exists(address_id):
        raise Problem(400, "Kode desa/kelurahan ini tidak ada.", "There is no village with this code.",
                      errors=[{"field": "address_id"}])
    submission = new_submission(f"open311:{caller.key_id}", {
        **body.model_dump(mode="json"), "kim_id": caller.kim_id if caller.role == "kim" else None},
        filed_by_kim=caller.role == "kim")
    await rpc.send_command(INTAKE_QUEUE, submission)
    tracking_code = submission["tracking_code"]
    return [{"service_request_id": tracking_code, "service_notice": "Diterima; lacak dengan kode ini.",
             "account_id": None}]


@router.get("/requests.json", responses=GEOREPORT_ERRORS,
            summary="Open311: the requests their submitters chose to publish (publik), newest first; by "
                    "service_request_id, any request as its tracking code shows it (a rahasia one: its status only)")
async def list_requests(rpc: RpcCall,
                        service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
                        service_code: Annotated[str | None, Query(max_length=50)] = None,
                        status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None):
    codes = [c.strip() for c in service_request_id.split(",") if c.strip()] if service_request_id else None
    return await rpc("aspirations", "open311_requests", codes=codes, service_code=service_code, status=status,
                     limit=1000 if codes else 100)


@router.get("/requests/{service_request_id}.json", responses=GEOREPORT_ERRORS,
            summary="Open311: one request by its tracking code (a rahasia one: its status only)")
async def get_request(service_request_id: Annotated[str, Path(min_length=6, max_length=20)], rpc: RpcCall):
    found = await rpc("aspirations", "open311_requests", codes=[service_request_id.replace("-", "")], limit=1)
    if not found:
        raise Problem(404, "Permintaan tidak ditemukan.", "No such request.")
    return found
