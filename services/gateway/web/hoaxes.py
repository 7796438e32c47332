"""The hoax clarification loop on the website (issue 15): the public
`/klarifikasi` (labelled cases, searchable, an Atom feed) and its form to
report a claim, the group portal's form, and the office console's cases: the
list, a case with its reports and where they come from, the verdict, moving
a report, and sending the clarification."""
import re
import secrets
from datetime import UTC, datetime
from xml.etree import ElementTree

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.common.regions import REGION_CODE
from services.common.vocabulary import BROADCAST_PRIORITIES, HOAX_CASE_STATUSES, HOAX_LABELS, HOAX_SOURCES
from services.gateway.routes.kims import KIM_ID, public_kim
from services.gateway.routes.regions import region_detail
from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import labeler, language
from services.gateway.web.pages import (
    PAGE_SIZE,
    GroupMember,
    Staff,
    Visitor,
    finish,
    form_data,
    page_offset,
    redirect,
    render,
)
from services.gateway.web.posts import base_url
from services.gateway.web.public import village_choices

public = APIRouter(include_in_schema=False)
console = console_router()
portal = APIRouter(prefix="/portal", include_in_schema=False)

FEED_ENTRIES = 50
ATOM = "http://www.w3.org/2005/Atom"
# what XML 1.0 cannot carry at all (an API text may hold control characters): dropped from the feed
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CASE_ID = re.compile(r"^[0-9a-f-]{36}$")


def _case_id(value: str) -> str:
    if not CASE_ID.match(value):
        raise PageError(404)
    return value


def report_payload(form, village_code: str | None = None) -> dict:
    return {"text": form.get("text", ""), "link": form.get("link") or None, "seen_on": form.get("seen_on") or None,
            "seen_at": form.get("seen_at") or None, "village_code": village_code or form.get("village_code", "")}


# --- public ---------------------------------------------------------------------------

@public.get("/klarifikasi")
async def clarifications(request: Request, _visitor: Visitor):
    q = (request.query_params.get("q") or "").strip()
    answer = await Api(request).call("GET", "/api/v1/public/klarifikasi", params={
        "q": q or None, "limit": PAGE_SIZE, "offset": page_offset(request)})
    errors = {"q": answer.field_errors().get("q", answer.detail)} if answer.status == 422 else {}
    if not answer.ok and not errors:
        raise PageError(answer.status, answer.detail)
    return render(request, "hoax_public.html", status_code=answer.status, q=q, errors=errors,
                  cases=answer.data if answer.ok else {"items": [], "total": 0}, offset=page_offset(request),
                  page_size=PAGE_SIZE)


def _text(value) -> str:
    return NOT_XML.sub("", str(value or ""))


def atom_feed(cases: list[dict], base: str, lang: str) -> bytes:
    """The labelled cases as Atom: every text escaped by the XML writer, and
    what XML cannot hold at all removed, so a hostile headline stays text."""
    label = labeler(lang)
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    ElementTree.SubElement(feed, f"{{{ATOM}}}title").text = (
        "Klarifikasi hoaks · Platform KIM" if lang != "en" else "Hoax clarifications · KIM Platform")
    ElementTree.SubElement(feed, f"{{{ATOM}}}id").text = f"{base}/klarifikasi"
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}/klarifikasi/feed.atom")
    ElementTree.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/klarifikasi")
    moments = [c["labelled_at"] for c in cases if c.get("labelled_at")]
    ElementTree.SubElement(feed, f"{{{ATOM}}}updated").text = max(
        moments, default=datetime(2026, 1, 1, tzinfo=UTC).isoformat())
    for case in cases:
        entry = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        ElementTree.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:uuid:{case['id']}"
        ElementTree.SubElement(entry, f"{{{ATOM}}}title").text = _text(f"{label(case['label'])}: {case['title']}")
        ElementTree.SubElement(entry, f"{{{ATOM}}}updated").text = case["labelled_at"]
        ElementTree.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/klarifikasi/{case['id']}")
        ElementTree.SubElement(entry, f"{{{ATOM}}}category", term=case["label"], label=label(case["label"]))
        ElementTree.SubElement(entry, f"{{{ATOM}}}summary", type="text").text = _text(case["explanation"])
        author = ElementTree.SubElement(entry, f"{{{ATOM}}}author")
        ElementTree.SubElement(author, f"{{{ATOM}}}name").text = "Diskominfo"
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="utf-8")


