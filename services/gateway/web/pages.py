"""What every page shares: who is visiting, rendering a template in the
visitor's language, CSRF tokens, security headers, and the error pages."""
import json
import math
import secrets
from datetime import datetime
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context
from markupsafe import Markup

from services.common.events import as_utc
from services.common.privacy import current_notice
from services.gateway.accounts import SessionInfo
from services.gateway.deps import csrf_matches, web_session
from services.gateway.web.errors import PageError, SignInRequired
from services.gateway.web.i18n import LANGUAGE_COOKIE, LANGUAGES, labeler, language, translator

TEMPLATES = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
    trim_blocks=True, lstrip_blocks=True,
    auto_reload=False))  # the templates do not change while the gateway runs: no stat() per page
ANONYMOUS_CSRF_COOKIE = "kim_csrf"
FORM_EXPIRED = "Formulir ini kedaluwarsa atau tidak berasal dari situs ini. Muat ulang halaman lalu kirim lagi."


@pass_context
def _date(context, value, with_time: bool = False) -> str:
    """An ISO moment as people read it, in the platform's zone: 28-11-2026 (14:05 WIB)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if len(str(value)) <= 10:  # a date alone
        return moment.strftime("%d-%m-%Y")
    moment = as_utc(moment).astimezone(context["zone"])
    return moment.strftime("%d-%m-%Y %H:%M %Z" if with_time else "%d-%m-%Y")


@pass_context
def _option(context, code: str) -> tuple[str, str]:
    """A code as a choice (value, label in the visitor's language)."""
    return code, context["label"](code)


def _village_option(region: dict) -> tuple[str, str]:
    return region["code"], f"{region['name']} ({region['code']})"


# what could end a <script> element or a JavaScript string, escaped inside JSON
_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value) -> Markup:
    """Data as JSON to place inside a <script> element: a group named
    `</script>...` stays a string in the data and never ends the element."""
    text = json.dumps(value, ensure_ascii=False)
    for unsafe, escaped in _SCRIPT_UNSAFE.items():
        text = text.replace(unsafe, escaped)
    return Markup(text)


TEMPLATES.env.filters["date"] = _date
TEMPLATES.env.filters["script_json"] = script_json
TEMPLATES.env.filters["option"] = _option
TEMPLATES.env.filters["village_option"] = _village_option
TEMPLATES.env.filters["number"] = lambda n: f"{int(n or 0):,}".replace(",", ".")


def local_path(path: str) -> str:
    """A path as a link that stays on this site: percent-encoded (no tab or
    backslash a browser would reinterpret) with exactly one leading slash, so
    `//evil.example` never becomes a scheme-relative address."""
    return "/" + quote(path, safe="/:@!$&'()*+,;=-._~").lstrip("/")


PAGE_SIZE = 25  # rows of a list page


def page_offset(request: Request) -> int:
    """Where a list page starts: `?mulai=`, anything but digits being the first page."""
    value = request.query_params.get("mulai", "0")
    return int(value) if value.isdigit() else 0


def zone(request: Request) -> ZoneInfo:
    return ZoneInfo(request.app.state.settings.timezone)


# --- who is visiting ---------------------------------------------------------------

async def visitor(request: Request) -> SessionInfo | None:
    return await web_session(request)


async def person(request: Request) -> SessionInfo:
    info = await web_session(request)
    if info is None:
        raise SignInRequired()
    return info


def _role(*roles: str):
    async def dependency(info: Annotated[SessionInfo, Depends(person)]) -> SessionInfo:
        if info.principal.role not in roles:
            raise PageError(403)
        return info
    return dependency


Visitor = Annotated[SessionInfo | None, Depends(visitor)]
Staff = Annotated[SessionInfo, Depends(_role("admin", "operator"))]
GroupMember = Annotated[SessionInfo, Depends(_role("kim"))]


