"""GET /api/v1/regions: the Kemendagri regions, for anyone; the groups an office
must give a village after a region data update (GET /api/v1/regions/reassignments)."""
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, ConfigDict

from services.common.regions import REGION_CODE
from services.gateway import conditional
from services.gateway.deps import Anyone, Office, Rpc, RpcCall, actor
from services.gateway.routes.common import Page, Pages, Regions, problems

router = APIRouter(prefix="/api/v1/regions", tags=["regions"])

Level = Literal["province", "regency", "district", "village"]


class Region(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "14.71", "name": "Kota Pekanbaru", "level": "regency", "parent_code": "14"}]})
    code: str
    name: str
    level: Level
    parent_code: str | None


class RegionDetail(Region):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "code": "14.71", "name": "Kota Pekanbaru", "level": "regency", "parent_code": "14",
        "ancestors": [{"code": "14", "name": "Riau", "level": "province", "parent_code": None}],
        "children": [{"code": "14.71.01", "name": "Sukajadi", "level": "district", "parent_code": "14.71"}]}]})
    ancestors: list[Region]
    children: list[Region]


@router.get("", response_model=Page[Region], responses={**problems(401, 404, 422, 503), **conditional.documented()},
            summary="Children of a region (provinces without `parent`), or a search by name (ETag; 304)")
async def list_regions(
    rpc: RpcCall, _caller: Anyone, paging: Pages, if_none_match: conditional.IfNoneMatch = None,
    parent: Annotated[str | None, Query(pattern=REGION_CODE, description="e.g. 14.71")] = None,
    q: Annotated[str | None, Query(min_length=2, max_length=100, description="part of a name")] = None,
    level: Annotated[Level | None, Query(description="with `q`: only this level")] = None,
):
    if q is not None:
        result = await rpc("registry", "search_regions", q=q, level=level,
                           limit=paging.limit, offset=paging.offset)
    else:
        result = await rpc("registry", "list_regions", parent=parent,
                           limit=paging.limit, offset=paging.offset)
    page = Page[Region].model_validate(paging.page(result["items"], result["total"])).model_dump(mode="json")
    return conditional.answer(if_none_match, conditional.Answer.of(page), conditional.REGIONS)


class Reassignment(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "kim_id": "KIM-14720110-AB12", "kim_name": "KIM Pangkalan", "village_code": "14.72.01.1003",
        "village_name": "Pangkalan Sesai", "reason": "village_removed", "source": "idn-area-data-4.1.0",
        "since": "2026-11-29T12:00:00+00:00"}]})
    kim_id: str
    kim_name: str
    village_code: str
    village_name: str | None
    reason: Literal["village_removed"]
    source: str
    since: str


class Reassignments(BaseModel):
    items: list[Reassignment]
    total: int


# declared before /{code}, which would take the word for a code
@router.get("/reassignments", response_model=Reassignments, responses=problems(401, 403, 503),
            summary="Groups within your scope whose village a region data update removed: give each a village "
                    "(PATCH /api/v1/kims/{kim_id} with village_code), which takes it off this list")
async def list_reassignments(rpc: RpcCall, caller: Office):
    return await rpc("registry", "list_reassignments", actor=actor(caller))


@router.get("/{code}", response_model=RegionDetail, responses={**problems(401, 404, 422, 503),
                                                                 **conditional.documented()},
            summary="One region with its ancestor path (province first) and its children (ETag; 304)")
async def get_region(request: Request, _caller: Anyone,
                     code: Annotated[str, Path(pattern=REGION_CODE, examples=["14.71"])],
                     if_none_match: conditional.IfNoneMatch = None):
    # not a dependency: a cached answer costs less
    return conditional.answer(if_none_match, await region_detail(request, code), conditional.REGIONS)


async def region_detail(request: Request, code: str) -> conditional.Answer:
    """One region with its path and children, from the gateway's region cache: the route's answer,
    and the website's map pages read it here too (web/api.py `Api.read`)."""
    return await Regions(request.app.state.regions, Rpc(request)).answer(code, RegionDetail)
