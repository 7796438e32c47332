"""Shapes shared by the routes: pagination, the error responses and the registry's regions."""
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from services.common.privacy import NOTICES
from services.common.text import BLANK
from services.gateway.conditional import Answer
from services.gateway.deps import Rpc, RpcCall
from services.gateway.problems import Problem, ProblemDetails

T = TypeVar("T")


# Text is taken as sent: no blank at either end (a title of spaces is no title) and no NUL
# (PostgreSQL cannot store it); the pattern says so, the lengths count what was sent.
TEXT = rf"^[^{BLANK}\x00]([^\x00]*[^{BLANK}\x00])?$"
EMAIL = rf"^[^@{BLANK}\x00]+@[^@{BLANK}\x00]+\.[^@{BLANK}\x00]+$"
# dates this platform records (decrees, activities, relays) are Indonesia's, from 1945 on
SINCE_1945 = r"^(194[5-9]|19[5-9][0-9]|[2-9][0-9]{3})-"


def _json(error: str, accepts):
    """Only what JSON itself calls this type, as the document says: pydantic's
    lax reading would take `false` as 0, "5" as 5 and 0 as 1970-01-01."""
    def check(value):
        if not accepts(value):
            raise PydanticCustomError(error, "not a JSON value of this type")
        return value
    return BeforeValidator(check)


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


Integer = Annotated[int, _json("int_parsing", _is_number)]
JSON_NUMBER = _json("float_parsing", _is_number)  # after a number's bounds, so the document keeps them
Number = Annotated[float, JSON_NUMBER]
Flag = Annotated[bool, _json("bool_parsing", lambda value: isinstance(value, bool))]
def _since_1945(value) -> bool:
    return isinstance(value, (date, datetime)) or isinstance(value, str) and re.match(SINCE_1945, value) is not None


Day = Annotated[date, _json("date_parsing", _since_1945), WithJsonSchema(
    {"type": "string", "format": "date", "pattern": SINCE_1945})]
Moment = Annotated[datetime, _json("datetime_parsing", _since_1945), WithJsonSchema(
    {"type": "string", "format": "date-time", "pattern": SINCE_1945})]


def notice_version(purpose: str):
    """The version of the privacy notice a client showed for `purpose` (issue 16, UU 27/2022): one of
    the versions known for it (422 otherwise); left out, the current one (the client showed that)."""
    versions = tuple(notice.version for notice in NOTICES if notice.purpose == purpose)
    return Annotated[Literal[versions] | None, Field(
        description=f"the version of the privacy notice `{purpose}` the form showed "
                          f"(`GET /api/v1/privacy/notices`); left out: the current one")]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    next: str | None = None


class Paging:
    """`limit` and `cursor` (or `offset`); `next` is the cursor of the following page."""

    def __init__(self, limit: int, offset: int):
        self.limit = limit
        self.offset = offset

    def page(self, items: list, total: int) -> dict:
        following = self.offset + len(items)
        return {"items": items, "total": total, "next": str(following) if following < total else None}


# a page's `next`: the offset of the following page, in digits
CURSOR = r"^[0-9]{1,7}$"


async def paging(limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
                 cursor: Annotated[str | None, Query(pattern=CURSOR, description="a previous page's `next`")] = None,
                 offset: Annotated[int | None, Query(ge=0, le=10_000_000)] = None) -> Paging:
    return Paging(limit, int(cursor) if cursor is not None else offset or 0)


Pages = Annotated[Paging, Depends(paging)]


def problems(*statuses: int) -> dict:
    return {s: {"model": ProblemDetails, "content": {"application/problem+json": {}}} for s in statuses}


class RegionCache:
    """Regions the registry answered for: the Kemendagri data does not change while
    the platform runs, so each region is asked for once per application (bounded)."""

    LIMIT = 20_000

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        self._found: dict[str, dict] = {}
        self._answers: dict[str, Answer] = {}  # rendered for GET /api/v1/regions/{code}, with their ETag

    def get(self, code: str) -> dict | None:
        return self._found.get(code)

    def put(self, code: str, found: dict):
        if len(self._found) >= self.limit:
            self._found.clear()
            self._answers.clear()
        self._found[code] = found

    def answer(self, code: str) -> Answer | None:
        return self._answers.get(code)

    def put_answer(self, code: str, answer: Answer):
        if len(self._answers) >= self.limit:
            self._answers.clear()
        self._answers[code] = answer


class Regions:
    """The registry's regions for one request, through the application's cache."""

    def __init__(self, cache: RegionCache, rpc: Rpc):
        self._cache = cache
        self._rpc = rpc

    async def detail(self, code: str) -> dict:
        """One region with its ancestors and children (404 problem when unknown)."""
        found = self._cache.get(code)
        if found is None:
            found = await self._rpc("registry", "get_region", code=code)
            self._cache.put(code, found)
        return found

    async def answer(self, code: str, model: type[BaseModel]) -> Answer:
        """The region's detail rendered as `model` (404 problem when unknown)."""
        found = self._cache.answer(code)
        if found is None:
            found = Answer.of(model.model_validate(await self.detail(code)).model_dump(mode="json"))
            self._cache.put_answer(code, found)
        return found

    async def exists(self, code: str) -> bool:
        try:
            await self.detail(code)
        except Problem as problem:
            if problem.status != 404:
                raise
            return False
        return True

    async def require(self, codes: Iterable[str], field: str, detail: str, detail_en: str, message: str):
        """A 422 on the body's `field` when a code is unknown, before anything is
        stored; `{codes}` in the texts names the unknown ones."""
        unknown = [code for code in sorted(set(codes)) if not await self.exists(code)]
        if unknown:
            named = ", ".join(unknown)
            raise Problem(422, detail.format(codes=named), detail_en.format(codes=named),
                          errors=[{"field": field, "in": "body", "message": message.format(codes=named)}])


async def regions_for_request(request: Request, rpc: RpcCall) -> Regions:
    return Regions(request.app.state.regions, rpc)


KnownRegions = Annotated[Regions, Depends(regions_for_request)]
