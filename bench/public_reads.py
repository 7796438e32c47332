"""The public, read-mostly answers next to a FastAPI hello endpoint measured
in the same run: a group's public profile, the public coverage (national,
provincial), a region, each also revalidated with If-None-Match (304).

  python bench/public_reads.py        (or: make bench)

Starts the platform on SQLite with a few groups registered through the API
(coverage is one query on counters whatever the number of groups), with the
gateway in one process and then in two (GATEWAY_WORKERS).
"""
import json
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    CONNECTIONS,
    DURATION,
    free_port,
    line,
    load,
    start_hello,
    start_platform,
    stop,
    wait_http,
)
from services.common.testing import amqp_uri_for, create_vhost, delete_vhost  # noqa: E402

ADMIN_KEY = "kim_bench_admin_key_0123456789"
VILLAGES = ("14.71.01.1002", "14.71.01.1003", "14.71.02.1001", "14.72.01.1003")


def call(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[dict, dict]:
    request = urllib.request.Request(url, data=json.dumps(body).encode() if body else None, headers={
        "Authorization": f"Bearer {ADMIN_KEY}", "Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read()), dict(response.headers)


def measure(hello_port: int, workers: int) -> list[tuple[str, dict]]:
    """The public reads of a platform whose gateway runs `workers` processes."""
    vhost = create_vhost("kim-bench")
    gateway_port = free_port()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        platform = start_platform({"AMQP_URI": amqp_uri_for(vhost), "KIM_DATA_DIR": tmp, "KIM_ADMIN_KEY": ADMIN_KEY,
                                   "GATEWAY_PORT": str(gateway_port), "GATEWAY_WORKERS": str(workers)})
        try:
            base = f"http://127.0.0.1:{gateway_port}"
            wait_http(f"{base}/readyz")
            ids = [call(f"{base}/api/v1/kims", {
                "name": f"KIM Bench {i}", "village_code": village, "classification": "tumbuh",
                "sk": {"number": f"BENCH/{i}", "date": "2024-01-01", "issuer": "Kepala Desa"}})[0]["id"]
                for i, village in enumerate(VILLAGES)]
            paths = {
                f"GET /api/v1/public/kims/{ids[0]}": f"/api/v1/public/kims/{ids[0]}",
                "GET /api/v1/public/coverage/ID": "/api/v1/public/coverage/ID",
                "GET /api/v1/public/coverage/14": "/api/v1/public/coverage/14",
                "GET /api/v1/regions/14.71": "/api/v1/regions/14.71",
            }
            for path in paths.values():  # every worker's read model and region cache warm
                for _ in range(4 * workers):
                    call(base + path)
            for label, path in paths.items():
                figures.append((label, load(base + path)))
                etag = call(base + path)[1].get("etag")
                if etag:  # a client that holds the answer asks again
                    figures.append(("  the same, If-None-Match (304)", load(base + path, {"If-None-Match": etag})))
        finally:
            stop(platform)
    delete_vhost(vhost)
    return figures


def main():
    hello_port = free_port()
    hello_process = start_hello(hello_port)
    try:
        wait_http(f"http://127.0.0.1:{hello_port}/hello")
        print(f"== HTTP: wrk, {DURATION}s per endpoint, {CONNECTIONS} connections; the hello is one uvicorn process")
        hello = load(f"http://127.0.0.1:{hello_port}/hello")
        # GATEWAY_WORKERS: one process, then one per core of this two-core machine
        by_workers = {workers: measure(hello_port, workers) for workers in (1, 2)}
        hello_after = load(f"http://127.0.0.1:{hello_port}/hello")
    finally:
        stop(hello_process)
    baseline = {**hello, "rps": (hello["rps"] + hello_after["rps"]) / 2}
    print(line("FastAPI hello (before)", hello))
    print(line("FastAPI hello (after)", hello_after))
    for workers, figures in by_workers.items():
        print(f"-- GATEWAY_WORKERS={workers}")
        for label, result in figures:
            print(line(label, result, baseline))


if __name__ == "__main__":
    main()
