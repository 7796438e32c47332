"""A node of the broker's cluster dies and nothing accepted is lost: the
platform runs on a 3-node RabbitMQ cluster of the test's own (AMQP_URI names
the three nodes), and the node that leads the intake queue is SIGKILLed
during intake, and again (after it came back) during a broadcast's fan-out.
Every 202 is stored once, every group gets the broadcast once, and the
platform keeps serving through the surviving nodes without a process
restart.

The cluster (tests/broker_node.py) is on loopback ports of its own, with an
Erlang cookie and folders of its own, and is stopped at the end whatever
happened: the machine's broker is not touched.

On PostgreSQL: a clustered broker is a deployment past one machine, which runs
on PostgreSQL (several instances of a service need it; SQLite is the one-machine
default). On SQLite, under CI's load, the registry once went silent for over a
minute after the second node loss (noted in the closing note, not yet found)."""
import threading
import time
import uuid

import httpx
import pytest

from tests.broker_node import BrokerCluster
from tests.conftest import start_platform, stop_platform, wait_for
from tests.test_broker_restart import (
    Citizens,
    a_group_with_a_key,
    assert_a_broadcast_reaches_the_group,
    assert_every_acceptance_stored_once,
)
from tests.test_run_local import alive

INTAKE = "aspirations.intake"
FANOUT_VILLAGE = "14.71.01.1005"
GROUPS = 40  # known before the publication; more are registered during it
# a node's loss, the queues' failover and the consumers' return: a minute alone, more beside the suite
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module", params=["postgresql"])
def clustered(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"cluster-{request.param}")
    try:
        cluster = BrokerCluster(3)
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    with cluster:
        platform, cleanups = start_platform(request.param, folder, AMQP_URI=cluster.amqp_uri,
                                            GATEWAY_RPC_TIMEOUT="3",
                                            # small batches: the fan-out takes many transactions
                                            KIM_FANOUT_BATCH_SIZE="5")
        try:
            yield platform, cluster, a_group_with_a_key(platform)
        finally:
            stop_platform(platform)
            for cleanup in cleanups:
                cleanup()


def every_node_up(cluster: BrokerCluster):
    """A node killed by an earlier test is started again and rejoins."""
    for node in cluster.nodes:
        if node not in cluster.alive():
            node.start()
    names = {node.name for node in cluster.nodes}
    wait_for(lambda: cluster.running() == names, timeout=60, message="every node back in the cluster")
    assert all(set(queue["members"]) == names for queue in cluster.queues().values() if queue["type"] == "quorum")


def assert_the_platform_kept_serving(platform, pids: dict):
    with platform.client() as anyone:
        wait_for(lambda: anyone.get("/readyz").status_code == 200, timeout=60, message="readiness")
    # the services and the gateway moved to the surviving nodes by themselves: none died
    assert all(alive(pid) for pid in pids.values()), pids
    assert "restarting" not in platform.log()


def test_the_intake_leader_killed_during_intake_loses_nothing(clustered):
    platform, cluster, group = clustered
    every_node_up(cluster)
    pids = {name: pid for name, pid in platform.pids.items() if name != "prometheus"}
    queues = cluster.queues()
    assert queues[INTAKE]["type"] == "quorum" and len(queues[INTAKE]["members"]) == 3
    leader = cluster.leader(INTAKE)
    with Citizens(platform) as citizens:
        time.sleep(2)
        leader.kill()
        time.sleep(5)  # the clients keep posting through the survivors
    assert cluster.leader(INTAKE) is not leader
    assert_every_acceptance_stored_once(platform, citizens)
    assert_a_broadcast_reaches_the_group(platform, group)
    assert_the_platform_kept_serving(platform, pids)


