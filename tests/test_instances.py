"""Past one machine: two instances of every nameko service and two gateway worker processes,
under a mixed load (citizens sending aspirations, an office registering groups, a broadcast
fanning out to them), then one instance of each service and one gateway worker SIGKILLed at
once. Nothing accepted is lost and nothing is done twice; the survivors carry on while the
launcher starts the killed ones again.

On PostgreSQL only: several processes writing one SQLite file is not a deployment the platform
offers (SQLite is the one-machine default; each service holds one connection to it)."""
import os
import signal
import threading
import time
import uuid

import httpx
import pytest

from tests.conftest import own_platform, wait_for
from tests.test_broker_restart import Citizens, assert_every_acceptance_stored_once
from tests.test_run_local import alive

REGENCY = "14.71"
VILLAGES = ("14.71.01.1002", "14.71.01.1003", "14.71.01.1005")
GROUPS_BEFORE = 120  # registered before the load: the broadcast's recipients
GROUPS_DURING = 30  # registered during it


@pytest.fixture(scope="module")
def doubled(tmp_path_factory):
    with own_platform("postgresql", tmp_path_factory.mktemp("instances"), KIM_INSTANCES="2", GATEWAY_WORKERS="2",
                      KIM_FANOUT_BATCH_SIZE="10") as platform:  # many small batches: a kill lands inside the fan-out
        yield platform


def gateway_workers(platform) -> list[int]:
    """The pids of the gateway's worker processes (children of uvicorn's main process)."""
    pid = platform.pids["gateway"]
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        pids = [int(child) for child in children.read().split()]
    workers = []
    for child in pids:  # multiprocessing's resource tracker is a child too
        try:
            with open(f"/proc/{child}/cmdline", "rb") as cmdline:
                if b"spawn_main" in cmdline.read():
                    workers.append(child)
        except FileNotFoundError:
            pass
    return workers


def register(admin: httpx.Client, run: str, number: int) -> str:
    """Register one group, asking again after a lost answer or a 503: a 409 then names the
    group the first try registered (the SK number is unique)."""
    body = {"name": f"KIM Ganda {run} {number}", "village_code": VILLAGES[number % len(VILLAGES)],
            "classification": "tumbuh", "sk": {"number": f"GANDA/{run}/{number}", "date": "2024-01-02",
                                                "issuer": "Lurah"}}
    for _ in range(120):
        try:
            answer = admin.post("/api/v1/kims", json=body)
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        if answer.status_code == 201:
            return answer.json()["id"]
        if answer.status_code == 409 and answer.json().get("existing_id"):
            return answer.json()["existing_id"]
        assert answer.status_code == 503, answer.text
        time.sleep(0.5)
    raise AssertionError(f"group {number} was never registered")


def groups_named(admin: httpx.Client, run: str) -> list[dict]:
    found, offset = [], 0
    while True:
        page = admin.get("/api/v1/kims", params={"q": f"KIM Ganda {run}", "limit": 500, "offset": offset}).json()
        found += page["items"]
        if len(page["items"]) < 500:
            return found
        offset += 500


def test_two_instances_of_everything_lose_and_double_nothing_when_one_of_each_is_killed(doubled):
    platform = doubled
    assert {"registry-2", "broadcast-2", "aspirations-2"} <= set(platform.pids)
    workers = wait_for(lambda: len(gateway_workers(platform)) == 2 and gateway_workers(platform),
                       message="two gateway workers")
    run = uuid.uuid4().hex[:6]
    with platform.admin as admin:
        for number in range(GROUPS_BEFORE):
            register(admin, run, number)
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [REGENCY]}})
                 .json().get("recipients", 0) >= GROUPS_BEFORE, timeout=60, message="the broadcast directory")
        draft = admin.post("/api/v1/broadcasts", json={
            "title": "Siaran banyak instans", "body": "Uji dua instans setiap layanan.", "category": "pengumuman",
            "target": {"regions": [REGENCY]}})
        assert draft.status_code == 201, draft.text
        broadcast_id = draft.json()["id"]

    registered: list[str] = []

    def office():
        with platform.admin as admin:
            for number in range(GROUPS_BEFORE, GROUPS_BEFORE + GROUPS_DURING):
                registered.append(register(admin, run, number))

    with Citizens(platform, retry_lost_answers=True) as citizens:
        registering = threading.Thread(target=office)
        registering.start()
        time.sleep(2)
        with platform.admin as admin:
            assert admin.post(f"/api/v1/broadcasts/{broadcast_id}/publish").status_code == 200
        time.sleep(0.5)  # inside the fan-out
        killed = {name: platform.pids[name] for name in ("registry", "broadcast-2", "aspirations")}
        killed["gateway worker"] = workers[0]
        for pid in killed.values():
            os.kill(pid, signal.SIGKILL)
        time.sleep(4)
        registering.join(timeout=180)
    assert not registering.is_alive()

    # nothing accepted lost, nothing stored twice
    assert_every_acceptance_stored_once(platform, citizens)
    with platform.admin as admin:
        groups = groups_named(admin, run)
        assert len(groups) == len({g["id"] for g in groups}) == GROUPS_BEFORE + GROUPS_DURING
        assert set(registered) <= {g["id"] for g in groups}
        # every group's event reached the broadcast directory, once
        total = admin.get("/api/v1/kims", params={"region": REGENCY, "limit": 1}).json()["total"]
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [REGENCY]}})
                 .json().get("recipients") == total, timeout=60, message="every group in the broadcast directory")
        # the fan-out finished once, with one delivery per recipient
        done = wait_for(lambda: (b := admin.get(f"/api/v1/broadcasts/{broadcast_id}").json())["status"] == "published"
                        and b, timeout=120, message="the fan-out to finish")
        assert done["recipients"] >= GROUPS_BEFORE
        assert done["stats"]["delivered"] == done["recipients"], done["stats"]
    # the survivors lived on; the launcher started the killed ones again
    assert all(alive(pid) for name, pid in platform.pids.items()
               if name not in killed and name != "prometheus"), platform.pids
    for name in ("registry", "broadcast-2", "aspirations"):
        assert f"{name} exited with code -9; restarting {name}" in platform.log()
    assert len(wait_for(lambda: len(gateway_workers(platform)) == 2 and gateway_workers(platform),
                        message="uvicorn to start the killed worker again")) == 2
    assert not any(alive(pid) for pid in killed.values())
    # the gateway's metrics are its workers' together (prometheus_client's multiprocess mode)
    metrics = httpx.get(f"{platform.url}/metrics", timeout=10)
    assert metrics.status_code == 200 and 'kim_http_requests_total{method="POST",route="/api/v1/aspirations"' in \
        metrics.text
