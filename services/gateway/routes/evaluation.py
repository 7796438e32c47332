"""/api/v1/evaluation: the activity index and evaluation report of a province or
regency for a period (issue 15, docs/evaluation.md), as JSON, CSV or a printable
PDF; and the classification criteria, per region, set by the national admin."""
from datetime import datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Body, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from starlette.concurrency import run_in_threadpool

from services.common.figures import MAX_MONTHS, MONTH, Period
from services.common.vocabulary import EVALUATION_CRITERIA, EVALUATION_FIGURES
from services.gateway import evaluation
from services.gateway.deps import Admin, Office, RpcCall, actor
from services.gateway.problems import prefers_english
from services.gateway.routes.common import JSON_NUMBER, problems
from services.gateway.web.i18n import labeler, translator
from services.gateway.web.pages import TEMPLATES

router = APIRouter(tags=["evaluation"])

EVALUATED = r"^\d{2}(\.\d{2})?$"
Region = Annotated[str, Path(pattern=EVALUATED, description="a province or regency/city code", examples=["14.71"])]
CriteriaRegion = Annotated[str, Path(pattern=r"^(ID|\d{2}(\.\d{2})?)$",
                                     description="ID for the whole country, a province or a regency/city")]
Last = Annotated[str | None, Query(pattern=MONTH.pattern, examples=["2025-12"],
                                   description="the period's last month, YYYY-MM; default: the last whole month")]
Months = Annotated[int, Query(ge=1, le=MAX_MONTHS, description="the period's length in months, up to `to`")]
Format = Annotated[Literal["json", "csv", "pdf"], Query(description="csv for a spreadsheet, pdf to print")]
CSV = "text/csv; charset=utf-8"

# the top of each criterion's minimum: an index is 0-100, a share 0-1, a figure a count per 12 months
TOPS = {"index": 100, "active_share": 1}
FIGURE_TOP = 100_000
_MINIMUMS: dict[str, Any] = {
    name: (Annotated[float, Field(ge=0, le=TOPS.get(name, FIGURE_TOP)), JSON_NUMBER], None)
    for name in EVALUATION_CRITERIA}
Minimums = create_model("Minimums", __config__=ConfigDict(extra="forbid", json_schema_extra={
    "propertyNames": {"enum": list(EVALUATION_CRITERIA)}}), **_MINIMUMS)  # the vocabulary, stated whole


class Criteria(BaseModel):
    """Per classification to reach, the minimums: `index` (0-100), `active_share` (0-1), and any
    figure, counted per 12 months (pro-rata to the period)."""
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "berkembang": {"index": 15, "active_share": 0.5, "activities": 6},
        "maju": {"index": 30, "active_share": 0.75, "activities": 12, "relays": 6, "aspirations_filed": 2},
        "mandiri": {"index": 45, "active_share": 0.9, "activities": 18, "relays": 12, "aspirations_filed": 4,
                    "posts": 12}}]})
    berkembang: Minimums
    maju: Minimums
    mandiri: Minimums


class CriteriaAnswer(BaseModel):
    region: str
    source: str  # the region whose criteria apply, or "default"
    criteria: Criteria
    defaults: Criteria


EXAMPLE = {
    "region": {"code": "14.71", "name": "Kota Pekanbaru", "level": "regency"},
    "period": {"from": "2025-01", "to": "2025-12", "months": ["2025-01", "…", "2025-12"]},
    "formula": "2026-11",
    "counted": [name for name in EVALUATION_FIGURES if name not in ("posts", "hoax_reports")],
    "unavailable": ["posts", "hoax_reports"],
    "dormancy": {"vakum_after_days": 180, "risk_after_days": 120, "as_of": "2026-01-10"},
    "summary": {"groups": 4, "mean_index": 23.3, "at_risk": 2, "ready": 2, "bands": [2, 1, 1, 0, 0],
                "figures": {"activities": 44}, "monthly": [12.0, 13.0, 73.0]},
    "regencies": [], "groups": [{"rank": 1, "kim_id": "KIM-1471011005-01", "name": "KIM Maju", "index": 56.1,
                                 "active_months": 12, "months": 12, "regularity": 1.0, "volume": 7.67,
                                 "figures": {"activities": 12, "relays": 12}, "next": {
                                     "classification": "maju", "criteria_from": "default", "ready": True,
                                     "checks": [{"criterion": "index", "required": 30, "actual": 56.1,
                                                 "met": True}]}}],
    "at_risk": [{"kim_id": "KIM-1471011003-01", "days_without_activity": 162, "days_left": 18}],
    "ready": ["KIM-1471011005-01"]}


