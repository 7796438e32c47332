"""Request-scoped dependencies: who is calling, what they may do, and the
RPC call carrying the request's correlation id."""
import hmac
from dataclasses import asdict
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from services.gateway.accounts import SessionInfo
from services.gateway.idempotency import IdempotencyStore
from services.gateway.keys import KeyStore, Principal
from services.gateway.problems import Problem
from services.gateway.readmodel import ReadModel
from services.gateway.rpc import RpcClient

BEARER = {"WWW-Authenticate": 'Bearer realm="kim"'}


SESSION_COOKIE = "kim_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


async def web_session(request: Request) -> SessionInfo | None:
    """The signed-in person behind the session cookie, looked up once per request."""
    if not hasattr(request.state, "web_session"):
        token = request.cookies.get(SESSION_COOKIE)
        request.state.web_session = (
            await run_in_threadpool(request.app.state.accounts.session_for, token) if token else None)
    return request.state.web_session


def csrf_matches(offered: str | None, expected: str) -> bool:
    return bool(offered and hmac.compare_digest(offered.encode(), expected.encode()))


async def optional_principal(request: Request) -> Principal | None:
    """The caller, or None for anonymous. A key that is present but wrong is
    a 401 even on public routes, so a typo is never silently anonymous.
    Without a key, a signed-in person's session cookie counts; an unsafe
    method then needs the session's CSRF token in X-CSRF-Token."""
    header = request.headers.get("authorization")
    if header is None:
        info = await web_session(request)
        if info is None:
            return None
        if request.method not in SAFE_METHODS and not csrf_matches(request.headers.get(CSRF_HEADER),
                                                                   info.csrf_token):
            raise Problem(403, "Token CSRF tidak ada atau salah; muat ulang halaman lalu coba lagi.",
                          "The CSRF token is missing or wrong; reload the page and try again.")
        return info.principal
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise Problem(401, "Gunakan header Authorization: Bearer <kunci API>.",
                      "Use the header Authorization: Bearer <api key>.", headers=BEARER)
    return await authenticate(request, secret.strip())


async def authenticate(request: Request, secret: str) -> Principal:
    """The key's holder, or 401."""
    keys = request.app.state.keys
    cached, principal = keys.cached_principal(secret)
    if not cached:
        principal = await run_in_threadpool(keys.principal_for, secret)
    if principal is None:
        raise Problem(401, "Kunci API tidak dikenal atau sudah dicabut.",
                      "Unknown or revoked API key.", headers=BEARER)
    return principal


def require(*roles: str):
    async def dependency(principal: Annotated[Principal | None, Depends(optional_principal)]) -> Principal:
        if principal is None:
            raise Problem(401, "Diperlukan kunci API.", "An API key is required.", headers=BEARER)
        if principal.role not in roles:
            raise Problem(403, "Peran Anda tidak boleh melakukan ini.", "Your role may not do this.")
        return principal
    return dependency


class Rpc:
    """Calls a service, or puts a command on its queue, with this request's correlation id."""

    def __init__(self, request: Request):
        self._client: RpcClient = request.app.state.rpc
        self._correlation_id = request.state.correlation_id

    async def __call__(self, service: str, method: str, **kwargs):
        return await self._client.call(service, method, correlation_id=self._correlation_id, **kwargs)

    async def send_command(self, queue: str, body: dict):
        """Once it returns, the broker holds the command durably (RpcClient.send_command)."""
        await self._client.send_command(queue, body, self._correlation_id)


async def rpc_for_request(request: Request) -> Rpc:
    # async on purpose: a sync dependency would cost a thread-pool hop per request
    return Rpc(request)


def actor(principal: Principal | None) -> dict | None:
    """The caller as the services see it (they apply the scope rules), on the wire."""
    return None if principal is None else asdict(principal.actor)


Anyone = Annotated[Principal | None, Depends(optional_principal)]
Admin = Annotated[Principal, Depends(require("admin"))]
Office = Annotated[Principal, Depends(require("admin", "operator"))]
Member = Annotated[Principal, Depends(require("admin", "operator", "kim"))]
Group = Annotated[Principal, Depends(require("kim"))]
RpcCall = Annotated[Rpc, Depends(rpc_for_request)]


def key_store(request: Request) -> KeyStore:
    return request.app.state.keys


Keys = Annotated[KeyStore, Depends(key_store)]


async def idempotency_store(request: Request) -> IdempotencyStore:
    return request.app.state.idempotency


Idempotency = Annotated[IdempotencyStore, Depends(idempotency_store)]


async def read_model(request: Request) -> ReadModel:
    return request.app.state.readmodel


ReadModelDep = Annotated[ReadModel, Depends(read_model)]