@public.get("/klarifikasi/feed.atom")
async def clarification_feed(request: Request, _visitor: Visitor):
    cases = await Api(request).get("/api/v1/public/klarifikasi", limit=FEED_ENTRIES)
    base = base_url(request)  # GATEWAY_PUBLIC_URL behind a proxy, never a forged Host
    response = Response(atom_feed(cases["items"], base, language(request)),
                        media_type="application/atom+xml; charset=utf-8")
    return finish(request, response)


async def _report_form(request: Request, values: dict, errors: dict, status_code: int = 200, sent: bool = False):
    villages = await village_choices(Api(request), request.query_params.get("cari") or values.get("cari"))
    values = {**values, "submission_key": values.get("submission_key") or secrets.token_urlsafe(16)}
    return render(request, "hoax_report.html", status_code=status_code, values=values, errors=errors,
                  villages=villages, sources=HOAX_SOURCES, sent=sent)


@public.get("/klarifikasi/lapor")
async def report_form(request: Request, _visitor: Visitor):
    return await _report_form(request, {"village_code": request.query_params.get("desa", ""),
                                        "cari": request.query_params.get("cari", ""), "seen_on": "grup_whatsapp"},
                              {}, sent=request.query_params.get("terkirim") == "1")


@public.post("/klarifikasi/lapor")
async def send_report(request: Request, _visitor: Visitor):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/hoax-reports", report_payload(form))
    if answer.ok:
        return redirect(request, "/klarifikasi/lapor?terkirim=1")
    return await _report_form(request, dict(form), answer.field_errors() or {"": answer.detail}, answer.status)


@public.get("/klarifikasi/{case_id}")
async def clarification(request: Request, case_id: str, _visitor: Visitor):
    case = await Api(request).get(f"/api/v1/public/klarifikasi/{_case_id(case_id)}")
    return render(request, "hoax_public_case.html", case=case)


# --- the group portal ---------------------------------------------------------------------

async def _portal_form(request: Request, member, values: dict, errors: dict, status_code: int = 200):
    return render(request, "portal/hoax.html", status_code=status_code, values=values, errors=errors,
                  sources=HOAX_SOURCES, sent=request.query_params.get("terkirim") == "1")


@portal.get("/hoaks")
async def portal_form(request: Request, member: GroupMember):
    kim = await Api(request).get(f"/api/v1/kims/{member.principal.kim_id}")
    return await _portal_form(request, member, {"village_code": kim["village_code"], "seen_on": "grup_whatsapp"}, {})


@portal.post("/hoaks")
async def portal_report(request: Request, member: GroupMember):
    form = await form_data(request)
    answer = await Api(request).send("POST", "/api/v1/hoax-reports", report_payload(form))
    if answer.ok:
        return redirect(request, "/portal/hoaks?terkirim=1")
    return await _portal_form(request, member, dict(form), answer.field_errors() or {"": answer.detail},
                              answer.status)


# --- the office console ---------------------------------------------------------------------

@console.get("/hoaks")
async def cases(request: Request, staff: Staff):
    query = request.query_params
    filters = {"status": query.get("status") or None, "label": query.get("label") or None,
               "q": (query.get("q") or "").strip() or None}
    answer = await Api(request).call("GET", "/api/v1/hoax-cases", params={
        **filters, "limit": PAGE_SIZE, "offset": page_offset(request)})
    errors = answer.field_errors() if answer.status == 422 else {}
    if not answer.ok and not errors:
        raise PageError(answer.status, answer.detail)
    return render(request, "console/hoax_cases.html", status_code=answer.status, filters=filters, errors=errors,
                  cases=answer.data if answer.ok else {"items": [], "total": 0}, statuses=HOAX_CASE_STATUSES,
                  labels=HOAX_LABELS, offset=page_offset(request), page_size=PAGE_SIZE)


