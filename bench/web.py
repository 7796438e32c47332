"""The website's figures, next to a FastAPI hello and the API call each page makes, in the same run.

  python bench/web.py        (or: make bench)

1. Weight: what a first visit downloads (HTML, CSS, scripts), raw and gzip,
   and how long that takes on a slow phone connection (400 kbit/s).
2. Pages per second (wrk) for the public pages, with their ratio to a FastAPI
   hello and to the API endpoint the page is built on.
"""
import json
import sys
import tempfile
import urllib.error
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

ADMIN_KEY = "kim_bench_web_admin_key_0123456789"
SLOW_PHONE_BITS_PER_SECOND = 400_000


def fetch(url: str, method: str = "GET", body: dict | None = None, compressed: bool = False) -> bytes:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"} if body is not None else {}
    if compressed:
        headers["Accept-Encoding"] = "gzip"
    data = json.dumps(body).encode() if body is not None else None
    if data:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {url}: {error.code} {error.read().decode()}") from None


def weight(base: str, paths: list[str]) -> tuple[int, int]:
    """(raw bytes, bytes over the wire with gzip) of the files a first visit loads."""
    raw = wire = 0
    for path in paths:
        body = fetch(base + path)
        sent = fetch(base + path, compressed=True)
        raw += len(body)
        wire += len(sent)
    return raw, wire


def main():
    vhost = create_vhost("kim-bench")
    hello_port, gateway_port = free_port(), free_port()
    base = f"http://127.0.0.1:{gateway_port}"
    with tempfile.TemporaryDirectory() as tmp:
        platform = start_platform({"AMQP_URI": amqp_uri_for(vhost), "KIM_DATA_DIR": tmp,
                                   "GATEWAY_PORT": str(gateway_port), "KIM_ADMIN_KEY": ADMIN_KEY})
        hello_process = start_hello(hello_port)
        try:
            wait_http(f"{base}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
            kims = [json.loads(fetch(f"{base}/api/v1/kims", "POST", {
                "name": f"KIM Bench {n}", "village_code": f"14.71.01.100{2 + n % 7}", "classification": "tumbuh",
                "sk": {"number": f"BENCH/WEB/{n}", "date": "2024-01-01", "issuer": "Lurah"},
                "lat": 0.5 + n / 1000, "lon": 101.45}))["id"] for n in range(20)]

            print("== weight of a first visit (HTML + CSS + scripts)")
            visits = {
                "aspiration form /aspirasi": ["/aspirasi", "/static/site.css"],
                "tracking /lacak": ["/lacak", "/static/site.css"],
                "group profile /kim/{id}": [f"/kim/{kims[0]}", "/static/site.css"],
                "map /peta/14.71.01 (Leaflet)": ["/peta/14.71.01", "/static/site.css",
                                                 "/static/vendor/leaflet/leaflet.css",
                                                 "/static/vendor/leaflet/leaflet.js", "/static/map.js"],
            }
            for label, paths in visits.items():
                raw, wire = weight(base, paths)
                seconds = wire * 8 / SLOW_PHONE_BITS_PER_SECOND
                print(f"  {label:34s} {raw / 1024:7.1f} KiB raw  {wire / 1024:6.1f} KiB gzip  "
                      f"{seconds:4.1f} s at 400 kbit/s")

            print(f"== pages: wrk, {DURATION}s per page, {CONNECTIONS} connections")
            hello = load(f"http://127.0.0.1:{hello_port}/hello")
            print(line("FastAPI hello (baseline)", hello))
            pairs = [
                ("/peta/14.71", "/api/v1/public/coverage/14.71"),
                (f"/kim/{kims[0]}", f"/api/v1/public/kims/{kims[0]}"),
                ("/aspirasi", None),
                ("/masuk", None),
            ]
            for page, api in pairs:
                page_figures = load(base + page)
                print(line(f"GET {page}", page_figures, hello))
                if api:
                    api_figures = load(base + api)
                    print(line(f"  its API: GET {api}", api_figures, hello))
                    print(f"  {'':44s} the page is {page_figures['rps'] / api_figures['rps']:.2f} of its API call")
        finally:
            stop(platform, hello_process)
            platform.wait(timeout=60)
    delete_vhost(vhost)


if __name__ == "__main__":
    main()
