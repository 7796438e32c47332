"""Broadcasts: the list, writing one (with a count of its recipients before
sending), a broadcast's page with its figures per region and per channel, publishing,
withdrawing one sent by mistake (issue 16)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import Request

from services.common.vocabulary import BROADCAST_CATEGORIES, BROADCAST_PRIORITIES, CHANNEL_KINDS, KIM_CLASSIFICATIONS
from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router
from services.gateway.web.pages import PAGE_SIZE, Staff, form_data, page_offset, redirect, render, zone

router = console_router()


@router.get("/siaran")
async def broadcasts(request: Request, staff: Staff):
    items = await Api(request).get("/api/v1/broadcasts", limit=PAGE_SIZE, offset=page_offset(request))
    return render(request, "console/broadcasts.html", broadcasts=items, offset=page_offset(request),
                  page_size=PAGE_SIZE)


def local_moment(zone: ZoneInfo, value: str | None) -> str | None:
    """A datetime-local field, read in the platform's zone, as an ISO moment;
    anything else goes to the API as it is (which names the problem)."""
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return moment.replace(tzinfo=moment.tzinfo or zone).isoformat()


def target_of(form) -> dict:
    return {"regions": form.get("target.regions", "").replace(",", " ").split(),
            "tags": form.getlist("target.tags"), "classifications": form.getlist("target.classifications"),
            "include_vakum": form.get("target.include_vakum") == "ya"}


def broadcast_payload(request: Request, form) -> dict:
    return {"title": form.get("title", ""), "body": form.get("body", ""), "category": form.get("category") or None,
            "priority": form.get("priority") or "normal", "target": target_of(form),
            "publish_at": local_moment(zone(request), form.get("publish_at")),
            "expires_at": local_moment(zone(request), form.get("expires_at"))}


async def _broadcast_form(request: Request, values: dict, errors: dict, status_code: int = 200,
                          recipients: int | None = None):
    tags = await Api(request).get("/api/v1/tags")
    return render(request, "console/broadcast_new.html", status_code=status_code, values=values, errors=errors,
                  tags=tags["items"], classifications=KIM_CLASSIFICATIONS, categories=BROADCAST_CATEGORIES,
                  priorities=BROADCAST_PRIORITIES, recipients=recipients)


@router.get("/siaran/baru")
async def new_broadcast(request: Request, staff: Staff):
    values = {"target.regions": staff.principal.scope_region or "", "category": "program", "priority": "normal",
              "target.tags": [], "target.classifications": []}
    return await _broadcast_form(request, values, {})


@router.post("/siaran/baru")
async def save_broadcast(request: Request, staff: Staff):
    form = await form_data(request)
    values = {**form, "target.tags": form.getlist("target.tags"),
              "target.classifications": form.getlist("target.classifications")}
    api = Api(request)
    if form.get("action") == "hitung":  # without JavaScript: count, and show the form again
        answer = await api.send("POST", "/api/v1/broadcasts/preview", {"target": target_of(form)})
        if answer.ok:
            return await _broadcast_form(request, values, {}, recipients=answer.data["recipients"])
        return await _broadcast_form(request, values, answer.field_errors(), answer.status)
    answer = await api.send("POST", "/api/v1/broadcasts", broadcast_payload(request, form))
    if answer.ok:
        return redirect(request, f"/konsol/siaran/{answer.data['id']}")
    return await _broadcast_form(request, values, answer.field_errors(), answer.status)


async def _broadcast_page(request: Request, broadcast_id: str, errors: dict | None = None, status_code: int = 200):
    api = Api(request)
    broadcast = await api.get(f"/api/v1/broadcasts/{broadcast_id}")
    codes = [row["region"] for row in broadcast["stats"]["by_region"]]
    regions = await together(*(api.call("GET", f"/api/v1/regions/{code}") for code in codes))
    names = {code: region.data["name"] if region.ok else code for code, region in zip(codes, regions, strict=True)}
    return render(request, "console/broadcast.html", status_code=status_code, broadcast=broadcast,
                  region_names=names, errors=errors or {}, channel_kinds=CHANNEL_KINDS)


@router.get("/siaran/{broadcast_id}")
async def broadcast_page(request: Request, broadcast_id: str, staff: Staff):
    return await _broadcast_page(request, broadcast_id)


@router.post("/siaran/{broadcast_id}/terbitkan")
async def publish(request: Request, broadcast_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("POST", f"/api/v1/broadcasts/{broadcast_id}/publish")
    if answer.ok:
        return redirect(request, f"/konsol/siaran/{broadcast_id}")
    return await _broadcast_page(request, broadcast_id, answer.field_errors(), answer.status)


@router.post("/siaran/{broadcast_id}/tarik")
async def withdraw(request: Request, broadcast_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("POST", f"/api/v1/broadcasts/{broadcast_id}/withdraw")
    if answer.ok:
        return redirect(request, f"/konsol/siaran/{broadcast_id}")
    return await _broadcast_page(request, broadcast_id, answer.field_errors(), answer.status)