async def _case_page(request: Request, staff, case_id: str, errors: dict | None = None, status_code: int = 200,
                     values: dict | None = None):
    api = Api(request)
    case, others = await together(api.get(f"/api/v1/hoax-cases/{_case_id(case_id)}"),
                                  api.get("/api/v1/hoax-cases", limit=100))
    actor = staff.principal.actor
    verdict = {"label": case["label"] or "", "title": case["title"] or "", "explanation": case["explanation"] or "",
               "sources": "\n".join(case["sources"])}
    points, villages = await _where(api, case)
    return render(request, "console/hoax_case.html", status_code=status_code, case=case, errors=errors or {},
                  points=points, villages=villages,
                  values={**verdict, **(values or {})}, labels=HOAX_LABELS, priorities=BROADCAST_PRIORITIES,
                  targets=[code for code in case["regions"] if actor.covers(code)],
                  others=[c for c in others["items"] if c["id"] != case["id"]
                          and c["province_code"] == case["province_code"]])


async def _where(api: Api, case: dict) -> tuple[list[dict], dict[str, str]]:
    """Where the claim circulates: the reporting groups that have coordinates as the map's points (a
    village has none in the Kemendagri data), and the villages' names for the table."""
    groups = sorted({r["kim_id"] for r in case["items"] if r.get("kim_id")})

    async def group(kim_id: str) -> dict | None:
        try:
            return await api.read(public_kim, kim_id, KIM_ID)
        except PageError:  # dissolved since, or the registry away: the table still says where
            return None

    async def village(code: str) -> str | None:
        try:
            return (await api.read(region_detail, code, REGION_CODE))["name"]
        except PageError:
            return None
    found = await together(*(group(kim_id) for kim_id in groups), *(village(p["village_code"]) for p in case["map"]))
    kims, names = found[:len(groups)], found[len(groups):]
    points = [{"id": k["id"], "name": k["name"], "status": k["status"], "lat": k["lat"], "lon": k["lon"]}
              for k in kims if k and k.get("lat") is not None and k.get("lon") is not None]
    return points, {p["village_code"]: name for p, name in zip(case["map"], names, strict=True) if name}


@console.get("/hoaks/{case_id}")
async def case_page(request: Request, case_id: str, staff: Staff):
    return await _case_page(request, staff, case_id)


@console.post("/hoaks/{case_id}/label")
async def label(request: Request, case_id: str, staff: Staff):
    form = await form_data(request)
    sources = [line.strip() for line in (form.get("sources") or "").splitlines() if line.strip()]
    payload = {"label": form.get("label") or None, "title": form.get("title", ""),
               "explanation": form.get("explanation", ""), "sources": sources}
    answer = await Api(request).send("POST", f"/api/v1/hoax-cases/{_case_id(case_id)}/label", payload)
    if answer.ok:
        return redirect(request, f"/konsol/hoaks/{case_id}")
    return await _case_page(request, staff, case_id, answer.field_errors(), answer.status, dict(form))


@console.post("/hoaks/{case_id}/klarifikasi")
async def clarify(request: Request, case_id: str, staff: Staff):
    form = await form_data(request)
    payload = {"regions": form.getlist("regions") or None, "title": form.get("title") or None,
               "priority": form.get("priority") or "high"}
    answer = await Api(request).send("POST", f"/api/v1/hoax-cases/{_case_id(case_id)}/clarification", payload)
    if answer.ok:
        return redirect(request, f"/konsol/hoaks/{case_id}?terkirim=1")
    errors = {("klarifikasi:" + field if field else ""): message for field, message in answer.field_errors().items()}
    return await _case_page(request, staff, case_id, errors, answer.status)


@console.post("/hoaks/laporan/{report_id}/pindah")
async def move(request: Request, report_id: str, staff: Staff):
    form = await form_data(request)
    target = form.get("case_id") or None
    answer = await Api(request).send("POST", f"/api/v1/hoax-reports/{_case_id(report_id)}/move", {"case_id": target})
    if answer.ok:
        return redirect(request, f"/konsol/hoaks/{answer.data['id']}")
    source = form.get("from") or ""
    return await _case_page(request, staff, source, {"": answer.detail}, answer.status)