def test_the_intake_leader_killed_during_a_fanout_delivers_once_to_every_group(clustered):
    platform, cluster, group = clustered
    every_node_up(cluster)
    pids = {name: pid for name, pid in platform.pids.items() if name != "prometheus"}
    for _ in range(GROUPS):
        assert register_group(platform) == 201
    with platform.admin as admin:
        draft = admin.post("/api/v1/broadcasts", json={
            "title": "Siaran ke banyak KIM", "body": "Siaran selama simpul pialang pesan mati.",
            "category": "pengumuman", "target": {"regions": [FANOUT_VILLAGE]}})
        assert draft.status_code == 201, draft.text
        broadcast_id = draft.json()["id"]
        leader = cluster.leader(INTAKE)
        # the fan-out: the groups the broadcast service knows get it in batches of 5, and the groups
        # registered meanwhile get it as their events arrive, through the queues whose leader dies
        with Citizens(platform) as citizens, Registrars(platform) as registrars:
            assert admin.post(f"/api/v1/broadcasts/{broadcast_id}/publish").status_code == 200
            time.sleep(1)
            leader.kill()
            time.sleep(4)
        assert registrars.registered > 0 and not registrars.refusals, registrars.refusals[:3]
        groups = groups_in(admin, FANOUT_VILLAGE)  # the registry's word (a 503 may hide a registration)
        assert len(groups) >= GROUPS + registrars.registered
        wait_for(lambda: set(deliveries(admin, broadcast_id)) == groups, timeout=120,
                 message="the broadcast in every group's inbox")
        listed = deliveries(admin, broadcast_id)
        assert len(listed) == len(set(listed))  # once each, none twice
        assert admin.get(f"/api/v1/broadcasts/{broadcast_id}").json()["stats"]["delivered"] == len(groups)
    assert cluster.leader(INTAKE) is not leader
    assert_every_acceptance_stored_once(platform, citizens)
    assert_a_broadcast_reaches_the_group(platform, group)
    assert_the_platform_kept_serving(platform, pids)


def register_group(platform) -> int:
    with platform.admin as admin:
        return admin.post("/api/v1/kims", json={
            "name": f"KIM Klaster {uuid.uuid4().hex[:8]}", "village_code": FANOUT_VILLAGE, "classification": "tumbuh",
            "sk": {"number": f"CLUSTER/{uuid.uuid4().hex[:8]}", "date": "2024-01-02", "issuer": "Lurah"},
        }).status_code


class Registrars:
    """Two offices registering groups in FANOUT_VILLAGE until told to stop; a
    503 (the broker's node is switching) is tried again a moment later."""

    def __init__(self, platform):
        self.platform = platform
        self.stopping = threading.Event()
        self.registered = 0
        self.refusals: list[int] = []
        self.threads = [threading.Thread(target=self._register) for _ in range(2)]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)

    def _register(self):
        while not self.stopping.is_set():
            status = register_group(self.platform)
            if status == 201:
                self.registered += 1
            elif status == 503:
                time.sleep(0.5)
            else:
                self.refusals.append(status)


def answered(admin, path: str, params: dict) -> httpx.Response:
    """The answer once the service answers: right after a node's loss its queues fail over and
    its consumers reconnect, meanwhile the gateway says 503 (with Retry-After), as it should. Each
    consumer re-declares its queues, whose leaders may be electing: under the whole suite's load on
    two slow cores this took more than a minute once (the registry consumes events since issue 16)."""
    page = wait_for(lambda: (r := admin.get(path, params=params)).status_code != 503 and r, timeout=180,
                    message=f"{path} to answer after the node's loss")
    assert page.status_code == 200, page.text
    return page


def groups_in(admin, village: str) -> set[str]:
    found: set[str] = set()
    while True:
        page = answered(admin, "/api/v1/kims", {"region": village, "limit": 500, "offset": len(found)})
        found.update(item["id"] for item in page.json()["items"])
        if len(page.json()["items"]) < 500:
            return found


def deliveries(admin, broadcast_id: str) -> list[str]:
    """The groups the broadcast's deliveries go to, one entry per delivery."""
    found: list[str] = []
    while True:
        page = answered(admin, f"/api/v1/broadcasts/{broadcast_id}/deliveries",
                        {"limit": 500, "offset": len(found)})
        items = page.json()["items"]
        found.extend(item["kim_id"] for item in items)
        if len(items) < 500:
            return found
