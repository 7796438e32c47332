"""The groups: the list, registering one, a group's page and its changes
(its record, members, channels, status)."""
from fastapi import Request

from services.common.vocabulary import CHANNEL_KINDS, KIM_CLASSIFICATIONS, KIM_STATUSES, MEMBER_ROLES
from services.gateway.web.api import Api, together
from services.gateway.web.channels import (
    CHANGES,
    add_channel,
    change_channel,
    channel_context,
    channel_errors,
    channel_list,
)
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.pages import Staff, consent, form_data, redirect, render
from services.gateway.web.public import kim_list, village_choices

router = console_router()


def _none_if_empty(values: dict) -> dict | None:
    return values if any(v not in (None, "") for v in values.values()) else None


@router.get("/kim")
async def kims(request: Request, staff: Staff):
    return await kim_list(request, "/api/v1/kims", "console/kims.html", statuses=KIM_STATUSES)


def kim_payload(form, fields=("name", "village_code", "sk", "tags", "classification", "contact", "address",
                              "lat", "lon")) -> dict:
    """The API's KIM fields from the form (the form names them as the API does)."""
    payload = {
        "name": form.get("name", ""), "village_code": form.get("village_code", ""),
        "sk": {"number": form.get("sk.number", ""), "date": form.get("sk.date") or None,
               "issuer": form.get("sk.issuer", "")},
        "tags": form.getlist("tags"), "classification": form.get("classification") or None,
        "contact": _none_if_empty({"person": form.get("contact.person") or None,
                                   "phone": form.get("contact.phone") or None,
                                   "email": form.get("contact.email") or None}),
        "address": form.get("address") or None, "lat": form.number("lat"), "lon": form.number("lon"),
    }
    chosen = {field: payload[field] for field in fields}
    return {**chosen, **consent(form)} if chosen.get("contact") else chosen


def flat_kim(kim: dict) -> dict:
    """A group's record as the edit form names its fields (sk.number, contact.phone, ...)."""
    values = {key: value for key, value in kim.items() if not isinstance(value, dict)}
    for group in ("sk", "contact"):
        for key, value in (kim.get(group) or {}).items():
            values[f"{group}.{key}"] = value
    if not values.get("contact.person") and (kim.get("contact") or {}).get("name"):
        values["contact.person"] = kim["contact"]["name"]
    return values


async def _kim_form(request: Request, values: dict, errors: dict, status_code: int = 200):
    api = Api(request)
    tags, villages = await together(api.get("/api/v1/tags"), village_choices(api, request.query_params.get("cari")))
    return render(request, "console/kim_new.html", status_code=status_code, values=values, errors=errors,
                  tags=tags["items"], villages=villages, classifications=KIM_CLASSIFICATIONS)


@router.get("/kim/baru")
async def new_kim(request: Request, staff: Staff):
    prefix = staff.principal.scope_region or ""
    return await _kim_form(request, {"village_code": prefix + "." if prefix else "",
                                     "classification": "tumbuh", "tags": []}, {})


@router.post("/kim/baru")
async def register_kim(request: Request, staff: Staff):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/kims", kim_payload(form))
    if answer.ok:
        return redirect(request, f"/konsol/kim/{answer.data['id']}?baru=1")
    return await _kim_form(request, {**form, "tags": form.getlist("tags")}, answer.field_errors(), answer.status)


