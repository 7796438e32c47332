"""A registry SIGKILLed in the middle of a large import continues it after its restart, each
group once and counted once, on both backends. Its platforms are its own (small import batches,
so the kill lands inside the import): a work unit of its own for the test scheduler."""
import csv
import gzip
import os
import signal

import pytest

from tests.conftest import ROOT, own_platform, wait_for
from tests.test_kims_import import csv_file, run_id, upload

CRASH_ROWS = 12_000


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def crashing(request, tmp_path_factory):
    # small batches: the import is still under way when the registry is killed
    with own_platform(request.param, tmp_path_factory.mktemp(f"import-crash-{request.param}"),
                      KIM_IMPORT_BATCH_SIZE="50", GATEWAY_RPC_TIMEOUT="10") as platform:
        yield platform


def villages(count: int) -> list[str]:
    """Village codes of the Kemendagri data the registry loads."""
    with gzip.open(ROOT / "services" / "registry" / "data" / "villages.csv.gz", "rt") as data:
        rows = csv.reader(data)
        next(rows)
        return [row[0] for _, row in zip(range(count), rows, strict=False)]


def test_a_registry_killed_during_a_large_import_finishes_it_after_its_restart_each_group_once(crashing):
    platform = crashing
    run = run_id()
    codes = villages(CRASH_ROWS)
    content = csv_file([[f"KIM Tahan {run} {n}", codes[n], "", f"TAHAN/{run}/{n}", "2024-03-01", "Lurah",
                         "tumbuh", "", ""] for n in range(CRASH_ROWS)], delimiter=",", bom=False)
    with platform.admin as admin:
        answer = upload(admin, content)
        assert answer.status_code == 202, answer.text
        job_id = answer.json()["id"]

        def under_way():
            job = admin.get(f"/api/v1/kims/import/{job_id}").json()
            return job if job["rows_done"] > 0 else None
        before = wait_for(under_way, timeout=60, interval=0.02, message="the import to start")
        os.kill(platform.pids["registry"], signal.SIGKILL)
        assert before["rows_done"] < CRASH_ROWS, "the import ended before the kill: make it larger"
        wait_for(lambda: "restarting registry" in platform.log(), timeout=30, message="the launcher to notice")

        def done():
            answer = admin.get(f"/api/v1/kims/import/{job_id}")
            return answer.json() if answer.status_code == 200 and answer.json()["status"] == "done" else None
        job = wait_for(done, timeout=300, interval=0.5, message="the import to finish after the restart")
        assert (job["rows_done"], job["imported"], job["rejected"]) == (CRASH_ROWS, CRASH_ROWS, 0)
        kim_ids = []
        for offset in range(0, CRASH_ROWS, 500):
            page = admin.get(f"/api/v1/kims/import/{job_id}/report", params={"limit": 500, "offset": offset}).json()
            kim_ids += [item["kim_id"] for item in page["items"]]
        assert len(kim_ids) == CRASH_ROWS and len(set(kim_ids)) == CRASH_ROWS and None not in kim_ids
        # each group once in the registry, and its coverage counted once
        assert admin.get("/api/v1/kims", params={"q": f"Tahan {run}", "limit": 1}).json()["total"] == CRASH_ROWS
        assert admin.get("/api/v1/coverage/ID").json()["kim_active"] == CRASH_ROWS
