"""The public, read-mostly answers next to a FastAPI hello endpoint measured
in the same run: a group's public profile, the public coverage (national,
provincial), a region, each also revalidated with If-None-Match (304).

  python bench/public_reads.py        (or: make bench)

Starts the platform on SQLite with a few groups registered through the API
(coverage is one query on counters whatever the number of groups).
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


def main():
    vhost = create_vhost("kim-bench")
    hello_port, gateway_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        platform = start_platform({"AMQP_URI": amqp_uri_for(vhost), "KIM_DATA_DIR": tmp, "KIM_ADMIN_KEY": ADMIN_KEY,
                                   "GATEWAY_PORT": str(gateway_port)})
        hello_process = start_hello(hello_port)
        try:
            base = f"http://127.0.0.1:{gateway_port}"
            wait_http(f"{base}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
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
            print(f"== HTTP: wrk, {DURATION}s per endpoint, {CONNECTIONS} connections")
            hello = load(f"http://127.0.0.1:{hello_port}/hello")
            figures = []
            for label, path in paths.items():
                figures.append((label, load(base + path)))
                etag = call(base + path)[1].get("etag")
                if etag:  # a client that holds the answer asks again
                    figures.append(("  the same, If-None-Match (304)", load(base + path, {"If-None-Match": etag})))
            hello_after = load(f"http://127.0.0.1:{hello_port}/hello")
        finally:
            stop(platform, hello_process)
    delete_vhost(vhost)
    baseline = {**hello, "rps": (hello["rps"] + hello_after["rps"]) / 2}
    print(line("FastAPI hello (before)", hello))
    print(line("FastAPI hello (after)", hello_after))
    for label, result in figures:
        print(line(label, result, baseline))


if __name__ == "__main__":
    main()
