"""Faults are normal: the platform keeps every accepted aspiration and keeps
running while its broker stops and starts, and while the aspirations service
is SIGKILLed during intake (`make run` starts it again).

The broker here is a RabbitMQ node of the test's own (tests/broker_node.py):
stopping the machine's broker would break every other test."""
import os
import signal
import threading
import time
import uuid

import httpx
import pytest

from tests.broker_node import BrokerNode
from tests.conftest import start_platform, stop_platform, wait_for
from tests.test_run_local import alive

CLIENTS = 8
PACE = 0.1  # seconds between one client's submissions
VILLAGE = "14.71.01.1003"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def chaos(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"chaos-{request.param}")
    try:
        broker = BrokerNode()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    broker.start()
    platform, cleanups = start_platform(request.param, folder, AMQP_URI=broker.amqp_uri,
                                        GATEWAY_RPC_TIMEOUT="3")
    try:
        yield platform, broker, a_group_with_a_key(platform)
    finally:
        stop_platform(platform)
        broker.shutdown()
        for cleanup in cleanups:
            cleanup()


def a_group_with_a_key(platform) -> dict:
    """A group in VILLAGE (the broadcast service knows it) and its kim key."""
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": "KIM Tahan Gangguan", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"CHAOS/{uuid.uuid4().hex[:6]}", "date": "2024-01-02", "issuer": "Lurah"}})
        assert kim.status_code == 201, kim.text
        key = admin.post("/api/v1/keys", json={"name": "KIM Tahan Gangguan", "role": "kim",
                                                "kim_id": kim.json()["id"]}).json()["key"]
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [VILLAGE]}})
                 .json()["recipients"] == 1, message="the broadcast directory")
    return {"id": kim.json()["id"], "key": key}


class Citizens:
    """Clients sending aspirations until told to stop. A 503 is retried with
    the same Idempotency-Key, as a careful client does; every answer is kept."""

    def __init__(self, platform, retry_lost_answers: bool = False):
        self.platform = platform
        # a connection that breaks without an answer (its gateway process killed) is retried too
        self.retry_lost_answers = retry_lost_answers
        self.stopping = threading.Event()
        self.accepted: dict[str, str] = {}  # idempotency key -> tracking code
        self.refusals: list[str] = []  # answers that are not a 202 or a 503 problem
        self.unavailable = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._send, args=(n,)) for n in range(CLIENTS)]

    def __enter__(self):
        with self.platform.admin as admin:
            self.stored_before = stored_aspirations(admin)
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _send(self, client_number):
        # the gateway answers within its RPC timeout (3 s here) for connecting plus as much for
        # sending; a client that waits longer than that has met a hang
        with httpx.Client(base_url=self.platform.url, timeout=10) as client:
            while not self.stopping.is_set():
                key = uuid.uuid4().hex
                body = {"kind": "aspirasi", "category": "infrastruktur", "village_code": VILLAGE,
                        "body": f"Aspirasi warga {client_number} nomor {key[:8]} saat gangguan."}
                lost = 0
                while True:  # the same submission until it is accepted
                    try:
                        answer = client.post("/api/v1/aspirations", json=body, headers={"Idempotency-Key": key})
                    except httpx.HTTPError as exc:
                        lost += 1
                        if self.retry_lost_answers and lost < 120:  # it may have been accepted: ask again
                            time.sleep(0.5)
                            continue
                        with self.lock:
                            self.refusals.append(f"no answer: {exc!r}")
                        break
                    if answer.status_code == 202:
                        with self.lock:
                            self.accepted[key] = answer.json()["tracking_code"]
                        # a citizen's pace, not a load test's: 8 unpaced clients keep both cores busy
                        # with intake, and the outage, not the throughput, is what is tested here
                        time.sleep(PACE)
                        break
                    if (answer.status_code == 503 and answer.headers.get("retry-after")
                            and answer.headers["content-type"].startswith("application/problem+json")):
                        with self.lock:
                            self.unavailable += 1
                        time.sleep(0.5)
                        continue
                    with self.lock:
                        self.refusals.append(f"{answer.status_code} {answer.headers.get('content-type')}")
                    break


