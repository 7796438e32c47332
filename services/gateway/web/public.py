"""Public pages: the home page and its search, the map of groups, the directory,
sending and tracking an aspiration."""
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.common.privacy import PURPOSES, current_notice
from services.common.regions import REGION_CODE
from services.common.tracking import normalise_tracking_code
from services.common.vocabulary import ASPIRATION_CATEGORIES
from services.gateway.routes.coverage import COVERAGE_CODE, public_coverage_of
from services.gateway.routes.kims import KIM_ID, public_kim
from services.gateway.routes.regions import region_detail
from services.gateway.web.api import Api, together
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import language, translator
from services.gateway.web.pages import PAGE_SIZE, Visitor, consent, form_data, page_offset, redirect, render

router = APIRouter(include_in_schema=False)

MAP_POINTS = 300  # markers on one district's map; the directory has the rest
PROFILE_POSTS = 10  # a group's newest posts on its page; its feed and /berita have the rest


SEARCH_RESULTS = 10  # villages and groups each: a name typed on the home page, not a browse
SEARCH_LENGTH = (2, 100)  # what the API's `q` takes


def _search_error(request: Request, text: str) -> str | None:
    _ = translator(language(request))
    if len(text) < SEARCH_LENGTH[0]:
        return _("Ketik sedikitnya 2 huruf.")
    if len(text) > SEARCH_LENGTH[1]:
        return _("Paling banyak 100 huruf.")
    return None


async def _village_found(api: Api, village: dict) -> dict:
    """A village as a search answers it: where it lies (district, regency,
    province) and its groups counted."""
    district, coverage = await together(api.read(region_detail, village["parent_code"], REGION_CODE),
                                        api.read(public_coverage_of, village["code"], COVERAGE_CODE))
    places = [district["name"], *(a["name"] for a in reversed(district["ancestors"]))]
    return {**village, "places": places, "coverage": coverage}


async def search(api: Api, text: str) -> dict:
    """Villages by name (each leading to its page: coverage and groups) and groups by name."""
    villages, kims = await together(
        api.call("GET", "/api/v1/regions", params={"q": text, "level": "village", "limit": SEARCH_RESULTS}),
        api.call("GET", "/api/v1/public/kims", params={"q": text, "limit": SEARCH_RESULTS}))
    found = villages.data["items"] if villages.ok else []
    return {"villages": await together(*(_village_found(api, v) for v in found)),
            "villages_total": villages.data["total"] if villages.ok else 0,
            "kims": kims.data if kims.ok else {"items": [], "total": 0}}


@router.get("/")
async def home(request: Request, _visitor: Visitor):
    """The national figures, and a search for one's own village or group (`?cari=`, a plain GET form)."""
    api = Api(request)
    text = (request.query_params.get("cari") or "").strip()
    if "cari" in request.query_params and (error := _search_error(request, text)):
        coverage = await api.read(public_coverage_of, "ID", COVERAGE_CODE)
        return render(request, "home.html", status_code=422, coverage=coverage, search={"cari": text},
                      errors={"cari": error}, results=None)
    if text:
        coverage, results = await together(api.read(public_coverage_of, "ID", COVERAGE_CODE), search(api, text))
    else:
        coverage, results = await api.read(public_coverage_of, "ID", COVERAGE_CODE), None
    return render(request, "home.html", coverage=coverage, search={"cari": text}, errors={}, results=results)


@router.get("/peta")
async def map_home(request: Request, _visitor: Visitor):
    return await region_map(request, "ID", _visitor)


@router.get("/peta/{code}")
async def region_map(request: Request, code: str, _visitor: Visitor):
    api = Api(request)
    local = code != "ID" and code.count(".") >= 2  # a district or a village: its groups on a map and in a list
    coverage, region, kims = await together(
        api.read(public_coverage_of, code, COVERAGE_CODE),
        api.read(region_detail, code, REGION_CODE) if code != "ID" else None,
        api.get("/api/v1/public/kims", region=code, limit=MAP_POINTS) if local else None)
    if not local:
        # a province or a regency has too many groups for one page: the table leads down to them
        kims = {"items": [], "total": coverage["kim_active"] + coverage["kim_vakum"]}
    points = [{"id": k["id"], "name": k["name"], "status": k["status"], "lat": k["lat"], "lon": k["lon"]}
              for k in kims["items"] if k.get("lat") is not None and k.get("lon") is not None]
    children = coverage["children"]
    order = request.query_params.get("urut")
    if order == "cakupan":  # where groups are missing first
        children = sorted(children, key=lambda c: (c["coverage_percent"], -c["villages_total"]))
    return render(request, "map.html", coverage=coverage, region=region, children=children, order=order,
                  kims=kims, points=points)


