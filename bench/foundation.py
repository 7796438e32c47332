"""Figures for the foundation, each next to a baseline measured in the same run.

  python bench/foundation.py            (or: make bench)

1. Loading all 91,599 regions into a fresh SQLite and a fresh PostgreSQL database.
2. GET /api/v1/regions/{code} through the gateway (and the registry over
   RabbitMQ) against a FastAPI hello endpoint, both with uvicorn, 1 worker.
3. Outbox publishing with pipelined publisher confirms against waiting for
   each confirm.

Needs RabbitMQ (with the management API for a private virtual host) and
PostgreSQL, as `make test` does, and wrk (`make bench` installs it).
"""
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    CONNECTIONS,
    DURATION,
    ROOT,
    free_port,
    line,
    load,
    start_hello,
    start_platform,
    stop,
    wait_http,
)
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


def bench_gateway(amqp_uri: str):
    print(f"== HTTP: wrk, {DURATION}s per endpoint, {CONNECTIONS} connections")
    hello_port, gateway_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        platform = start_platform({"AMQP_URI": amqp_uri, "KIM_DATA_DIR": tmp, "GATEWAY_PORT": str(gateway_port)})
        hello_process = start_hello(hello_port)
        try:
            wait_http(f"http://127.0.0.1:{gateway_port}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
            hello = load(f"http://127.0.0.1:{hello_port}/hello")
            region = load(f"http://127.0.0.1:{gateway_port}/api/v1/regions/14.71")
            village = load(f"http://127.0.0.1:{gateway_port}/api/v1/regions/14.71.01.1002")
        finally:
            stop(platform, hello_process)
    print(line("FastAPI hello (baseline)", hello))
    print(line("GET /api/v1/regions/14.71", region, hello))
    print(line("GET /api/v1/regions/14.71.01.1002", village, hello))


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