def stored_aspirations(admin) -> int:
    """How many are stored; -1 while the aspirations service is not back (a 503 problem)."""
    response = admin.get("/api/v1/aspirations", params={"region": VILLAGE, "limit": 1})
    if response.status_code == 503:
        return -1
    assert response.status_code == 200, response.text
    return response.json()["total"]


def assert_every_acceptance_stored_once(platform, citizens: Citizens):
    assert not citizens.refusals, citizens.refusals[:5]
    codes = set(citizens.accepted.values())
    assert len(codes) == len(citizens.accepted) > 0
    with platform.admin as admin:
        expected = citizens.stored_before + len(codes)
        wait_for(lambda: stored_aspirations(admin) >= expected, timeout=120, message="every accepted aspiration")
        assert stored_aspirations(admin) == expected  # none stored twice, none stored without its 202
    with platform.client() as anyone:
        for code in codes:
            assert anyone.get(f"/api/v1/aspirations/track/{code}").status_code == 200, code


def assert_a_broadcast_reaches_the_group(platform, group):
    with platform.admin as admin:
        # events flow again: a group registered now reaches the broadcast service's directory
        before = admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [VILLAGE]}}).json()["recipients"]
        newcomer = admin.post("/api/v1/kims", json={
            "name": f"KIM Baru {uuid.uuid4().hex[:6]}", "village_code": VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"CHAOS/{uuid.uuid4().hex[:6]}", "date": "2024-01-02", "issuer": "Lurah"}})
        assert newcomer.status_code == 201, newcomer.text
        wait_for(lambda: admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [VILLAGE]}})
                 .json()["recipients"] == before + 1, timeout=60, message="the new group in the broadcast directory")
        draft = admin.post("/api/v1/broadcasts", json={
            "title": "Setelah gangguan", "body": "Siaran sesudah pialang pesan kembali.", "category": "pengumuman",
            "target": {"regions": [VILLAGE]}})
        assert draft.status_code == 201, draft.text
        assert admin.post(f"/api/v1/broadcasts/{draft.json()['id']}/publish").status_code == 200
    with platform.client(group["key"]) as kim:
        wait_for(lambda: any(m.get("broadcast_id") == draft.json()["id"]
                             for m in kim.get(f"/api/v1/kims/{group['id']}/inbox").json()["items"]),
                 timeout=60, message="the broadcast in the group's inbox")
    with platform.admin as admin:
        wait_for(lambda: admin.get(f"/api/v1/broadcasts/{draft.json()['id']}").json()["stats"]["delivered"]
                 == before + 1, timeout=60, message="the broadcast to reach every group of the village")


def test_aspirations_survive_two_broker_restarts_and_no_process_restarts(chaos):
    platform, broker, group = chaos
    pids = {name: pid for name, pid in platform.pids.items() if name != "prometheus"}
    with Citizens(platform) as citizens:
        for _ in range(2):
            time.sleep(2)
            broker.stop_app()
            time.sleep(5)
            broker.start_app()
            # the platform finds its broker again by itself
            with platform.client() as anyone:
                wait_for(lambda: anyone.get("/readyz").status_code == 200, timeout=60,
                         message="readiness after the broker is back")
        time.sleep(2)
    assert citizens.unavailable > 0  # the outage was seen, and answered 503
    assert_every_acceptance_stored_once(platform, citizens)
    assert_a_broadcast_reaches_the_group(platform, group)
    # every process lived through it: no service died and was started again
    assert all(alive(pid) for pid in pids.values()), pids
    assert "restarting" not in platform.log()


def test_aspirations_service_killed_during_intake_is_restarted_and_loses_nothing(chaos):
    platform, broker, group = chaos
    with Citizens(platform) as citizens:
        time.sleep(2)
        os.kill(platform.pids["aspirations"], signal.SIGKILL)
        wait_for(lambda: "restarting aspirations" in platform.log(), timeout=30, message="the launcher to notice")
        time.sleep(3)
    assert_every_acceptance_stored_once(platform, citizens)
    assert_a_broadcast_reaches_the_group(platform, group)
    assert platform.process.poll() is None  # the platform is still up