async def _kim_page(request: Request, kim_id: str, errors: dict | None = None, status_code: int = 200,
                    typed: dict | None = None, form_name: str | None = None, new_channel: dict | None = None):
    """A group's page; after a refused change, the form that was sent shows what was typed; after
    a channel was added, its link code (shown nowhere else)."""
    api = Api(request)
    kim, members, history, activities, tags, channels = await together(
        api.get(f"/api/v1/kims/{kim_id}"),
        api.get(f"/api/v1/kims/{kim_id}/members"),
        api.get(f"/api/v1/kims/{kim_id}/status"),
        api.get(f"/api/v1/kims/{kim_id}/activities", limit=10),
        api.get("/api/v1/tags"),
        channel_list(api, kim_id))
    return render(request, "console/kim.html", status_code=status_code, kim=kim, members=members["items"],
                  history=history, activities=activities, tags=tags["items"], errors=errors or {},
                  values=typed if form_name == "anggota" else {},
                  channel_values=typed if form_name == "saluran" else {},
                  flat={**flat_kim(kim), **(typed or {})} if form_name == "ubah" else flat_kim(kim),
                  classifications=KIM_CLASSIFICATIONS, member_roles=MEMBER_ROLES, channel_kinds=CHANNEL_KINDS,
                  statuses=KIM_STATUSES, created=request.query_params.get("baru") == "1",
                  **channel_context(request, channels, new_channel))


@router.get("/kim/{kim_id}")
async def kim_page(request: Request, kim_id: str, staff: Staff):
    return await _kim_page(request, kim_id)


async def _kim_change(request: Request, kim_id: str, method: str, path: str, payload: dict | None, form_name: str,
                      form=None, headers: dict | None = None):
    answer = await Api(request).send(method, path, payload, headers=headers)
    if answer.ok:
        return redirect(request, f"/konsol/kim/{kim_id}#{form_name}")
    errors = {(f"{form_name}:{field}" if field else ""): message for field, message in answer.field_errors().items()}
    typed = {**form, "tags": form.getlist("tags")} if form is not None else None
    return await _kim_page(request, kim_id, errors, answer.status, typed, form_name)


@router.post("/kim/{kim_id}/ubah")
async def edit_kim(request: Request, kim_id: str, staff: Staff):
    form = await form_data(request)
    return await _kim_change(request, kim_id, "PATCH", f"/api/v1/kims/{kim_id}", kim_payload(form),
                             "ubah", form, headers={"If-Match": f'"{form.get("version", "")}"'})


@router.post("/kim/{kim_id}/anggota")
async def add_member(request: Request, kim_id: str, staff: Staff):
    form = await form_data(request)
    payload = {"name": form.get("name", ""), "role": form.get("role") or None, "phone": form.get("phone") or None,
               **consent(form)}
    return await _kim_change(request, kim_id, "POST", f"/api/v1/kims/{kim_id}/members", payload, "anggota", form)


@router.post("/kim/{kim_id}/anggota/{member_id}/hapus")
async def remove_member(request: Request, kim_id: str, member_id: str, staff: Staff):
    await form_data(request)
    return await _kim_change(request, kim_id, "DELETE", f"/api/v1/kims/{kim_id}/members/{member_id}", None,
                             "anggota")


@router.post("/kim/{kim_id}/saluran")
async def new_channel(request: Request, kim_id: str, staff: Staff):
    """The page itself answers, with the link code: a redirect would lose it (it is shown once)."""
    form = await form_data(request)
    answer = await add_channel(Api(request), kim_id, form)
    if answer.ok:
        return await _kim_page(request, kim_id, new_channel=answer.data)
    return await _kim_page(request, kim_id, channel_errors(answer), answer.status, dict(form), "saluran")


@router.post("/kim/{kim_id}/saluran/{channel_id}/{change}")
async def channel_change(request: Request, kim_id: str, channel_id: str, change: str, staff: Staff):
    """jeda (pause), lanjut (resume), hapus (remove)."""
    if change not in CHANGES:
        raise PageError(404)
    await form_data(request)
    answer = await change_channel(Api(request), kim_id, channel_id, change)
    if answer.ok:
        return redirect(request, f"/konsol/kim/{kim_id}#saluran")
    return await _kim_page(request, kim_id, {"": answer.detail}, answer.status)


@router.post("/kim/{kim_id}/status")
async def change_status(request: Request, kim_id: str, staff: Staff):
    form = await form_data(request)
    payload = {"status": form.get("status") or None, "reason": form.get("reason", "")}
    return await _kim_change(request, kim_id, "POST", f"/api/v1/kims/{kim_id}/status", payload, "status")
