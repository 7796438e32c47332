"""/api/v1/coverage/{region}: where groups exist, are alive, or are missing."""
import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from services.common.regions import REGION_CODE
from services.gateway import conditional
from services.gateway.deps import Office, Rpc, RpcCall, actor
from services.gateway.problems import prefers_english
from services.gateway.readmodel import coverage_key
from services.gateway.routes.common import problems

router = APIRouter(tags=["coverage"])

COVERAGE_CODE = rf"^(ID|{REGION_CODE[1:-1]})$"  # a region code, or the whole country
Code = Annotated[str, Path(pattern=COVERAGE_CODE, description="a region code, or ID for the whole country",
                           examples=["14"])]
Format = Annotated[Literal["json", "csv"], Query(description="csv for a spreadsheet")]

# field -> (Indonesian column, English column)
COLUMNS = {
    "code": ("kode_wilayah", "region_code"), "name": ("nama_wilayah", "region_name"), "level": ("tingkat", "level"),
    "villages_total": ("jumlah_desa", "villages_total"),
    "villages_with_kim": ("desa_dengan_kim", "villages_with_kim"),
    "villages_with_active_kim": ("desa_dengan_kim_aktif", "villages_with_active_kim"),
    "kim_active": ("kim_aktif", "kim_active"), "kim_vakum": ("kim_vakum", "kim_vakum"),
    "kim_dissolved": ("kim_bubar", "kim_dissolved"),
    "coverage_percent": ("persen_cakupan", "coverage_percent"),
    "active_coverage_percent": ("persen_cakupan_aktif", "active_coverage_percent"),
}


def as_csv(request: Request, figures: dict) -> Response:
    body, name = csv_of(request, figures)
    return Response(body, media_type=CSV, headers={"Content-Disposition": f'attachment; filename="{name}"'})


CSV = "text/csv; charset=utf-8"


def csv_of(request: Request, figures: dict) -> tuple[str, str]:
    """The figures as CSV (columns named in the request's language) and the file's name."""
    english = prefers_english(request)
    fields = [f for f in COLUMNS if f in figures]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([COLUMNS[f][1 if english else 0] for f in fields])
    for row in [figures, *figures["children"]]:
        writer.writerow([row[f] for f in fields])
    return buffer.getvalue(), f"{'coverage' if english else 'cakupan'}-{figures['code']}.csv"


EXAMPLE = {"code": "14", "name": "Riau", "level": "province", "villages_total": 1862, "villages_with_kim": 120,
           "villages_with_active_kim": 98, "kim_active": 110, "kim_vakum": 25, "kim_dissolved": 3,
           "coverage_percent": 6.44, "active_coverage_percent": 5.26, "children": []}


@router.get("/api/v1/coverage/{code}", responses={**problems(401, 403, 404, 422, 503), 200: {
    "content": {"application/json": {"example": EXAMPLE}, "text/csv": {}}}},
    summary="Coverage of a region and each child, inside your scope (?format=csv)")
async def coverage(code: Code, caller: Office, rpc: RpcCall, request: Request, format: Format = "json"):
    figures = await rpc("registry", "get_coverage", actor=actor(caller), code=code)
    return as_csv(request, figures) if format == "csv" else figures


@router.get("/api/v1/public/coverage/{code}", tags=["public"], responses={
    **problems(404, 422, 503), **conditional.documented(vary=True, ok={"content": {
        "application/json": {"example": {k: v for k, v in EXAMPLE.items() if k != "kim_dissolved"}},
        "text/csv": {}}})},
    summary="Coverage of a region and each child, for anyone (?format=csv; ETag, 304 to If-None-Match)")
async def public_coverage(code: Code, request: Request, format: Format = "json",
                          if_none_match: conditional.IfNoneMatch = None):
    # no dependencies but the parameters: an answer from the read model costs little else
    found = await public_coverage_of(request, code)
    if format != "csv":
        return conditional.answer(if_none_match, found, conditional.PUBLIC)
    text, name = csv_of(request, found.data)
    body = text.encode()
    return conditional.respond(if_none_match, body, conditional.etag_of(body), conditional.PUBLIC, media_type=CSV,
                               headers={"Content-Disposition": f'attachment; filename="{name}"',
                                        "Vary": "Accept-Language"})


async def public_coverage_of(request: Request, code: str) -> conditional.Answer:
    """A region's public coverage, from the read model (filled from the registry on a miss): the
    route's answer, and the website's map pages read it here too (web/api.py `Api.read`)."""
    async def fill() -> conditional.Answer:
        return conditional.Answer.of(await Rpc(request)("registry", "get_coverage", actor=None, code=code,
                                                        public=True))
    return await request.app.state.readmodel.read(coverage_key(code), fill)
