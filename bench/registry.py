"""Registry figures with 100,000 KIM, each next to a FastAPI hello endpoint
measured in the same run.

  python bench/registry.py        (or: make bench)

Seeds BENCH_KIMS (default 100,000) groups over the real villages with
`python -m services.registry.seed`, starts the platform (the registry on
SQLite, or on PostgreSQL with BENCH_BACKEND=postgresql), waits until the
outbox has published the seed's events, then measures with wrk:
registrations (POST /api/v1/kims, unique groups over 500 villages), list
and read, and national and provincial coverage.
"""
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.request
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
from services.common.testing import (  # noqa: E402
    amqp_uri_for,
    create_postgres_database,
    create_vhost,
    delete_vhost,
    drop_postgres_database,
    rabbit_api,
)
from services.registry.regions import read_source_rows  # noqa: E402

KIMS = int(os.environ.get("BENCH_KIMS", "100000"))
BACKEND = os.environ.get("BENCH_BACKEND", "sqlite")
ADMIN_KEY = "kim_bench_admin_key_0123456789"

REGISTER = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local villages = {%s}
request = function()
  local n = tostring(math.random(1, 2147483647)) .. tostring(math.random(1, 2147483647))
  local body = '{"name":"KIM Bench ' .. n .. '","village_code":"' .. villages[math.random(#villages)] ..
    '","classification":"tumbuh","tags":["pemuda"],"sk":{"number":"BENCH/' .. n ..
    '","date":"2024-01-01","issuer":"Kepala Desa"}}'
  return wrk.format("POST", "/api/v1/kims", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer %s"}, body)
end
"""


def seed(data_dir: str, database: dict) -> float:
    env = {**os.environ, "KIM_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
    env.pop("REGISTRY_DATABASE_URL", None)
    env.update(database)
    out = subprocess.run([sys.executable, "-m", "services.registry.seed", str(KIMS)], env=env, cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])["seconds"]


def wait_outbox_drained(metrics_port: int, timeout: float = 600):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            text = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).read().decode()
            backlog = [ln for ln in text.splitlines() if ln.startswith('kim_outbox_backlog{service="registry"}')]
            if backlog and float(backlog[0].split()[-1]) == 0:
                return
        except OSError:
            pass
        time.sleep(2)
    raise SystemExit("the registry's outbox did not drain")


def wait_queues_drained(vhost: str, timeout: float = 1800):
    """Until every queue of the run's virtual host is empty: the replicas
    (the broadcast service's KIM directory) have consumed the seed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        queues = rabbit_api("GET", f"/api/queues/{vhost}").json()
        if queues and all(q.get("messages", 1) == 0 for q in queues):
            return
        time.sleep(2)
    raise SystemExit("the queues did not drain")


def get_json(url: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
    return json.loads(urllib.request.urlopen(request, timeout=30).read())


def main():
    rows = read_source_rows()["villages"]
    villages = random.Random(7).sample([r["code"] for r in rows], 500)
    vhost = create_vhost("kim-bench")
    hello_port, gateway_port, metrics_port = free_port(), free_port(), free_port()
    database = {"REGISTRY_DATABASE_URL": create_postgres_database("kim_bench")} if BACKEND == "postgresql" else {}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"== seeding {KIMS:,} KIM over the real villages (the registry on {BACKEND})")
        print(f"  python -m services.registry.seed {KIMS}: {seed(tmp, database):.1f} s")
        platform = start_platform({"AMQP_URI": amqp_uri_for(vhost), "KIM_DATA_DIR": tmp, "KIM_ADMIN_KEY": ADMIN_KEY,
                                   "GATEWAY_PORT": str(gateway_port), "REGISTRY_METRICS_PORT": str(metrics_port),
                                   **database})
        hello_process = start_hello(hello_port)
        try:
            wait_http(f"http://127.0.0.1:{gateway_port}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
            started = time.perf_counter()
            wait_outbox_drained(metrics_port)
            published = time.perf_counter() - started
            time.sleep(5)  # let the management API's queue figures catch up
            wait_queues_drained(vhost)
            print(f"  the seed's {KIMS:,} kim_registered events: published {published:.0f} s after the start, "
                  f"consumed by the broadcast directory after {time.perf_counter() - started:.0f} s")
            base = f"http://127.0.0.1:{gateway_port}"
            some_kim = get_json(f"{base}/api/v1/kims?region=14.71&limit=1")["items"][0]["id"]
            auth = {"Authorization": f"Bearer {ADMIN_KEY}"}
            print(f"== HTTP: wrk, {DURATION}s per endpoint, {CONNECTIONS} connections")
            hello = load(f"http://127.0.0.1:{hello_port}/hello")
            figures = [
                ("POST /api/v1/kims (registrations)", load(base + "/api/v1/kims", script=REGISTER % (
                    ",".join(f'"{v}"' for v in villages), ADMIN_KEY))),
                ("GET /api/v1/kims?region=14.71&limit=50", load(base + "/api/v1/kims?region=14.71&limit=50", auth)),
                ("GET /api/v1/public/kims?region=14&limit=50", load(base + "/api/v1/public/kims?region=14&limit=50")),
                (f"GET /api/v1/kims/{some_kim}", load(f"{base}/api/v1/kims/{some_kim}", auth)),
                ("GET /api/v1/public/coverage/ID (national)", load(base + "/api/v1/public/coverage/ID")),
                ("GET /api/v1/public/coverage/14 (province)", load(base + "/api/v1/public/coverage/14")),
                ("GET /api/v1/coverage/ID (admin)", load(base + "/api/v1/coverage/ID", auth)),
                ("  the same, one connection", load(base + "/api/v1/coverage/ID", auth, connections=1)),
                ("GET /api/v1/public/coverage/14, one connection", load(base + "/api/v1/public/coverage/14",
                                                                         connections=1)),
            ]
            national = get_json(f"{base}/api/v1/coverage/ID")
        finally:
            stop(platform, hello_process)
            if database:
                drop_postgres_database(database["REGISTRY_DATABASE_URL"])
    delete_vhost(vhost)
    print(line("FastAPI hello (baseline)", hello))
    for label, result in figures:
        print(line(label, result, hello))
    print(f"  after the run: {national['kim_active'] + national['kim_vakum']:,} living KIM, "
          f"{national['villages_with_kim']:,} of {national['villages_total']:,} villages "
          f"({national['coverage_percent']} %)")


if __name__ == "__main__":
    main()
