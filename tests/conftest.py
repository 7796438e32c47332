"""End-to-end fixtures: the real platform started as `make run` starts it
(infra/run_local.py), on a fresh RabbitMQ virtual host, once on SQLite and
once on PostgreSQL."""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.common.testing import (
    amqp_uri_for,
    copy_database,
    create_postgres_database,
    create_vhost,
    delete_vhost,
    drop_postgres_database,
)
from services.registry.tests.templates import reference_template

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("registry", "broadcast", "aspirations", "channels")
SCREENSHOTS = ROOT / "tests" / "screenshots"


# the database backend in a test's id: test_x[sqlite], test_y[postgresql-kwargs0]
BACKEND_IN_ID = re.compile(r"\[(?:[^\]]*-)?(sqlite|postgresql)(?:-[^\]]*)?\]$")
# the longest tests by far (schemathesis' two parts, minutes): started first, beside the backends' tests
LONGEST = "tests/test_contract.py::test_schemathesis_finds_no_failure"
BACKENDS = ("sqlite", "postgresql")
# modules whose tests start platforms of their own (not the session's): a work unit per backend,
# which any worker may take; the longest first
OWN_PLATFORM = ("tests/test_broker_restart.py", "tests/test_broker_cluster.py", "tests/test_kims_import_crash.py",
                "tests/test_channels_scale.py", "tests/test_webhook_rebinding.py", "tests/test_channels.py")
# brokers stopped and killed, a large import, a broadcast to 2,000 groups' channels: a minute and more each
LONG_OWN_PLATFORM = OWN_PLATFORM[:4]
# modules whose tests start platforms of their own on one backend only: each test is a unit
ALONE_WITH_PLATFORM = ("tests/test_run_local.py", "tests/test_instances.py")
# the website's tests, on the session's platform of their backend: a unit of their own, so that a
# second worker can take them (starting that backend's platform a second time, a few seconds)
WEB = "tests/web/"


def backend_scope(nodeid: str) -> str:
    """The xdist work unit of a test: its database backend (its website tests apart, a module
    with platforms of its own apart), or the test itself."""
    match = BACKEND_IN_ID.search(nodeid)
    if not match:
        return nodeid
    backend, module = match.group(1), nodeid.split("::")[0]
    if module in OWN_PLATFORM:
        return f"{module}[{backend}]"
    if module.startswith(WEB):
        return f"{backend}-web"
    return backend


def unit_rank(scope: str) -> int:
    """The order in which work units start: the longest ones first, the short ones fill the gaps."""
    if scope.startswith(LONGEST):
        return 0
    if scope in BACKENDS:
        return 1
    if scope.startswith(LONG_OWN_PLATFORM):
        return 2
    if scope.endswith("-web"):
        return 3
    if scope.split("[")[0] in OWN_PLATFORM or scope.startswith(ALONE_WITH_PLATFORM):
        return 4  # platforms of their own, shorter
    return SMALL


