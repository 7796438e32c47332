"""/healthz, /readyz and /metrics for operators and Prometheus."""
import asyncio
import os

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from services.gateway.problems import Problem, problem_response
from services.gateway.routes.common import problems

router = APIRouter(tags=["operations"])

SERVICES = ("registry", "broadcast", "aspirations", "channels")


@router.get("/healthz", summary="Liveness: the gateway process answers")
async def healthz():
    return {"status": "ok"}


@router.get("/readyz", responses=problems(503), summary="Readiness: database, broker and every service answer")
async def readyz(request: Request):
    rpc = request.app.state.rpc
    checks: dict[str, str] = {}

    def ping_database():
        with request.app.state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping_database)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"

    async def ping(service):
        try:
            await rpc.call(service, "health", timeout=2.0)
            return "ok"
        except Problem as problem:
            return f"unavailable: {problem.detail_en or problem.detail}"

    for service, outcome in zip(SERVICES, await asyncio.gather(*(ping(s) for s in SERVICES)), strict=False):
        checks[service] = outcome
    if all(v == "ok" for v in checks.values()):
        return {"status": "ready", "checks": checks, "channels": await channel_kinds(rpc)}
    return problem_response(request, 503, "Platform belum siap.", "The platform is not ready.",
                            checks=checks)


async def channel_kinds(rpc) -> dict[str, str]:
    """Each kind of channel: on, or off and the setting it misses (off is no failure: a platform
    may run without SMS)."""
    try:
        kinds = await rpc.call("channels", "providers", timeout=2.0)
    except Problem:
        return {}
    return {kind: "on" if state["on"] else f"off: {state['reason']}" for kind, state in kinds.items()}


@router.get("/metrics", response_class=PlainTextResponse,
            summary="Prometheus metrics of the gateway, all its worker processes (text exposition format)")
async def metrics():
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # several workers (services/gateway/__main__.py): all of them
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
