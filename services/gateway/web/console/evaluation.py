"""Evaluation (issue 15): a province's or regency's groups ranked by the activity
index, at risk of dormancy, ready for their next classification; charts drawn as
SVG on the server; the report as CSV and as a printable PDF."""
import re

from fastapi import Request
from fastapi.responses import Response

from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router, scope_code
from services.gateway.web.errors import PageError
from services.gateway.web.pages import Staff, finish, render

router = console_router()

BAND_LABELS = ("0–20", "20–40", "40–60", "60–80", "80–100")


EVALUATED = re.compile(r"^(ID|[0-9]{2}(\.[0-9]{2})?)$")  # the country, a province, a regency


def _asked(request: Request, staff: Staff) -> tuple[str, dict]:
    query = request.query_params
    code = (query.get("wilayah") or scope_code(staff)).strip()
    if not EVALUATED.match(code):  # it becomes part of an API path: nothing else may pass
        raise PageError(422, "Kode wilayah tidak dikenal: provinsi (14) atau kabupaten/kota (14.71).")
    return code, {"to": query.get("sampai") or None, "months": query.get("bulan") or None}


def bars(values: list[float], width: float = 380) -> list[float]:
    """Bar lengths for values, the longest `width` (nothing to scale: all zero)."""
    most = max([*values, 0]) or 1
    return [round(value * width / most, 1) for value in values]


@router.get("/evaluasi")
async def evaluation_page(request: Request, staff: Staff):
    code, period = _asked(request, staff)
    report = criteria = None
    if code != "ID":  # the whole country is no evaluation: a national admin picks a province first
        api = Api(request)
        report, criteria = await together(api.get(f"/api/v1/evaluation/{code}", **period),
                                          api.get(f"/api/v1/evaluation/criteria/{code}"))
    charts = None
    if report:
        by_id = {group["kim_id"]: group for group in report["groups"]}
        charts = {"bands": list(zip(BAND_LABELS, report["summary"]["bands"], bars(report["summary"]["bands"]),
                                    strict=True)),
                  "monthly": list(zip(report["period"]["months"], report["summary"]["monthly"],
                                      bars(report["summary"]["monthly"]), strict=True)),
                  "regencies": list(zip(report["regencies"], bars([r["mean_index"] for r in report["regencies"]]),
                                        strict=True))}
        report["at_risk"] = [{**entry, "group": by_id[entry["kim_id"]]} for entry in report["at_risk"]]
        report["ready"] = [by_id[kim_id] for kim_id in report["ready"]]
    return render(request, "console/evaluation.html", report=report, criteria=criteria, code=code, charts=charts,
                  sampai=request.query_params.get("sampai", ""), bulan=request.query_params.get("bulan", ""))


async def _download(request: Request, staff: Staff, format: str) -> Response:
    code, period = _asked(request, staff)
    answer = await Api(request).call("GET", f"/api/v1/evaluation/{code}", params={**period, "format": format})
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    response = Response(answer.content, media_type=answer.headers["content-type"], headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment")})
    return finish(request, response)


@router.get("/evaluasi/laporan.csv")
async def evaluation_csv(request: Request, staff: Staff):
    return await _download(request, staff, "csv")


@router.get("/evaluasi/laporan.pdf")
async def evaluation_pdf(request: Request, staff: Staff):
    return await _download(request, staff, "pdf")
