"""The gateway application: routes, problem handlers, request limits,
correlation ids and HTTP metrics."""
import asyncio
import logging
import re
import time
import uuid
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from services.common import logs, metrics, migrations
from services.common.db import make_engine
from services.gateway import contract, media, problems, web
from services.gateway.access_log import AccessLog
from services.gateway.accounts import AccountStore
from services.gateway.idempotency import IdempotencyStore
from services.gateway.keys import KeyStore
from services.gateway.problems import error_response
from services.gateway.readmodel import ReadModel, RegistryEvents
from services.gateway.routes import (
    accounts,
    aspirations,
    broadcasts,
    cap,
    channels,
    coverage,
    evaluation,
    imports,
    keys,
    kims,
    open311,
    ops,
    posts,
    privacy,
    regions,
)
from services.gateway.routes import hoaxes as hoax_routes  # issue 15
from services.gateway.routes.common import RegionCache
from services.gateway.rpc import RpcClient
from services.gateway.settings import GatewaySettings

log = logging.getLogger("services.gateway")

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """
API Platform KIM: peta Kelompok Informasi Masyarakat, diseminasi informasi
tepat sasaran, dan aspirasi masyarakat. Semua galat memakai RFC 9457
(`application/problem+json`); kirim `Accept-Language: en` untuk teks bahasa
Inggris. Autentikasi: `Authorization: Bearer <kunci API>`.

The KIM Platform API. Errors are RFC 9457 problem details; send
`Accept-Language: en` for English texts.
"""


# where a spreadsheet of groups is uploaded (the API and the console's form), and what a
# multipart body adds to the file (its boundaries, headers and the form's other fields)
UPLOAD_PATHS = ("/api/v1/kims/import", "/konsol/kim/impor",
                "/api/v1/media", "/portal/berita")  # issue 15: a post's images (checked by media.py)
UPLOAD_OVERHEAD = 64 * 1024

SAFE_CORRELATION_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestGuard:
    """Pure ASGI middleware: correlation id, body size limit, HTTP metrics."""

    def __init__(self, app, max_body_bytes: int, upload_paths: tuple[str, ...] = (), max_upload_bytes: int = 0):
        self.app = app
        self.max_body_bytes = max_body_bytes
        # the paths that take a file (an imported spreadsheet) have a limit of their own
        self.upload_paths = upload_paths
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        offered = headers.get(b"x-correlation-id", b"").decode("latin-1")
        # a client's id is kept when it is a plain token, so it can be searched in logs
        correlation_id = offered if SAFE_CORRELATION_ID.match(offered) else uuid.uuid4().hex
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        logs.correlation_id.set(correlation_id)
        started = time.perf_counter()
        status_holder = {"status": 500}

        limit = self.max_upload_bytes if scope["path"] in self.upload_paths else self.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._too_large(scope, receive, send, correlation_id, started, limit)
            return

        if declared is None and headers.get(b"transfer-encoding"):
            # a chunked body has no declared size: read it here, up to the limit
            chunks, size, more = [], 0, True
            while more:
                message = await receive()
                if message["type"] != "http.request":
                    break
                chunks.append(message.get("body", b""))
                size += len(chunks[-1])
                more = message.get("more_body", False)
                if size > limit:
                    await self._too_large(scope, receive, send, correlation_id, started, limit)
                    return
            buffered = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

            async def receive_buffered():
                return buffered.pop() if buffered else await receive()
            app_receive = receive_buffered
        else:
            app_receive = receive

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message["headers"] = list(message.get("headers", [])) + [
                    (b"x-correlation-id", correlation_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, app_receive, send_with_id)
        finally:
            self._observe(scope, status_holder["status"], started)

    async def _too_large(self, scope, receive, send, correlation_id, started, limit: int):
        response = error_response(Request(scope), 413, f"Badan permintaan melebihi {limit} bait.",
                                  f"The request body exceeds {limit} bytes.")
        response.headers["X-Correlation-ID"] = correlation_id
        await response(scope, receive, send)
        self._observe(scope, 413, started)

    @staticmethod
    def _observe(scope, status: int, started: float):
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        metrics.HTTP_REQUESTS.labels(scope["method"], template, str(status)).inc()
        metrics.HTTP_DURATION.labels(scope["method"], template).observe(time.perf_counter() - started)


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(migrations.upgrade, settings.db_url, MIGRATIONS)
        engine = make_engine(settings.db_url)
        app.state.engine = engine
        sessions = sessionmaker(engine, expire_on_commit=False)
        app.state.keys = KeyStore(sessions, settings.key_cache_seconds)
        app.state.accounts = AccountStore(sessions, settings)
        app.state.idempotency = IdempotencyStore(sessions, settings.idempotency_days)
        app.state.access_log = AccessLog(sessions)  # issue 16: who saw which personal data
        generated = await run_in_threadpool(app.state.keys.bootstrap_admin, settings.admin_key)
        if generated:
            # printed once, on the first start without KIM_ADMIN_KEY
            print(f"KIM admin key (shown once, keep it safe): {generated}", flush=True)
        app.state.rpc = RpcClient(settings.amqp_uri, settings.rpc_timeout, settings.queue_type)
        app.state.regions = RegionCache()
        app.state.readmodel = ReadModel()
        app.state.media = media.store_for(settings)  # issue 15: the posts' images
        registry_events = RegistryEvents(settings.amqp_uri, app.state.readmodel)
        registry_events.start()
        yield
        await registry_events.close()
        if getattr(app.state, "web_api", None) is not None:
            await app.state.web_api.aclose()
        await app.state.rpc.close()
        engine.dispose()

    app = FastAPI(title="KIM Platform API", version="1.0.0", description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)  # web.apidocs serves both from shipped files
    problems.install(app)

    app.include_router(regions.router)
    app.include_router(imports.router)  # /api/v1/kims/import before /api/v1/kims/{kim_id}
    app.include_router(kims.router)
    app.include_router(coverage.router)
    app.include_router(broadcasts.router)
    app.include_router(aspirations.router)
    app.include_router(open311.router)
    app.include_router(channels.router)
    app.include_router(keys.router)
    app.include_router(accounts.router)
    app.include_router(ops.router)
    app.include_router(posts.router)  # issue 15
    app.include_router(evaluation.router)  # issue 15
    app.include_router(hoax_routes.router)  # issue 15, the hoax clarification loop
    app.include_router(cap.router)  # issue 16, darurat broadcasts as CAP 1.2 alerts
    app.include_router(privacy.router)  # issue 16, personal data under UU 27/2022
    web.install(app)
    contract.install(app)
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes, upload_paths=UPLOAD_PATHS,
                       max_upload_bytes=settings.import_max_bytes + UPLOAD_OVERHEAD)
    # outermost: the client address and scheme everything else sees (sign-in limits, Secure cookies)
    app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    app.state.settings = settings
    app.state.password_checks = asyncio.Semaphore(settings.password_checks)
    return app
