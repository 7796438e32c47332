"""Open311 GeoReport v2, for existing civic tools: our categories are its
services, our tracking codes its service_request_id, our states open/closed."""
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request

from services.gateway.deps import RpcCall, authenticate
from services.gateway.problems import Problem
from services.gateway.routes.aspirations import (
    INTAKE_QUEUE,
    LINK,
    PHONE,
    AspirationCreate,
    _require_village,
    new_submission,
)
from services.gateway.routes.common import EMAIL, TEXT, problems

router = APIRouter(prefix="/open311/v2", tags=["open311"])

# service_code -> (name, description); an aspiration's category is its service
SERVICES = {
    "infrastruktur": ("Infrastruktur", "Jalan, jembatan, drainase, penerangan jalan"),
    "kesehatan": ("Kesehatan", "Puskesmas, posyandu, layanan kesehatan"),
    "pendidikan": ("Pendidikan", "Sekolah, beasiswa, layanan pendidikan"),
    "administrasi": ("Administrasi kependudukan", "KTP, KK, akta, surat keterangan"),
    "lingkungan": ("Lingkungan hidup", "Sampah, pencemaran, kebersihan"),
    "sosial": ("Sosial", "Bantuan sosial, disabilitas, lansia"),
    "ekonomi": ("Ekonomi dan UMKM", "Usaha kecil, pasar, harga"),
    "keamanan": ("Ketertiban dan keamanan", "Ketertiban umum, keamanan lingkungan"),
    "lainnya": ("Lainnya", "Hal lain"),
}


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


def or_empty(pattern: str) -> str:
    # a form field left empty is a field not given
    return f"^$|{pattern}"


@router.post("/requests.json", status_code=201, summary="Open311: create a request (form-encoded, api_key)")
async def create_request(request: Request, rpc: RpcCall,
                         api_key: Annotated[str, Form(min_length=8, max_length=200)],
                         service_code: Annotated[str, Form(min_length=1, max_length=50)],
                         description: Annotated[str, Form(min_length=5, max_length=10_000, pattern=TEXT)],
                         address_id: Annotated[str, Form(pattern=r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
                                                         description="the village code")],
                         email: Annotated[str, Form(max_length=200, pattern=or_empty(EMAIL))] = None,
                         first_name: Annotated[str, Form(max_length=99, pattern=or_empty(TEXT))] = None,
                         last_name: Annotated[str, Form(max_length=99, pattern=or_empty(TEXT))] = None,
                         phone: Annotated[str, Form(pattern=or_empty(PHONE))] = None,
                         media_url: Annotated[str, Form(max_length=500, pattern=or_empty(LINK))] = None):
    caller = await authenticate(request, api_key)
    if service_code not in SERVICES:
        raise Problem(422, f"Layanan {service_code} tidak dikenal.", f"Unknown service {service_code}.",
                      errors=[{"field": "service_code", "in": "body", "message": f"one of {', '.join(SERVICES)}"}])
    name = " ".join(part for part in (first_name, last_name) if part) or None
    body = AspirationCreate(kind="pengaduan", category=service_code, body=description, village_code=address_id,
                            submitter={"name": name, "phone": phone, "email": email},
                            attachments=[media_url] if media_url else [])
    await _require_village(rpc, address_id)
    submission = new_submission(f"open311:{caller.key_id}", {
        **body.model_dump(mode="json"), "kim_id": caller.kim_id if caller.role == "kim" else None})
    await rpc.client.send_command(INTAKE_QUEUE, submission, rpc.correlation_id)
    tracking_code = submission["tracking_code"]
    return [{"service_request_id": tracking_code, "service_notice": "Diterima; lacak dengan kode ini.",
             "account_id": None}]


@router.get("/requests.json", summary="Open311: public requests (rahasia ones are never listed)")
async def list_requests(rpc: RpcCall,
                        service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
                        service_code: Annotated[str | None, Query(max_length=50)] = None,
                        status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None):
    codes = [c.strip() for c in service_request_id.split(",") if c.strip()] if service_request_id else None
    return await rpc("aspirations", "open311_requests", codes=codes, service_code=service_code, status=status,
                     limit=1000 if codes else 100)


@router.get("/requests/{service_request_id}.json", responses=problems(404), summary="Open311: one request")
async def get_request(service_request_id: Annotated[str, Path(min_length=6, max_length=20)], rpc: RpcCall):
    found = await rpc("aspirations", "open311_requests", codes=[service_request_id.replace("-", "")], limit=1)
    if not found:
        raise Problem(404, "Permintaan tidak ditemukan.", "No such request.")
    return found
