"""Signing in as a person: the sign-in form (slower with each failure,
locked after too many, limited per client address), signing out, and the
one-time link that sets a password."""
import asyncio
import math

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from services.common.events import utcnow
from services.gateway.accounts import MIN_PASSWORD_LENGTH, SignIn
from services.gateway.deps import SESSION_COOKIE
from services.gateway.problems import Problem
from services.gateway.web.english import ENGLISH
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import language, translator
from services.gateway.web.pages import ANONYMOUS_CSRF_COOKIE, Visitor, form_data, redirect, render, zone

router = APIRouter(include_in_schema=False)

LINK_GONE = ("Tautan ini tidak berlaku lagi: sudah dipakai atau kedaluwarsa. "
             "Minta tautan baru kepada admin Anda.")


def _safe_next(target: str | None) -> str | None:
    # only a path on this site: never an open redirect
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None


def _home_of(role: str) -> str:
    return "/portal" if role == "kim" else "/konsol"


def client_address(request: Request) -> str:
    # the forwarded client when the peer is a trusted proxy (GATEWAY_TRUSTED_PROXIES, see app.py)
    return request.client.host if request.client else "unknown"


def _too_many_from_here(request: Request, outcome: SignIn, form) -> Response:
    """429 with Retry-After: the sign-in page for a browser, a problem for anything else."""
    # a refused sign-in always carries the moment it is locked until
    wait = max(1, math.ceil((outcome.locked_until - utcnow()).total_seconds()))  # type: ignore[operator]
    headers = {"Retry-After": str(wait)}
    minutes = math.ceil(wait / 60)
    detail = "Terlalu banyak percobaan masuk dari alamat ini. Coba lagi sekitar {minutes} menit lagi."
    if "text/html" not in request.headers.get("accept", ""):
        raise Problem(429, detail.format(minutes=minutes), ENGLISH[detail].format(minutes=minutes), headers=headers)
    response = render(request, "sign_in.html", status_code=429,
                      errors={"password": translator(language(request))(detail, minutes=minutes)},
                      values={"username": form.get("username", ""), "next": form.get("next", "")})
    response.headers.update(headers)
    return response


@router.get("/masuk")
async def sign_in_form(request: Request, visitor: Visitor):
    if visitor is not None:
        return redirect(request, _safe_next(request.query_params.get("next")) or _home_of(visitor.principal.role))
    return render(request, "sign_in.html", values={"next": request.query_params.get("next", "")}, errors={},
                  password_set=request.query_params.get("sandi") == "ok")


@router.post("/masuk")
async def sign_in(request: Request, _visitor: Visitor):
    form = await form_data(request)
    accounts = request.app.state.accounts
    _ = translator(language(request))
    async with request.app.state.password_checks:  # each check holds 64 MiB: a flood waits, memory stays bounded
        outcome = await run_in_threadpool(accounts.sign_in, form.get("username", ""), form.get("password", ""),
                                          client_address(request))
    if outcome.reason == "limited":
        return _too_many_from_here(request, outcome, form)
    if outcome.account is None:
        # every failure answers later than the one before, so guessing is slow
        await asyncio.sleep(accounts.failure_delay(outcome.failures))
        if outcome.reason == "locked":
            message = _("Terlalu banyak percobaan gagal. Nama ini dikunci dari alamat Anda sampai pukul {time}.",
                        time=outcome.locked_until.astimezone(zone(request)).strftime("%H:%M %Z"))
        else:
            message = _("Nama pengguna atau kata sandi salah.")
        return render(request, "sign_in.html", status_code=401, errors={"password": message},
                      values={"username": form.get("username", ""), "next": form.get("next", "")})
    token, _csrf = await run_in_threadpool(accounts.start_session, outcome.account)
    response = redirect(request, _safe_next(form.get("next")) or _home_of(outcome.account.role))
    response.set_cookie(SESSION_COOKIE, token, max_age=int(request.app.state.settings.session_hours * 3600),
                        httponly=True, samesite="lax", secure=request.url.scheme == "https", path="/")
    response.delete_cookie(ANONYMOUS_CSRF_COOKIE)
    return response


@router.post("/keluar")
async def sign_out(request: Request, _visitor: Visitor):
    await form_data(request)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await run_in_threadpool(request.app.state.accounts.end_session, token)
    response = redirect(request, "/")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/akun/sandi/{token}")
async def password_form(request: Request, token: str, _visitor: Visitor):
    account = await run_in_threadpool(request.app.state.accounts.link_account, token)
    if account is None:
        raise PageError(404, translator(language(request))(LINK_GONE))
    response = render(request, "set_password.html", account=account, errors={}, min_length=MIN_PASSWORD_LENGTH)
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in this page's address
    return response


@router.post("/akun/sandi/{token}")
async def set_password(request: Request, token: str, _visitor: Visitor):
    form = await form_data(request)
    accounts = request.app.state.accounts
    _ = translator(language(request))
    account = await run_in_threadpool(accounts.link_account, token)
    if account is None:
        raise PageError(404, _(LINK_GONE))
    password, again = form.get("password", ""), form.get("password_again", "")
    errors = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = _("Kata sandi paling sedikit {n} karakter.", n=MIN_PASSWORD_LENGTH)
    elif password.lower() in (account.username, account.name.lower()):
        errors["password"] = _("Kata sandi tidak boleh sama dengan nama pengguna atau nama Anda.")
    elif password != again:
        errors["password_again"] = _("Kedua kata sandi tidak sama.")
    if errors:
        response = render(request, "set_password.html", status_code=422, account=account, errors=errors,
                          min_length=MIN_PASSWORD_LENGTH)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    async with request.app.state.password_checks:
        await run_in_threadpool(accounts.set_password, token, password)
    return redirect(request, "/masuk?sandi=ok")
