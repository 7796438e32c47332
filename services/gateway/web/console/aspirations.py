"""The aspiration work queue and an aspiration's page with its next steps."""
from datetime import datetime

from fastapi import Request

from services.common.vocabulary import ASPIRATION_STATUSES
from services.gateway.web.api import Api
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.pages import PAGE_SIZE, Staff, form_data, page_offset, redirect, render

router = console_router()


@router.get("/aspirasi")
async def work_queue(request: Request, staff: Staff):
    query = request.query_params
    filters = {"status": query.get("status") or None, "overdue": query.get("lewat") or None,
               "tracking_code": query.get("kode") or None}
    answer = await Api(request).call("GET", "/api/v1/aspirations", params={
        **filters, "limit": PAGE_SIZE, "offset": page_offset(request)})
    errors = {("kode" if field == "tracking_code" else field): message
              for field, message in answer.field_errors().items()} if answer.status == 422 else {}
    if not answer.ok and not errors:
        raise PageError(answer.status, answer.detail)
    return render(request, "console/aspirations.html", status_code=answer.status,
                  aspirations=answer.data if answer.ok else {"items": [], "total": 0}, filters=filters,
                  errors=errors, statuses=ASPIRATION_STATUSES, offset=page_offset(request), page_size=PAGE_SIZE)


async def _aspiration_page(request: Request, aspiration_id: str, errors: dict | None = None,
                           status_code: int = 200, values: dict | None = None):
    aspiration = await Api(request).get(f"/api/v1/aspirations/{aspiration_id}")
    return render(request, "console/aspiration.html", status_code=status_code, aspiration=aspiration,
                  errors=errors or {}, values=values or {}, now=datetime.now().astimezone().isoformat())


@router.get("/aspirasi/{aspiration_id}")
async def aspiration_page(request: Request, aspiration_id: str, staff: Staff):
    return await _aspiration_page(request, aspiration_id)


@router.post("/aspirasi/{aspiration_id}/langkah")
async def step(request: Request, aspiration_id: str, staff: Staff):
    form = await form_data(request)
    payload = {"to": form.get("to") or None, "note": form.get("note") or None,
               "response": form.get("response") or None}
    answer = await Api(request).send("POST", f"/api/v1/aspirations/{aspiration_id}/transition", payload)
    if answer.ok:
        return redirect(request, f"/konsol/aspirasi/{aspiration_id}")
    return await _aspiration_page(request, aspiration_id, answer.field_errors(), answer.status, dict(form))
