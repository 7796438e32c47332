"""The hoax clarification loop (issue 15): a claim reported by a group or a
citizen, the office's cases (reports of the same claim merged by the
aspirations service), its verdict, the clarification broadcast linked to the
case, and the public list of labelled cases."""
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse
from pydantic import ConfigDict, Field

from services.common.regions import REGION_CODE, VILLAGE_CODE
from services.common.vocabulary import BROADCAST_PRIORITIES, HOAX_CASE_STATUSES, HOAX_LABELS, HOAX_SOURCES
from services.gateway.deps import Anyone, Office, RpcCall, actor
from services.gateway.problems import Problem
from services.gateway.routes.aspirations import LINK
from services.gateway.routes.broadcasts import require_targets
from services.gateway.routes.common import TEXT, Day, KnownRegions, Pages, problems
from services.gateway.routes.kims import Strict

router = APIRouter(tags=["hoaxes"])

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
ReportId = Annotated[str, Path(pattern=r"^[0-9a-f-]{36}$")]
Link = Annotated[str, Field(pattern=LINK, max_length=500)]
CLARIFICATION = "klarifikasi"  # the broadcast category of a clarification
# no NUL, as in any text: PostgreSQL cannot compare with one
Search = Annotated[str | None, Query(min_length=2, max_length=100, pattern=r"^[^\x00]*$",
                                     description="part of the claim or the headline")]


class HoaxReportCreate(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "text": "Vaksin campak di puskesmas mengandung chip pelacak, jangan bawa anak ke posyandu.",
        "seen_on": "grup_whatsapp", "seen_at": "2026-11-27", "village_code": "14.71.01.1002"}]})
    text: str = Field(min_length=5, max_length=5000, pattern=TEXT, description="the claim as it circulates")
    link: Link | None = Field(None, description="where it was posted, when it has an address")
    seen_on: Literal[HOAX_SOURCES] = Field(description="where it was seen")
    seen_at: Day | None = Field(None, description="when it was seen")
    village_code: str = Field(pattern=VILLAGE_CODE, description="where it circulates")


class Verdict(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "label": "hoaks", "title": "Vaksin campak tidak mengandung chip",
        "explanation": "Dinas Kesehatan memastikan vaksin campak aman dan tidak berisi chip apa pun.",
        "sources": ["https://dinkes.example.id/vaksin-campak"]}]})
    label: Literal[HOAX_LABELS]
    title: str = Field(min_length=3, max_length=200, pattern=TEXT, description="the public headline of the claim")
    explanation: str = Field(min_length=10, max_length=10_000, pattern=TEXT)
    sources: list[Link] = Field(default_factory=list, max_length=10)


class Clarification(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"regions": ["14.71.01.1002", "14.71.02.1001"]}]})
    regions: list[Annotated[str, Field(pattern=REGION_CODE)]] | None = Field(
        None, min_length=1, max_length=100,
        description="the target; by default the villages where the claim was reported, within your scope")
    title: str | None = Field(None, min_length=3, max_length=200, pattern=TEXT,
                              description="by default `Klarifikasi: ` and the case's headline")
    body: str | None = Field(None, min_length=1, max_length=50_000, pattern=TEXT,
                             description="by default the verdict, the explanation and the sources")
    priority: Literal[BROADCAST_PRIORITIES] = "high"


class Move(Strict):
    model_config = ConfigDict(json_schema_extra={"examples": [{"case_id": None}]})
    case_id: str | None = Field(pattern=r"^[0-9a-f-]{36}$",
                                description="the case to move the report to; null splits it into a case of its own")


# --- reporting ------------------------------------------------------------------------

@router.post("/api/v1/hoax-reports", status_code=201, responses=problems(401, 403, 413, 422, 503),
             summary="Report a claim circulating in a village (a group, an office or anyone, without personal "
                     "data); it joins the case of the same claim")
async def report(body: HoaxReportCreate, caller: Anyone, rpc: RpcCall, regions: KnownRegions):
    await regions.require([body.village_code], "village_code", "Desa/kelurahan {codes} tidak ada.",
                          "No village {codes}.", "unknown village")
    return await rpc("aspirations", "report_hoax", actor=actor(caller), data=body.model_dump(mode="json"))


# --- the office -----------------------------------------------------------------------

@router.get("/api/v1/hoax-cases", responses=problems(401, 403, 422, 503),
            summary="The cases of your scope: unlabelled first, with reports, groups and villages counted")
async def list_cases(caller: Office, rpc: RpcCall, paging: Pages,
                     status: Annotated[Literal[HOAX_CASE_STATUSES] | None, Query()] = None,
                     label: Annotated[Literal[HOAX_LABELS] | None, Query()] = None,
                     q: Search = None):
    result = await rpc("aspirations", "list_hoax_cases", actor=actor(caller),
                       filters={"status": status, "label": label, "q": q}, limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/hoax-cases/{case_id}", responses=problems(401, 403, 404, 422, 503),
            summary="A case with its reports and where they come from (`map`: per village) (404 outside your scope)")