def period_of(request: Request, last: str | None, months: int) -> tuple[str, str]:
    """The period asked for: `months` whole months up to `last` (default: the last whole month)."""
    if last is None:
        last = evaluation.last_twelve_months(datetime.now(ZoneInfo(request.app.state.settings.timezone)).date())[1]
    period = Period.ending(last, months)
    return period.first, period.last


def print_html(report: dict, lang: str) -> str:
    """The printable page of a report, in `lang` (the PDF's source)."""
    return TEMPLATES.env.get_template("print/evaluation.html").render(
        report=report, lang=lang, _=translator(lang), label=labeler(lang))


async def pdf_of(report: dict, lang: str) -> bytes:
    return await run_in_threadpool(evaluation.as_pdf, print_html(report, lang))


def download(body: bytes | str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/api/v1/evaluation/criteria/{region}", response_model=CriteriaAnswer, response_model_exclude_unset=True,
            responses=problems(401, 403, 404, 422, 503),
            summary="The classification criteria a region's groups are judged by, and where they come from")
async def get_criteria(region: CriteriaRegion, caller: Office, rpc: RpcCall):
    return await rpc("registry", "evaluation_criteria", actor=actor(caller), region=region)


@router.put("/api/v1/evaluation/criteria/{region}", response_model=CriteriaAnswer, response_model_exclude_unset=True,
            responses=problems(401, 403, 404, 422, 503),
            summary="Set a region's classification criteria (the national admin only)")
async def put_criteria(region: CriteriaRegion, caller: Admin, rpc: RpcCall, criteria: Annotated[Criteria, Body()]):
    return await rpc("registry", "set_evaluation_criteria", actor=actor(caller), region=region,
                     criteria=criteria.model_dump(exclude_unset=True))


@router.delete("/api/v1/evaluation/criteria/{region}", response_model=CriteriaAnswer, response_model_exclude_unset=True,
               responses=problems(401, 403, 404, 422, 503),
               summary="Remove a region's own criteria: it follows the region above again (the national admin only)")
async def delete_criteria(region: CriteriaRegion, caller: Admin, rpc: RpcCall):
    return await rpc("registry", "set_evaluation_criteria", actor=actor(caller), region=region, criteria=None)


@router.get("/api/v1/evaluation/{region}", responses={**problems(401, 403, 404, 422, 503), 200: {
    "content": {"application/json": {"example": EXAMPLE}, "text/csv": {}, "application/pdf": {}}}},
    summary="The evaluation of a province or regency for a period: groups ranked by the activity index, "
            "at risk of dormancy, ready for their next classification (?format=csv or pdf)")
async def get_evaluation(region: Region, caller: Office, rpc: RpcCall, request: Request,
                         to: Last = None, months: Months = 12, format: Format = "json"):
    start, end = period_of(request, to, months)
    report = await evaluation.evaluation_of(rpc, actor(caller), region, start, end)
    english = prefers_english(request)
    if format == "csv":
        text, name = evaluation.as_csv(report, english)
        return download(text, CSV, name)
    if format == "pdf":
        name = f"{'evaluation' if english else 'evaluasi'}-{region}-{start}-{end}.pdf"
        return download(await pdf_of(report, "en" if english else "id"), "application/pdf", name)
    return report
