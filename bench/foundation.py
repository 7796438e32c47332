"""Figures for the foundation, each next to a baseline measured in the same run.

  python bench/foundation.py            (or: make bench)

1. Loading all 91,599 regions into a fresh SQLite and a fresh PostgreSQL database.
2. GET /api/v1/regions/{code} through the gateway (and the registry over
   RabbitMQ) against a FastAPI hello endpoint, both with uvicorn, 1 worker.
3. Outbox publishing with pipelined publisher confirms against waiting for
   each confirm.

Needs RabbitMQ (with the management API for a private virtual host) and
PostgreSQL, as `make test` does. Uses wrk when installed, else a Python client.
"""
import asyncio
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.common.bus import ConfirmedPublisher, OutgoingMessage  # noqa: E402
from services.common.db import make_engine  # noqa: E402
from services.common.migrations import upgrade  # noqa: E402
from services.common.testing import (  # noqa: E402
    amqp_uri_for,
    create_postgres_database,
    create_vhost,
    delete_vhost,
    drop_postgres_database,
)
from services.registry.regions import load_regions, read_source_rows  # noqa: E402

DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_region_load():
    print("== region load (91,599 rows, fresh database, migrations applied first)")
    with tempfile.TemporaryDirectory() as tmp:
        results = {}
        started = time.perf_counter()
        read_source_rows()
        print(f"  reading the compressed CSVs alone: {time.perf_counter() - started:.2f} s")
        for backend in ("sqlite", "postgresql"):
            url = f"sqlite:///{tmp}/registry.db" if backend == "sqlite" else create_postgres_database("kim_bench")
            try:
                upgrade(url, ROOT / "services" / "registry" / "migrations")
                engine = make_engine(url)
                started = time.perf_counter()
                load_regions(engine)
                results[backend] = time.perf_counter() - started
                started = time.perf_counter()
                assert load_regions(engine) is None
                again = time.perf_counter() - started
                engine.dispose()
            finally:
                if backend == "postgresql":
                    drop_postgres_database(url)
            print(f"  {backend:10s}: {results[backend]:.2f} s  (second start, nothing to load: {again * 1000:.0f} ms)")


def wrk(url: str) -> float:
    out = subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+(\S+)", out).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(errors.group(1)) if errors else 0


async def python_load(urls: list[str]) -> tuple[float, str, int]:
    import httpx
    done = errors = 0
    latencies = []
    deadline = time.perf_counter() + DURATION

    async def worker(client):
        nonlocal done, errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await client.get(random.choice(urls))
            latencies.append(time.perf_counter() - started)
            done += 1
            errors += response.status_code != 200

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=CONNECTIONS)) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(CONNECTIONS)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return done / elapsed, f"{latencies[int(len(latencies) * 0.99)] * 1000:.1f}ms", errors


def load(url: str):
    if shutil.which("wrk"):
        return wrk(url)
    return asyncio.run(python_load([url]))


def wait_http(url: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def bench_gateway(amqp_uri: str):
    print(f"== HTTP: {DURATION}s per endpoint, {CONNECTIONS} connections, "
          f"{'wrk' if shutil.which('wrk') else 'python httpx client'}")
    hello_port, gateway_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "AMQP_URI": amqp_uri, "KIM_DATA_DIR": tmp, "GATEWAY_PORT": str(gateway_port),
               "REGISTRY_METRICS_PORT": "0", "BROADCAST_METRICS_PORT": "0", "ASPIRATIONS_METRICS_PORT": "0",
               "KIM_LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}
        for name in [k for k in env if k.endswith("_DATABASE_URL")]:
            del env[name]
        platform = subprocess.Popen([sys.executable, str(ROOT / "infra" / "run_local.py")], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        hello = subprocess.Popen([sys.executable, str(ROOT / "bench" / "hello_app.py"), str(hello_port)])
        try:
            wait_http(f"http://127.0.0.1:{gateway_port}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
            hello_rps, hello_p99, _ = load(f"http://127.0.0.1:{hello_port}/hello")
            region_rps, region_p99, errors = load(f"http://127.0.0.1:{gateway_port}/api/v1/regions/14.71")
            village_rps, village_p99, village_errors = load(
                f"http://127.0.0.1:{gateway_port}/api/v1/regions/14.71.01.1002")
        finally:
            platform.terminate()
            hello.terminate()
            platform.wait(timeout=60)
            hello.wait(timeout=10)
    print(f"  FastAPI hello (baseline)        : {hello_rps:8.0f} req/s  p99 {hello_p99}")
    print(f"  GET /api/v1/regions/14.71       : {region_rps:8.0f} req/s  p99 {region_p99}  "
          f"ratio {region_rps / hello_rps:.2f} of hello  (non-200: {errors})")
    print(f"  GET /api/v1/regions/14.71.01.1002: {village_rps:7.0f} req/s  p99 {village_p99}  "
          f"ratio {village_rps / hello_rps:.2f} of hello  (non-200: {village_errors})")


def bench_confirms(amqp_uri: str):
    print("== publishing with confirms (persistent, 1 KB envelopes)")
    import kombu
    with kombu.Connection(amqp_uri) as conn:
        kombu.Queue("bench", kombu.Exchange("bench.events", "topic", durable=True), routing_key="#",
                    durable=True)(conn.channel()).declare()
    body = b'{"data": "' + b"x" * 1000 + b'"}'
    publisher = ConfirmedPublisher(amqp_uri)
    publisher.declare_exchange("bench.events")
    one_by_one = 1000
    started = time.perf_counter()
    for _ in range(one_by_one):
        publisher.publish([OutgoingMessage("bench.events", "e", body)])
    single_rate = one_by_one / (time.perf_counter() - started)
    batch, batches = 500, 20
    started = time.perf_counter()
    for _ in range(batches):
        publisher.publish([OutgoingMessage("bench.events", "e", body)] * batch)
    pipelined_rate = batch * batches / (time.perf_counter() - started)
    publisher.close()
    print(f"  waiting for each confirm (baseline): {single_rate:8.0f} msg/s")
    print(f"  pipelined, batches of {batch}        : {pipelined_rate:8.0f} msg/s  "
          f"ratio {pipelined_rate / single_rate:.1f}x")


def main():
    bench_region_load()
    vhost = create_vhost("kim-bench")
    try:
        bench_confirms(amqp_uri_for(vhost))
        bench_gateway(amqp_uri_for(vhost))
    finally:
        delete_vhost(vhost)


if __name__ == "__main__":
    main()