async def kim_list(request: Request, api_path: str, template: str, **context) -> Response:
    """A page of groups from the API's list, with the filters of the form
    (q, wilayah, status); a filter in the wrong form is shown next to its field."""
    query = request.query_params
    shown = {"q": query.get("q") or None, "wilayah": query.get("wilayah") or None, "status": query.get("status")}
    params = {"q": shown["q"], "region": shown["wilayah"], "status": shown["status"] or None,
              "limit": PAGE_SIZE, "offset": page_offset(request)}
    answer = await Api(request).call("GET", api_path, params=params)
    if answer.status == 422:
        errors = {("wilayah" if field == "region" else field): message
                  for field, message in answer.field_errors().items()}
        return render(request, template, status_code=422, filters=shown, errors=errors,
                      kims={"items": [], "total": 0}, offset=0, page_size=PAGE_SIZE, **context)
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    return render(request, template, filters=shown, errors={}, kims=answer.data, offset=page_offset(request),
                  page_size=PAGE_SIZE, **context)


@router.get("/kim")
async def directory(request: Request, _visitor: Visitor):
    return await kim_list(request, "/api/v1/public/kims", "directory.html")


@router.get("/kim/{kim_id}")
async def profile(request: Request, kim_id: str, _visitor: Visitor):
    api = Api(request)
    kim = await api.read(public_kim, kim_id, KIM_ID)
    posts = await api.get("/api/v1/public/posts", kim_id=kim["id"], limit=PROFILE_POSTS)  # issue 15
    return render(request, "profile.html", kim=kim, posts=posts)


# --- aspirations -----------------------------------------------------------------------

async def village_choices(api: Api, search: str | None) -> list[dict]:
    if not search or len(search) < 2:
        return []
    result = await api.call("GET", "/api/v1/regions", params={"q": search, "level": "village", "limit": 30})
    return result.data["items"] if result.ok else []


async def aspiration_form(request: Request, values: dict, errors: dict, status_code: int = 200,
                          template: str = "aspiration_form.html", **context) -> Response:
    api = Api(request)
    villages = await village_choices(api, request.query_params.get("cari") or values.get("cari"))
    # one key per form shown: sending the same form twice (a double tap, a retry) files one aspiration
    values = {**values, "submission_key": values.get("submission_key") or secrets.token_urlsafe(16)}
    return render(request, template, status_code=status_code, values=values, errors=errors,
                  villages=villages, categories=ASPIRATION_CATEGORIES, **context)


@router.get("/aspirasi")
async def new_aspiration(request: Request, _visitor: Visitor):
    values = {"village_code": request.query_params.get("desa", ""), "kim_id": request.query_params.get("kim", ""),
              "cari": request.query_params.get("cari", ""), "kind": "aspirasi"}
    return await aspiration_form(request, values, {})


def aspiration_payload(form) -> dict:
    """The API's submission from the form's fields (same names, dotted)."""
    submitter = {key: form.get(f"submitter.{key}") or None for key in ("name", "phone", "email")}
    category = form.get("category") or ""
    if category == "lainnya" and form.get("category_other"):
        category = form.get("category_other")
    return {
        "kind": form.get("kind") or None, "category": category, "body": form.get("body", ""),
        "village_code": form.get("village_code", ""), "kim_id": form.get("kim_id") or None,
        "submitter": submitter if any(submitter.values()) else None,
        "anonim": form.get("anonim") == "ya", "rahasia": form.get("rahasia") == "ya",
        "publik": form.get("publik") == "ya",
        **consent(form),
    }


def submission_key(form) -> dict:
    key = form.get("submission_key")
    return {"Idempotency-Key": f"web:{key}"} if key else {}


@router.post("/aspirasi")
async def send_aspiration(request: Request, _visitor: Visitor):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/aspirations", aspiration_payload(form),
                                     headers=submission_key(form))
    if answer.ok:
        return render(request, "aspiration_sent.html", status_code=202, tracking_code=answer.data["tracking_code"])
    return await aspiration_form(request, dict(form), answer.field_errors() or {"": answer.detail},
                                 status_code=answer.status)


@router.get("/lacak")
async def track_form(request: Request, _visitor: Visitor):
    code = normalise_tracking_code((request.query_params.get("kode") or "").strip())
    if code:
        return redirect(request, f"/lacak/{code}")
    return render(request, "track.html", code="", aspiration=None, errors={})


@router.get("/lacak/{code}")
async def track(request: Request, code: str, _visitor: Visitor):
    answer = await Api(request).call("GET", f"/api/v1/aspirations/track/{code}")
    if answer.ok:
        return render(request, "track.html", code=code, aspiration=answer.data, errors={})
    return render(request, "track.html", status_code=404 if answer.status in (404, 422) else answer.status,
                  code=code, aspiration=None, errors={"kode": answer.detail})


@router.get("/privasi")
async def privacy(request: Request, _visitor: Visitor):
    """Kebijakan privasi (UU 27/2022): what is kept, why, for how long, and how to ask for it."""
    settings = request.app.state.settings
    return render(request, "privacy.html", notices=[current_notice(p) for p in PURPOSES],
                  contact_days=settings.retention_contact_days, member_days=settings.retention_member_days)
