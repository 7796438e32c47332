"""Figures: coverage and aspirations of a region, and both as CSV downloads."""
from fastapi import Request
from fastapi.responses import Response

from services.common.vocabulary import ASPIRATION_STATUSES
from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router, scope_code
from services.gateway.web.errors import PageError
from services.gateway.web.pages import Staff, finish, render

router = console_router()


@router.get("/angka")
async def figures(request: Request, staff: Staff):
    api = Api(request)
    code = request.query_params.get("wilayah") or scope_code(staff)
    coverage, aspirations = await together(
        api.get(f"/api/v1/coverage/{code}"),
        api.get("/api/v1/aspirations/stats", region=None if code == "ID" else code))
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
