"""Aspiration intake figures, next to a FastAPI hello endpoint in the same run.

  python bench/aspirations.py        (or: make bench)

1. Accepted aspirations per second through the gateway (wrk, concurrent
   anonymous clients, each a different aspiration over 500 villages): p50/p99.
2. The time for the aspirations service to drain a backlog of 10,000
   (put on its intake queue while the service is frozen with SIGSTOP).
"""
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
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
from services.common.bus import ConfirmedPublisher, OutgoingMessage  # noqa: E402
from services.common.events import utcnow  # noqa: E402
from services.common.testing import amqp_uri_for, create_vhost, delete_vhost, rabbit_api  # noqa: E402
from services.registry.regions import read_source_rows  # noqa: E402

BACKLOG = int(os.environ.get("BENCH_BACKLOG", "10000"))
INTAKE = "aspirations.intake"
SUBMIT = """
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
local villages = {%s}
request = function()
  local body = '{"kind":"pengaduan","category":"infrastruktur","body":"Jalan rusak nomor ' ..
    math.random(1, 2147483647) .. '","village_code":"' .. villages[math.random(#villages)] .. '"}'
  return wrk.format("POST", "/api/v1/aspirations", {["Content-Type"] = "application/json"}, body)
end
"""


def service_pid(name: str) -> int:
    out = subprocess.run(["pgrep", "-n", "-f", f"python -m services.{name}"], capture_output=True, text=True).stdout
    return int(out.split()[0])


def stored(data_dir: str) -> int:
    """The backlog's aspirations in the service's database (read-only peek for the benchmark)."""
    with sqlite3.connect(f"file:{data_dir}/aspirations.db?mode=ro", uri=True, timeout=30) as conn:
        return conn.execute("SELECT count(*) FROM aspirations WHERE tracking_code LIKE 'BENCH%'").fetchone()[0]


def queue_depth(vhost: str, name: str) -> int:
    return rabbit_api("GET", f"/api/queues/{vhost}/{name}").json().get("messages", 0)


def main():
    villages = random.Random(3).sample([r["code"] for r in read_source_rows()["villages"]], 500)
    vhost = create_vhost("kim-bench")
    amqp_uri = amqp_uri_for(vhost)
    hello_port, gateway_port = free_port(), free_port()
    with tempfile.TemporaryDirectory() as tmp:
        platform = start_platform({"AMQP_URI": amqp_uri, "KIM_DATA_DIR": tmp, "GATEWAY_PORT": str(gateway_port)})
        hello_process = start_hello(hello_port)
        try:
            wait_http(f"http://127.0.0.1:{gateway_port}/readyz")
            wait_http(f"http://127.0.0.1:{hello_port}/hello")
            print(f"== HTTP: wrk, {DURATION}s per endpoint, {CONNECTIONS} connections")
            hello = load(f"http://127.0.0.1:{hello_port}/hello")
            accepted = load(f"http://127.0.0.1:{gateway_port}/api/v1/aspirations",
                            script=SUBMIT % ",".join(f'"{v}"' for v in villages))
            print(line("FastAPI hello (baseline)", hello))
            print(line("POST /api/v1/aspirations (202 accepted)", accepted, hello))
            while queue_depth(vhost, INTAKE):  # let the service catch up with the load first
                time.sleep(1)

            print(f"== draining a backlog of {BACKLOG:,} (SQLite)")
            pid = service_pid("aspirations")
            os.kill(pid, signal.SIGSTOP)
            publisher = ConfirmedPublisher(amqp_uri)
            now = utcnow().isoformat()
            messages = [OutgoingMessage(INTAKE, INTAKE, json.dumps({
                "type": "aspiration_submission", "id": str(uuid.uuid4()), "tracking_code": f"BENCH{n:05d}",
                "submitted_at": now, "submitted_by": "bench", "data": {
                    "kind": "aspirasi", "category": "lainnya", "body": f"Aspirasi {n}",
                    "village_code": villages[n % len(villages)]}}).encode()) for n in range(BACKLOG)]
            for start in range(0, BACKLOG, 1000):
                publisher.publish(messages[start:start + 1000])
            publisher.close()
            started = time.perf_counter()
            os.kill(pid, signal.SIGCONT)
            while stored(tmp) < BACKLOG:
                time.sleep(0.2)
            drained = time.perf_counter() - started
            print(f"  {BACKLOG:,} aspirations stored after the service came back: {drained:.1f} s "
                  f"({BACKLOG / drained:,.0f}/s)")
        finally:
            stop(platform, hello_process)
    delete_vhost(vhost)


if __name__ == "__main__":
    main()
