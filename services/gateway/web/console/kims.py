"""The office console (admin, operator): groups, broadcasts, the aspiration
work queue, figures with CSV downloads, and people's accounts."""
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.common.vocabulary import (
    ASPIRATION_STATUSES,
    BROADCAST_CATEGORIES,
    BROADCAST_PRIORITIES,
    KIM_CLASSIFICATIONS,
    KIM_STATUSES,
    MEMBER_ROLES,
)
from services.gateway.web.api import Api
from services.gateway.web.errors import PageError
from services.gateway.web.pages import PAGE_SIZE, Staff, finish, form_data, page_offset, redirect, render, zone
from services.gateway.web.public import kim_list, village_choices

router = APIRouter(prefix="/konsol", include_in_schema=False)



def scope_code(staff) -> str:
    return staff.principal.scope_region or "ID"


def _none_if_empty(values: dict) -> dict | None:
    return values if any(v not in (None, "") for v in values.values()) else None


@router.get("")
async def dashboard(request: Request, staff: Staff):
    api = Api(request)
    coverage = await api.get(f"/api/v1/coverage/{scope_code(staff)}")
    figures = await api.get("/api/v1/aspirations/stats")
    broadcasts = await api.get("/api/v1/broadcasts", limit=5)
    overdue = await api.get("/api/v1/aspirations", overdue="true", limit=5)
    return render(request, "console/dashboard.html", coverage=coverage, figures=figures, broadcasts=broadcasts,
                  overdue=overdue)


# --- groups -------------------------------------------------------------------------------

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
    return {field: payload[field] for field in fields}


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
    tags = await api.get("/api/v1/tags")
    villages = await village_choices(api, request.query_params.get("cari"))
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
                    typed: dict | None = None, form_name: str | None = None):
    """A group's page; after a refused change, the form that was sent shows what was typed."""
    api = Api(request)
    kim = await api.get(f"/api/v1/kims/{kim_id}")
    members = await api.get(f"/api/v1/kims/{kim_id}/members")
    history = await api.get(f"/api/v1/kims/{kim_id}/status")
    activities = await api.get(f"/api/v1/kims/{kim_id}/activities", limit=10)
    tags = await api.get("/api/v1/tags")
    return render(request, "console/kim.html", status_code=status_code, kim=kim, members=members["items"],
                  history=history, activities=activities, tags=tags["items"], errors=errors or {},
                  values=typed if form_name == "anggota" else {},
                  flat={**flat_kim(kim), **(typed or {})} if form_name == "ubah" else flat_kim(kim),
                  classifications=KIM_CLASSIFICATIONS, member_roles=MEMBER_ROLES,
                  statuses=KIM_STATUSES, created=request.query_params.get("baru") == "1")


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
    payload = {"name": form.get("name", ""), "role": form.get("role") or None, "phone": form.get("phone") or None}
    return await _kim_change(request, kim_id, "POST", f"/api/v1/kims/{kim_id}/members", payload, "anggota", form)


@router.post("/kim/{kim_id}/anggota/{member_id}/hapus")
async def remove_member(request: Request, kim_id: str, member_id: str, staff: Staff):
    await form_data(request)
    return await _kim_change(request, kim_id, "DELETE", f"/api/v1/kims/{kim_id}/members/{member_id}", None,
                             "anggota")


@router.post("/kim/{kim_id}/status")
async def change_status(request: Request, kim_id: str, staff: Staff):
    form = await form_data(request)
    payload = {"status": form.get("status") or None, "reason": form.get("reason", "")}
    return await _kim_change(request, kim_id, "POST", f"/api/v1/kims/{kim_id}/status", payload, "status")


# --- broadcasts ----------------------------------------------------------------------------

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
    names = {}
    for row in broadcast["stats"]["by_region"]:
        region = await api.call("GET", f"/api/v1/regions/{row['region']}")
        names[row["region"]] = region.data["name"] if region.ok else row["region"]
    return render(request, "console/broadcast.html", status_code=status_code, broadcast=broadcast,
                  region_names=names, errors=errors or {})


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


# --- aspirations ---------------------------------------------------------------------------

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


# --- figures -----------------------------------------------------------------------------------

@router.get("/angka")
async def figures(request: Request, staff: Staff):
    api = Api(request)
    code = request.query_params.get("wilayah") or scope_code(staff)
    coverage = await api.get(f"/api/v1/coverage/{code}")
    aspirations = await api.get("/api/v1/aspirations/stats", region=None if code == "ID" else code)
    return render(request, "console/figures.html", coverage=coverage, aspirations=aspirations, code=code,
                  statuses=ASPIRATION_STATUSES)


async def _csv(request: Request, path: str, params: dict) -> Response:
    answer = await Api(request).call("GET", path, params={**params, "format": "csv"})
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    response = Response(answer.data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment")})
    return finish(request, response)


@router.get("/angka/cakupan.csv")
async def coverage_csv(request: Request, staff: Staff):
    code = request.query_params.get("wilayah") or scope_code(staff)
    return await _csv(request, f"/api/v1/coverage/{code}", {})


@router.get("/angka/aspirasi.csv")
async def aspirations_csv(request: Request, staff: Staff):
    code = request.query_params.get("wilayah")
    return await _csv(request, "/api/v1/aspirations/stats", {"region": None if code in (None, "ID") else code})


# --- people's accounts ------------------------------------------------------------------------

def account_roles(principal) -> tuple[str, ...]:
    """The roles of the accounts this office may create (the API's rule)."""
    if principal.role == "operator":
        return ("kim",)
    return ("operator", "kim") if principal.scope_region else ("operator", "kim", "admin")


async def _accounts_page(request: Request, staff, values: dict | None = None, errors: dict | None = None,
                         status_code: int = 200, link: dict | None = None):
    accounts = await Api(request).get("/api/v1/accounts", limit=200)
    roles = account_roles(staff.principal)
    return render(request, "console/accounts.html", status_code=status_code, accounts=accounts, roles=roles,
                  values=values or {"role": roles[0]}, errors=errors or {}, link=link)


@router.get("/akun")
async def accounts(request: Request, staff: Staff):
    return await _accounts_page(request, staff)


@router.post("/akun")
async def create_account(request: Request, staff: Staff):
    form = await form_data(request)
    role = form.get("role") or None
    payload = {"username": form.get("username", ""), "name": form.get("name", ""), "role": role,
               "scope_region": (form.get("scope_region") or None) if role != "kim" else None,
               "kim_id": (form.get("kim_id") or None) if role == "kim" else None}
    answer = await Api(request).send("POST", "/api/v1/accounts", payload)
    if answer.ok:
        return await _accounts_page(request, staff, status_code=201, link={**answer.data})
    return await _accounts_page(request, staff, dict(form), answer.field_errors(), answer.status)


@router.post("/akun/{account_id}/tautan")
async def new_link(request: Request, account_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("POST", f"/api/v1/accounts/{account_id}/setup-link")
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return await _accounts_page(request, staff, link={**answer.data, "id": account_id})


@router.post("/akun/{account_id}/nonaktifkan")
async def disable(request: Request, account_id: str, staff: Staff):
    await form_data(request)
    answer = await Api(request).send("DELETE", f"/api/v1/accounts/{account_id}")
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return redirect(request, "/konsol/akun")