SMALL = 5  # the rank of a test that is a unit alone and starts no platform


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test-gateway` runs pytest-xdist workers: every test on one database backend goes
    to the same work unit, in collection order, so that a worker starts the platform of that
    backend once (as without xdist); the website's tests and the modules that start platforms of
    their own are units apart. The units start longest first (schemathesis, the backends, the
    broker restarts), and the short ones fill the gaps. (xdist's own `--dist loadgroup` marks do
    not reach its scheduler under pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class ByBackend(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return backend_scope(nodeid)

        def _assign_work_unit(self, node) -> None:
            if not self.workqueue:  # the first workers took it all (a run of a few tests)
                if not node.shutting_down:
                    node.shutdown()
                return
            for scope in reversed(sorted(self.workqueue, key=unit_rank)):
                self.workqueue.move_to_end(scope, last=False)  # the queue in rank order, stable
            # xdist asks for more work whenever a worker has two tests or fewer left: a big unit
            # goes only to a worker on its last test, not behind schemathesis or a long test
            if self._pending_of(self.assigned_work[node]) >= 2:
                self._assign_small(node)
            else:
                super()._assign_work_unit(node)
            # a worker starts a test once it knows the next one (or that none comes): a lone
            # test gets a small one for company, not a big unit, which would then wait behind it
            while self.workqueue and self._pending_of(self.assigned_work[node]) < 2:
                if not self._assign_small(node):
                    break
            if not self.workqueue:  # nothing left to give: every worker may run its last test
                for each in self.nodes:
                    if not each.shutting_down:
                        each.shutdown()

        def _assign_small(self, node) -> bool:
            small = next((scope for scope in self.workqueue if unit_rank(scope) == SMALL), None)
            if small is None:
                return False
            self.workqueue.move_to_end(small, last=False)
            super()._assign_work_unit(node)
            return True

    return ByBackend(config, log)


def pytest_sessionstart(session):
    # screenshots of this run only; with xdist the controller clears them once, before any worker writes
    if not hasattr(session.config, "workerinput"):
        shutil.rmtree(SCREENSHOTS, ignore_errors=True)


def wait_for(condition, timeout=60, message="condition", interval=0.05):
    """Poll until `condition()` is truthy; return its value. A minute by default: what takes a
    second alone took more than 30 on a CI machine shared with the whole suite."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message}")


def wait_for_broadcast_directory(admin, *kim_ids: str, timeout: float = 60) -> None:
    """Until broadcast's directory holds these very groups (their inbox
    answers): a count of the village's recipients would be met by other
    tests' groups there, and the broadcast then reach a new group only later,
    once its event gets through a busy queue."""
    for kim_id in kim_ids:
        wait_for(lambda kim_id=kim_id: admin.get(f"/api/v1/kims/{kim_id}/inbox").status_code == 200,
                 timeout=timeout, message=f"group {kim_id} in the broadcast directory")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Platform:
    backend: str
    url: str
    admin_key: str
    env: dict
    process: subprocess.Popen
    log_path: Path
    pids: dict = field(default_factory=dict)
    telegram: Any = None  # the session platform's Telegram stand-in (tests.standins.telegram)

    def client(self, key: str | None = None, **headers) -> httpx.Client:
        if key:
            headers["Authorization"] = f"Bearer {key}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    @property
    def admin(self) -> httpx.Client:
        return self.client(self.admin_key)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_platform(backend: str, tmp: Path, fresh_regions: bool = False, **overrides) -> tuple[Platform, list]:
    """Start run_local.py; `overrides` set (or, with None, remove) variables. The registry starts
    on a copy of the database its first start makes (the regions loaded, services/registry/tests/
    templates.py) unless `fresh_regions`: the test of that first start asks for it."""
    cleanups = []
    vhost = create_vhost("kim-e2e")
    cleanups.append(lambda: delete_vhost(vhost))
    env = {k: v for k, v in os.environ.items() if not k.endswith("_DATABASE_URL")}
    env.update({
        "AMQP_URI": amqp_uri_for(vhost),
        "KIM_DATA_DIR": str(tmp / "var"),
        "GATEWAY_PORT": str(free_port()),
        "REGISTRY_METRICS_PORT": str(free_port()),
        "BROADCAST_METRICS_PORT": str(free_port()),
        "ASPIRATIONS_METRICS_PORT": str(free_port()),
        "CHANNELS_METRICS_PORT": str(free_port()),
        "KIM_ADMIN_KEY": "kim_e2e_admin_" + backend,
        "GATEWAY_RPC_TIMEOUT": "8",  # two slow cores under the whole suite: a busy service, not a down one
        "KIM_LOG_FORMAT": "json",
        "KIM_PROMETHEUS_PORT": "0",  # test_operations starts its own
        # the test's webhook servers listen on 127.0.0.1, and should not make us wait
        "KIM_WEBHOOK_ALLOW_PRIVATE": "true",
        "KIM_WEBHOOK_MAX_ATTEMPTS": "3",
        "KIM_WEBHOOK_BACKOFF_SECONDS": "0.3",
        "KIM_WEBHOOK_TIMEOUT_SECONDS": "3",  # the dripping endpoint's three tries end sooner
        "KIM_WEBHOOK_CHECK_SECONDS": "0.2",
        "KIM_FANOUT_CHECK_SECONDS": "0.2",
        # few workers, so few database connections: the platforms and suites that run at once
        # share PostgreSQL's default 100
        "KIM_MAX_WORKERS": "4",
        # the website's sign-in: lock sooner and wait less than in production
        "GATEWAY_LOGIN_MAX_FAILURES": "3",
        "GATEWAY_LOGIN_DELAY_SECONDS": "0.05",
        # every test signs in from 127.0.0.1: the per-address limit is tested in services/gateway/tests
        "GATEWAY_LOGIN_ADDRESS_MAX_FAILURES": "10000",
    })
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    template = None if fresh_regions else reference_template(backend)
    if backend == "postgresql":
        for name in (*SERVICES, "gateway"):
            url = create_postgres_database(f"kim_e2e_{name}", template=template if name == "registry" else None)
            env[f"{name.upper()}_DATABASE_URL"] = url
            cleanups.append(lambda url=url: drop_postgres_database(url))
    elif template:
        (tmp / "var").mkdir(parents=True, exist_ok=True)
        copy_database(template, tmp / "var" / "registry.db")
    log_path = tmp / f"platform-{backend}-{time.monotonic_ns()}.log"
    log_file = open(log_path, "w")  # noqa: SIM115 - the platform writes to it until the fixture's teardown
    process = subprocess.Popen([sys.executable, str(ROOT / "infra" / "run_local.py")], cwd=ROOT, env=env,
                               stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    platform = Platform(backend, f"http://127.0.0.1:{env['GATEWAY_PORT']}", env.get("KIM_ADMIN_KEY", ""),
                        env, process, log_path)
    deadline = time.monotonic() + 180
    while "KIM Platform siap" not in platform.log():
        if process.poll() is not None or time.monotonic() > deadline:
            stop_platform(platform)
            for cleanup in cleanups:
                cleanup()
            pytest.fail(f"the platform did not start ({backend}):\n{platform.log()[-5000:]}", pytrace=False)
        time.sleep(0.3)
    platform.pids = {m.group(1): int(m.group(2))
                     for m in re.finditer(r"started ([\w-]+) \(pid (\d+)\)", platform.log())}
    return platform, cleanups


@contextmanager
def own_platform(backend: str, tmp: Path, **overrides) -> Iterator[Platform]:
    """A platform of the test's own (start_platform's arguments): stopped, its virtual host and
    databases dropped at the end, whatever happens."""
    platform, cleanups = start_platform(backend, tmp, **overrides)
    try:
        yield platform
    finally:
        stop_platform(platform)
        for cleanup in cleanups:
            cleanup()


def stop_platform(platform: Platform):
    if platform.process.poll() is None:
        platform.process.send_signal(signal.SIGINT)  # as Ctrl-C
        try:
            platform.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(platform.process.pid, signal.SIGKILL)
            platform.process.wait()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def platform(request, tmp_path_factory):
    from tests.standins.telegram import TelegramStandIn
    telegram, secret = TelegramStandIn(), "session-telegram-secret"  # the website's tests link a Telegram chat
    request.addfinalizer(telegram.close)
    platform, cleanups = start_platform(request.param, tmp_path_factory.mktemp(request.param),
                                        TELEGRAM_API_URL=telegram.url, TELEGRAM_BOT_TOKEN=telegram.token,
                                        TELEGRAM_WEBHOOK_SECRET=secret)
    telegram.webhook_url = platform.url + "/channels/telegram/webhook"
    telegram.webhook_secret = secret
    platform.telegram = telegram
    yield platform
    # the launcher starts a crashed service again; a crash must still fail the run
    crashes = re.findall(r"^\w+ exited with code .*$", platform.log(), re.MULTILINE)
    stop_platform(platform)
    for cleanup in cleanups:
        cleanup()
    assert not crashes, f"services crashed during the tests ({platform.backend}): {crashes}"


@pytest.fixture(scope="session")
def keys(platform):
    """An operator of Kota Pekanbaru, an operator of Kota Dumai, a province
    admin of Riau and a kim key for a group in Pekanbaru, issued with the
    admin key."""
    issued = {}
    with platform.admin as admin:
        kim = admin.post("/api/v1/kims", json={
            "name": "KIM Kunci Uji", "village_code": "14.71.01.1004", "classification": "tumbuh",
            "sk": {"number": f"KEYS/{platform.backend}/1", "date": "2024-01-02", "issuer": "Lurah Kampung Melayu"}})
        assert kim.status_code == 201, kim.text
        for name, body in {
            "pekanbaru": {"name": "Operator Pekanbaru", "role": "operator", "scope_region": "14.71"},
            "dumai": {"name": "Operator Dumai", "role": "operator", "scope_region": "14.72"},
            "riau": {"name": "Admin Riau", "role": "admin", "scope_region": "14"},
            "kim": {"name": "KIM Kunci Uji", "role": "kim", "kim_id": kim.json()["id"]},
        }.items():
            response = admin.post("/api/v1/keys", json=body)
            assert response.status_code == 201, response.text
            issued[name] = response.json()
    return issued
