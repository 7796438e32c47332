"""python -m services.gateway: serve the HTTP API with uvicorn, in GATEWAY_WORKERS processes."""
import os
import shutil
import socket

import uvicorn
from sqlalchemy.orm import sessionmaker
from uvicorn.protocols.http.h11_impl import H11Protocol

from services.common import migrations
from services.common.db import make_engine
from services.common.logs import configure_logging
from services.gateway.app import MIGRATIONS, create_app
from services.gateway.keys import KeyStore
from services.gateway.settings import GatewaySettings

# prometheus_client's multiprocess mode: each worker writes its samples to files here, and
# /metrics adds them up (services/gateway/routes/ops.py)
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's HTTP protocol with TCP_NODELAY on every connection. With several workers uvicorn
    binds the socket itself, without naming TCP as its protocol, and asyncio then leaves Nagle's
    algorithm on: an answer's headers and body, written apart, wait 40 ms for the client's delayed
    ACK (measured: p50 44 ms at 650 req/s instead of 11 ms). With one worker asyncio sets it."""

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def worker_app():
    """The app of one worker process (uvicorn calls this factory in each one it starts)."""
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    return create_app(settings)


def main():
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    options = {"host": settings.host, "port": settings.port, "log_config": None,
               "access_log": False, "proxy_headers": False}  # the app applies GATEWAY_TRUSTED_PROXIES
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)
        return
    # several workers: the database is migrated and the admin key made once, before they start
    # (each one's start then finds both done), and their metrics go to a fresh folder
    migrations.upgrade(settings.db_url, MIGRATIONS)
    engine = make_engine(settings.db_url, pool_size=1)
    try:
        generated = KeyStore(sessionmaker(engine, expire_on_commit=False)).bootstrap_admin(settings.admin_key)
    finally:
        engine.dispose()
    if generated:
        print(f"KIM admin key (shown once, keep it safe): {generated}", flush=True)
    folder = settings.data_dir.resolve() / "gateway-metrics"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ[METRICS_DIR] = str(folder)
    uvicorn.run("services.gateway.__main__:worker_app", factory=True, workers=settings.workers,
                http="services.gateway.__main__:NoDelayH11Protocol", **options)


if __name__ == "__main__":
    main()
