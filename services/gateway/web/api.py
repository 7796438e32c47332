"""The website's way to the platform: the gateway's own HTTP API, called in
process with the visitor's session, language and correlation id. So a page
can do exactly what the API lets this person do, and its errors are the
API's problem responses."""
import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.requests import Request

from services.gateway import conditional
from services.gateway.deps import CSRF_HEADER, SESSION_COOKIE, web_session
from services.gateway.problems import Problem
from services.gateway.web.errors import PageError, SignInRequired
from services.gateway.web.i18n import language


@dataclass
class Answer:
    status: int
    data: Any
    headers: Any = None
    content: bytes = b""  # the body as sent (a PDF to pass on)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def detail(self) -> str:
        if not isinstance(self.data, dict):
            return ""
        return self.data.get("detail") or self.data.get("title") or ""

    def field_errors(self) -> dict[str, str]:
        """field (as the API names it, e.g. sk.number) -> message."""
        if not isinstance(self.data, dict):
            return {}
        errors: dict[str, str] = {}
        for error in self.data.get("errors") or []:
            # target.regions.0 -> target.regions: the form has one field for the list
            field = ".".join(part for part in str(error.get("field", "")).split(".") if not part.isdigit())
            # the gateway's own validation speaks the visitor's language; a service's
            # field problem carries its message in the problem's (translated) detail
            errors.setdefault(field, error["message"] if "type" in error else self.detail)
        if not errors and not self.ok:
            errors[""] = self.detail  # a problem of the whole form (409, 403, ...)
        return errors


class Api:
    def __init__(self, request: Request):
        self.request = request

    def _client(self) -> httpx.AsyncClient:
        app = self.request.app
        if getattr(app.state, "web_api", None) is None:
            app.state.web_api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), timeout=60)
        return app.state.web_api

    async def _headers(self) -> dict:
        headers = {"Accept-Language": language(self.request),
                   "X-Correlation-ID": self.request.state.correlation_id}
        info = await web_session(self.request)
        if info is not None:
            headers["Cookie"] = f"{SESSION_COOKIE}={self.request.cookies[SESSION_COOKIE]}"
            headers[CSRF_HEADER] = info.csrf_token
        return headers

    async def call(self, method: str, path: str, *, json: Any = None, params: dict | None = None,
                   headers: dict | None = None, files: dict | None = None) -> Answer:
        """The API's answer. A missing sign-in redirects to the sign-in page;
        a failing service shows the 503 page; other problems are the caller's."""
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        # the visitor's own scheme and host, so links the API builds (setup links) point to the site
        url = str(self.request.base_url).rstrip("/") + path
        response = await self._client().request(method, url, json=json, params=params, files=files,
                                                headers={**await self._headers(), **(headers or {})})
        try:
            data = response.json()
        except ValueError:
            data = response.text
        answer = Answer(response.status_code, data, response.headers, response.content)
        if response.status_code == 401:
            raise SignInRequired()
        if response.status_code >= 500:
            raise PageError(response.status_code, answer.detail)
        return answer

    async def get(self, path: str, **params) -> Any:
        """The data, or the error page for any problem (404, 403, 503, ...)."""
        answer = await self.call("GET", path, params=params)
        if not answer.ok:
            raise PageError(answer.status, answer.detail)
        return answer.data

    async def read(self, reader: Callable[[Request, str], Awaitable[conditional.Answer]], value: str,
                   pattern: str) -> Any:
        """The data of a public read this process answers itself (the read model, the region cache:
        the routes' `public_kim`, `public_coverage_of`, `region_detail`), without a second pass
        through HTTP. `value` (the path's parameter) is checked against the route's `pattern`
        first; problems become the error page, as with `get`."""
        english = language(self.request) == "en"
        if "\n" in value or not re.search(pattern, value):
            raise PageError(422, "Some fields are invalid." if english else "Beberapa isian tidak valid.")
        try:
            return (await reader(self.request, value)).data
        except Problem as problem:
            raise PageError(problem.status, problem.detail_en if english and problem.detail_en
                            else problem.detail) from None

    async def send(self, method: str, path: str, json: Any = None, **kwargs) -> Answer:
        """A change: the caller shows 4xx problems on its form."""
        return await self.call(method, path, json=json, **kwargs)


async def together(*calls: Awaitable[Any] | None) -> list[Any]:
    """Independent calls of one page, run at the same time; a None stands for
    a call the page does not make and comes back as None. A problem is the
    one of the first failing call in the order given, as if they had run one
    after another (a group that does not exist is its own 404, not whichever
    of its lists failed first)."""
    made = iter(await asyncio.gather(*(call for call in calls if call is not None), return_exceptions=True))
    results = [None if call is None else next(made) for call in calls]
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results