# --- CSRF ------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """A signed-in person's session token; for a visitor, a random token kept
    in a cookie (double submit), so even the public forms need it."""
    info = getattr(request.state, "web_session", None)
    if info is not None:
        return info.csrf_token
    token = request.cookies.get(ANONYMOUS_CSRF_COOKIE) or getattr(request.state, "new_csrf", None)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


class Form(dict):
    """A posted form: each field's (stripped) value, and `getlist` for repeated fields.
    The website takes no files: a field sent as a file counts as not filled in."""

    def __init__(self, form):
        super().__init__((key, value.strip()) for key, value in form.items()
                         if key != "csrf_token" and isinstance(value, str))
        self._lists = {key: [v.strip() for v in form.getlist(key) if isinstance(v, str)] for key in form}

    def getlist(self, key: str) -> list[str]:
        return [value for value in self._lists.get(key, []) if value]

    def number(self, key: str) -> int | float | str | None:
        """A field as the JSON number the API takes; what is no number goes on
        as typed, for the API to name its field."""
        text = self.get(key) or None
        for parse in (int, float):
            try:
                value = parse(text)  # type: ignore[arg-type]  # None raises the TypeError caught here
            except (TypeError, ValueError):
                continue
            return value if math.isfinite(value) else text
        return text


def consent(form) -> dict:
    """The version of the privacy notice the form showed (its hidden field), as the API takes it."""
    return {"consent_version": form.get("consent_version")} if form.get("consent_version") else {}


async def form_data(request: Request) -> Form:
    """The posted form, after its CSRF token was checked (403 page otherwise)."""
    form = await request.form()
    info = await web_session(request)
    expected = info.csrf_token if info is not None else request.cookies.get(ANONYMOUS_CSRF_COOKIE)
    offered = form.get("csrf_token")
    if not expected or not isinstance(offered, str) or not csrf_matches(offered, expected):  # a file is no token
        raise PageError(403, translator(language(request))(FORM_EXPIRED))
    return Form(form)


# --- rendering ---------------------------------------------------------------------------

def render(request: Request, template: str, status_code: int = 200, **context) -> Response:
    lang = language(request)
    settings = request.app.state.settings
    context = {
        "lang": lang, "_": translator(lang), "label": labeler(lang),
        "user": getattr(request.state, "web_session", None), "csrf_token": csrf_token(request),
        "path": request.url.path, "here": local_path(request.url.path), "tiles_url": settings.map_tiles_url,
        "tiles_attribution": settings.map_tiles_attribution, "zone": zone(request),
        "zone_name": datetime.now(zone(request)).strftime("%Z"), "notice": current_notice, **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    return finish(request, response)


def finish(request: Request, response: Response) -> Response:
    """Cookies a page sets, and the headers that keep pages safe."""
    secure = request.url.scheme == "https"
    new_csrf = getattr(request.state, "new_csrf", None)
    if new_csrf:
        response.set_cookie(ANONYMOUS_CSRF_COOKIE, new_csrf, httponly=True, samesite="strict", secure=secure)
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="lax", secure=secure)
    tiles = request.app.state.settings.map_tiles_url
    tile_origin = ""
    if tiles:
        parts = urlsplit(tiles.replace("{s}", "a"))
        tile_origin = " " + f"{parts.scheme}://{parts.netloc}".replace("://a.", "://*.")
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; img-src 'self' data:{tile_origin}; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if getattr(request.state, "web_session", None) is not None:
        response.headers["Cache-Control"] = "no-store"  # a person's pages stay out of shared caches
    return response


def redirect(request: Request, url: str) -> Response:
    """After a successful form: see the result (POST, redirect, GET)."""
    return finish(request, RedirectResponse(url, status_code=303))


# --- error pages ----------------------------------------------------------------------------

ERROR_TEXTS = {
    403: ("Akses ditolak", "Halaman ini bukan untuk akun Anda."),
    404: ("Tidak ditemukan", "Halaman atau data yang Anda cari tidak ada."),
    503: ("Layanan sedang tidak tersedia", "Coba lagi beberapa saat lagi. Data yang sudah Anda kirim tidak hilang."),
}


def error_page(request: Request, status: int, detail: str = "") -> Response:
    title, explanation = ERROR_TEXTS.get(status, ("Terjadi kesalahan", "Coba lagi beberapa saat lagi."))
    if status >= 500:
        status = 503
    return render(request, "error.html", status_code=status, status=status, title=title,
                  explanation=explanation, detail=detail)


def sign_in_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(request, f"/masuk?next={quote(target, safe='')}")


def is_page_path(path: str) -> bool:
    return not path.startswith(("/api/", "/open311/", "/metrics", "/healthz", "/readyz", "/openapi", "/docs"))


def is_page(request: Request) -> bool:
    return is_page_path(request.url.path)
