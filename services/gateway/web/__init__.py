"""The website served with the gateway: public pages, sign-in for people,
the office console and the group portal. Pages call the gateway's own API."""
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from services.gateway.web import apidocs, auth, console, hoaxes, portal, posts, public
from services.gateway.web.errors import PageError, SignInRequired
from services.gateway.web.pages import error_page, is_page, is_page_path, sign_in_redirect

STATIC = Path(__file__).parent / "static"


class Static(StaticFiles):
    """The site's files, cached by browsers for a day (they revalidate with the ETag after)."""

    def file_response(self, *args, **kwargs):
        response = super().file_response(*args, **kwargs)
        response.headers["Cache-Control"] = "public, max-age=86400"
        return response


class PageCompression:
    """gzip for pages and static files, for phones on slow connections; the
    API's answers stay as they were."""

    def __init__(self, app):
        self.app = app
        self.gzip = GZipMiddleware(app, minimum_size=1024)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and is_page_path(scope["path"]):
            return await self.gzip(scope, receive, send)
        return await self.app(scope, receive, send)


def install(app: FastAPI):
    app.mount("/static", Static(directory=STATIC), name="static")
    app.add_middleware(PageCompression)
    for module in (apidocs, public, auth, console, portal):
        app.include_router(module.router)
    # issue 15: the groups' posts, the hoax clarification loop
    for router in (posts.public, posts.portal, posts.console, hoaxes.public, hoaxes.console, hoaxes.portal):
        app.include_router(router)

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError):
        return error_page(request, exc.status, exc.detail)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired):
        return sign_in_redirect(request)

    api_handler = app.exception_handlers[StarletteHTTPException]

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        # a person who mistypes an address gets a page; a program gets a problem
        if exc.status_code == 404 and is_page(request) and "text/html" in request.headers.get("accept", ""):
            return error_page(request, 404)
        return await api_handler(request, exc)  # type: ignore[misc]  # problems.py's handler is async