async def get_case(case_id: CaseId, caller: Office, rpc: RpcCall):
    return await rpc("aspirations", "get_hoax_case", actor=actor(caller), case_id=case_id)


@router.post("/api/v1/hoax-cases/{case_id}/label", responses=problems(401, 403, 404, 422, 503),
             summary="Label the case with an explanation and sources; the groups that reported it get the outcome "
                     "in their inbox")
async def label_case(case_id: CaseId, body: Verdict, caller: Office, rpc: RpcCall):
    return await rpc("aspirations", "label_hoax_case", actor=actor(caller), case_id=case_id,
                     data=body.model_dump(mode="json"))


@router.post("/api/v1/hoax-reports/{report_id}/move", responses=problems(401, 403, 404, 422, 503),
             summary="Move a report to another case of its province, or split it off (`case_id`: null)")
async def move_report(report_id: ReportId, body: Move, caller: Office, rpc: RpcCall):
    return await rpc("aspirations", "move_hoax_report", actor=actor(caller), report_id=report_id,
                     case_id=body.case_id)


def clarification_text(case: dict) -> str:
    """The default body of a clarification: the verdict, the explanation, the sources."""
    verdict = HOAX_LABELS.term(case["label"]).id
    sources = "".join(f"\n- {link}" for link in case["sources"])
    return f"{verdict}: {case['title']}\n\n{case['explanation']}" + (f"\n\nSumber:{sources}" if sources else "")


@router.post("/api/v1/hoax-cases/{case_id}/clarification", status_code=201,
             responses=problems(401, 403, 404, 409, 422, 503),
             summary="Send the clarification: a published broadcast of category `klarifikasi`, by default to the "
                     "villages where the claim was reported, linked to the case (409 before a label or once sent)")
async def clarify(case_id: CaseId, body: Clarification, caller: Office, rpc: RpcCall, regions: KnownRegions):
    case = await rpc("aspirations", "get_hoax_case", actor=actor(caller), case_id=case_id)
    if case["label"] is None:
        raise Problem(409, "Beri label kasus sebelum mengirim klarifikasi.",
                      "Label the case before sending a clarification.")
    if case["broadcast_id"] is not None:
        return await _finish_or_refuse(case, caller, rpc)
    targets = body.regions or [code for code in case["regions"] if caller.covers(code)]
    if not targets:
        raise Problem(422, "Tidak ada wilayah sasaran dalam cakupan Anda.", "No target region within your scope.",
                      errors=[{"field": "regions", "in": "body", "message": "none within your scope"}])
    await require_targets(regions, targets)
    data = {"title": body.title or f"Klarifikasi: {case['title']}"[:200], "body": body.body or clarification_text(case),
            "category": CLARIFICATION, "priority": body.priority,
            "target": {"regions": targets, "tags": [], "classifications": [], "include_vakum": False}}
    # a draft, linked to the case, then published: two offices sending at once link one draft (the
    # other's 409 leaves its draft unsent), and a send that broke off after the link is finished by
    # sending again
    draft = await rpc("broadcast", "create_broadcast", actor=actor(caller), data=data)
    linked = await rpc("aspirations", "link_hoax_clarification", actor=actor(caller), case_id=case_id,
                       broadcast_id=draft["id"])
    return await _publish(linked, draft["id"], caller, rpc)


async def _finish_or_refuse(case: dict, caller, rpc) -> JSONResponse:
    """The case has its clarification: still a draft (a send that broke off), it is published now; else 409."""
    try:
        linked = await rpc("broadcast", "get_broadcast", actor=actor(caller), broadcast_id=case["broadcast_id"])
    except Problem as problem:
        if problem.status != 404:
            raise
        linked = None  # written by an office above, still a draft: not this caller's to finish
    if linked is None or linked["status"] != "draft":
        raise Problem(409, "Klarifikasi kasus ini sudah dikirim.", "This case's clarification was sent already.",
                      broadcast_id=case["broadcast_id"])
    return await _publish(case, linked["id"], caller, rpc)


async def _publish(case: dict, broadcast_id: str, caller, rpc) -> JSONResponse:
    broadcast = await rpc("broadcast", "publish", actor=actor(caller), broadcast_id=broadcast_id)
    return JSONResponse({"case": case, "broadcast": broadcast}, status_code=201,
                        headers={"Location": f"/api/v1/broadcasts/{broadcast_id}"})


# --- the public -----------------------------------------------------------------------

@router.get("/api/v1/public/klarifikasi", responses=problems(422, 503),
            summary="Labelled cases, the latest verdict first: headline, label, explanation, sources, regencies; "
                    "`q` searches headline and explanation")
async def public_cases(rpc: RpcCall, paging: Pages,
                       q: Search = None):
    result = await rpc("aspirations", "public_hoax_cases", q=q, limit=paging.limit, offset=paging.offset)
    return paging.page(result["items"], result["total"])


@router.get("/api/v1/public/klarifikasi/{case_id}", responses=problems(404, 422, 503),
            summary="One labelled case as the public sees it (404 while unlabelled)")
async def public_case(case_id: CaseId, rpc: RpcCall):
    return await rpc("aspirations", "public_hoax_case", case_id=case_id)
