"""The bulk import (issue 13): 100,000 rows of groups over the real villages,
one CSV uploaded to POST /api/v1/kims/import on the platform on PostgreSQL,
timed from the upload until the job is done (the goal: 60 s or less).

  python bench/import_kims.py        (or: make bench)

Its baseline, measured in the same run on the same platform: registering
groups one at a time, POST /api/v1/kims with wrk (rows per second). Then the
same file is uploaded again: the same job, nothing imported (idempotent).
BENCH_IMPORT_ROWS changes the number of rows.
"""
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DURATION, free_port, load, start_platform, stop, wait_http  # noqa: E402
from bench.registry import REGISTER  # noqa: E402
from services.common.testing import (  # noqa: E402
    amqp_uri_for,
    create_postgres_database,
    create_vhost,
    delete_vhost,
    drop_postgres_database,
)
from services.registry.regions import read_source_rows  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
GOAL_SECONDS = 60
ADMIN_KEY = "kim_bench_admin_key_0123456789"
SERVICES = ("registry", "broadcast", "aspirations", "gateway")


def spreadsheet(villages: list[str]) -> bytes:
    """ROWS valid rows: each village once before any twice, unique names and decree numbers."""
    chosen = random.Random(13).sample(villages, len(villages))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(["nama", "kode_desa", "nomor_sk", "tanggal_sk", "penerbit_sk", "klasifikasi", "tag", "telepon"])
    for n in range(ROWS):
        writer.writerow([f"KIM Impor {n}", chosen[n % len(chosen)], f"IMPOR/{n}/2024", "01/03/2024",
                         "Kepala Desa", "tumbuh", "pemuda", f"0812{n:08d}"])
    return buffer.getvalue().encode()


def multipart(content: bytes, name: str) -> tuple[bytes, str]:
    boundary = "kimbenchboundary7d3f"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def call(method: str, url: str, body: bytes | None = None, content_type: str | None = None) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=300) as response:
        return response.status, json.loads(response.read())


def import_file(base: str, content: bytes, name: str) -> dict:
    body, content_type = multipart(content, name)
    started = time.perf_counter()
    status, job = call("POST", f"{base}/api/v1/kims/import", body, content_type)
    assert status == 202, (status, job)
    accepted = time.perf_counter() - started
    while job["status"] != "done":
        time.sleep(0.2)
        _, job = call("GET", f"{base}/api/v1/kims/import/{job['id']}")
    return {**job, "accepted": accepted, "seconds": time.perf_counter() - started}


def main():
    villages = [r["code"] for r in read_source_rows()["villages"]]
    content = spreadsheet(villages)
    vhost = create_vhost("kim-bench")
    urls = {service: create_postgres_database(f"kim_bench_{service}") for service in SERVICES}
    gateway_port = free_port()
    data_dir = tempfile.TemporaryDirectory()
    platform = start_platform({"AMQP_URI": amqp_uri_for(vhost), "KIM_ADMIN_KEY": ADMIN_KEY,
                               "GATEWAY_PORT": str(gateway_port), "KIM_DATA_DIR": data_dir.name,
                               **{f"{s.upper()}_DATABASE_URL": url for s, url in urls.items()}})
    base = f"http://127.0.0.1:{gateway_port}"
    try:
        wait_http(f"{base}/readyz")
        print(f"== bulk import: {ROWS:,} rows over {min(ROWS, len(villages)):,} real villages, one CSV of "
              f"{len(content) / 1e6:.1f} MB, PostgreSQL")
        job = import_file(base, content, "kim.csv")
        assert (job["imported"], job["rejected"]) == (ROWS, 0), job
        rate = ROWS / job["seconds"]
        print(f"  import of {ROWS:,} rows: {job['seconds']:.1f} s (goal {GOAL_SECONDS} s), {rate:,.0f} rows/s; "
              f"the upload answered 202 after {job['accepted']:.1f} s (reading, checking and storing the rows)",
              flush=True)
        again = import_file(base, content, "kim-lagi.csv")
        assert again["id"] == job["id"] and again["imported"] == ROWS, again
        print(f"  the same file again: the same job, nothing imported, answered in {again['seconds']:.1f} s",
              flush=True)
        one_by_one = load(base + "/api/v1/kims", script=REGISTER % (
            ",".join(f'"{v}"' for v in random.Random(7).sample(villages, 500)), ADMIN_KEY))
    finally:
        stop(platform)
        delete_vhost(vhost)
        for url in urls.values():
            drop_postgres_database(url)
        data_dir.cleanup()
    print(f"  baseline, one registration at a time (POST /api/v1/kims, wrk {DURATION} s): "
          f"{one_by_one['rps']:,.0f} rows/s  ->  the import is {rate / one_by_one['rps']:.0f}x that")


if __name__ == "__main__":
    main()
