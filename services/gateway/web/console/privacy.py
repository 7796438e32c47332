"""A person's data (UU 27/2022) in the console: an office searches by phone or e-mail (the form is
posted, so the number never lands in a URL or a proxy's log), gives the person a copy (JSON, or a
page to print) and erases it with a reason; its erasure requests with each service's progress; a
national admin reads the access log and downloads it as CSV. Everything goes through
/api/v1/privacy, so every search and export is in the access log."""
from fastapi import Request
from fastapi.responses import Response

from services.gateway.web.api import Api
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.pages import Staff, form_data, render

router = console_router()


def person_of(form) -> dict:
    """{"phone": ...} or {"email": ...} from the form's one field: an address has an @."""
    value = (form.get("person") or "").strip()
    return {"email": value} if "@" in value else {"phone": value}


def _national(staff) -> bool:
    return staff.principal.role == "admin" and staff.principal.scope_region is None


async def _page(request: Request, staff, values=None, errors=None, found=None, erasure=None, status_code=200):
    erasures = await Api(request).get("/api/v1/privacy/erasures", limit=20)
    return render(request, "console/privacy.html", status_code=status_code, values=values or {},
                  errors=errors or {}, found=found, erasure=erasure, erasures=erasures, national=_national(staff))


def _errors(answer) -> dict:
    # the API names phone or email; the form has one field for either
    return {("person" if field in ("phone", "email", "") else field): message
            for field, message in answer.field_errors().items()}


@router.get("/privasi")
async def privacy(request: Request, staff: Staff):
    return await _page(request, staff)


@router.post("/privasi")
async def search(request: Request, staff: Staff):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/privacy/search", person_of(form))
    if not answer.ok:
        return await _page(request, staff, dict(form), _errors(answer), status_code=answer.status)
    return await _page(request, staff, dict(form), found=answer.data)


@router.post("/privasi/salinan")
async def export(request: Request, staff: Staff):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/privacy/export",
                                     {**person_of(form), "format": "html" if form.get("format") == "html" else "json"})
    if not answer.ok:
        return await _page(request, staff, dict(form), _errors(answer), status_code=answer.status)
    return Response(answer.content, media_type=answer.headers["content-type"], headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment"), "Cache-Control": "no-store"})


@router.post("/privasi/hapus")
async def erase(request: Request, staff: Staff):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/privacy/erasures",
                                     {**person_of(form), "reason": form.get("reason", "")})
    if not answer.ok:
        return await _page(request, staff, dict(form), _errors(answer), status_code=answer.status)
    return await _page(request, staff, {}, erasure=answer.data, status_code=202)


@router.get("/privasi/log")
async def access_log(request: Request, staff: Staff):
    if not _national(staff):
        raise PageError(403)
    entries = await Api(request).get("/api/v1/privacy/access-log", limit=200)
    return render(request, "console/access_log.html", entries=entries)


@router.get("/privasi/log.csv")
async def access_log_csv(request: Request, staff: Staff):
    answer = await Api(request).call("GET", "/api/v1/privacy/access-log", params={"format": "csv"})
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return Response(answer.content, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")})
