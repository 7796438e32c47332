"""`make run`'s launcher: prints the address and the admin key, loads the
regions once, stops everything on Ctrl-C, a hanging service is a clear 503,
and a dead one is started again."""
import os
import re
import signal
import socket

import httpx
import pytest

from tests.conftest import free_port, start_platform, stop_platform, wait_for


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is not alive either
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split()[2] != "Z"


def _answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=2)
        return True
    except httpx.HTTPError:
        return False


@pytest.mark.timeout(600)  # a minute alone; the waits below allow for the whole suite's peak
def test_run_prints_address_and_generated_key_and_ctrl_c_stops_everything(tmp_path):
    prometheus_port = free_port()
    first, cleanups = start_platform("sqlite", tmp_path, fresh_regions=True, KIM_ADMIN_KEY=None,
                                     KIM_PROMETHEUS_PORT=str(prometheus_port))
    try:
        log = first.log()
        # Debian's prometheus, started beside the platform, scrapes it
        assert f"on http://127.0.0.1:{prometheus_port}" in log
        wait_for(lambda: httpx.get(f"http://127.0.0.1:{prometheus_port}/-/ready", timeout=2).status_code == 200
                 if _answers(prometheus_port) else False, message="the local prometheus")
        assert f"KIM Platform siap / ready: {first.url}" in log
        key = re.search(r"Admin key: (kim_\S+)", log).group(1)
        assert (tmp_path / "var" / "admin-key").read_text().strip() == key
        assert oct((tmp_path / "var" / "admin-key").stat().st_mode & 0o777) == "0o600"
        assert re.search(r'"msg": "loaded 91599 regions', log)
        with first.client(key) as admin:
            assert admin.get("/api/v1/keys").status_code == 200
        children = dict(first.pids)
        assert set(children) == {"registry", "broadcast", "aspirations", "channels", "gateway", "prometheus"}
    finally:
        stop_platform(first)
    assert first.process.returncode == 0
    assert not [name for name, pid in children.items() if alive(pid)]

    # a second start on the same data: the same key, no second region load
    second, more_cleanups = start_platform("sqlite", tmp_path, KIM_ADMIN_KEY=None)
    cleanups += more_cleanups
    try:
        log = second.log()
        assert f"Admin key: {key}" in log
        assert "loaded 91599 regions" not in log

        # a service that hangs: readiness says which, the API answers 503 after
        # the RPC timeout instead of hanging, and all is well once it is back
        os.kill(second.pids["registry"], signal.SIGSTOP)
        try:
            with second.client() as anyone:
                ready = anyone.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["registry"].startswith("unavailable")
                assert ready.json()["checks"]["broadcast"] == "ok"
                region = anyone.get("/api/v1/regions/14.71")
                assert region.status_code == 503
                assert region.headers["content-type"].startswith("application/problem+json")
                assert region.headers["retry-after"] == "5"
        finally:
            os.kill(second.pids["registry"], signal.SIGCONT)
        with second.client() as anyone:
            assert anyone.get("/api/v1/regions/14.71").status_code == 200
            assert anyone.get("/readyz").status_code == 200

        # a service that dies is started again, with a log line; the others live on
        os.kill(second.pids["registry"], signal.SIGKILL)
        restarted = wait_for(lambda: re.search(r"restarted registry \(pid (\d+)\)", second.log()), timeout=60,
                             message="the launcher to start the registry again")
        assert "registry exited with code -9; restarting registry in 1s" in second.log()
        assert alive(int(restarted.group(1)))
        assert all(alive(pid) for name, pid in second.pids.items() if name != "registry")
        with second.client() as anyone:
            # a minute alone is plenty; under the whole suite's peak the restarted registry's broker
            # connection and queue declarations once took longer (readiness says 503 meanwhile)
            wait_for(lambda: anyone.get("/readyz").status_code == 200, timeout=180, message="readiness again")
            assert anyone.get("/api/v1/regions/14.71").status_code == 200
        assert second.process.poll() is None
    finally:
        stop_platform(second)
        for cleanup in cleanups:
            cleanup()


def test_a_service_that_cannot_start_makes_the_launcher_give_up_with_the_reason(tmp_path):
    with socket.socket() as taken:  # the gateway's port is taken: retrying will not help
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(pytest.fail.Exception, match="gateway exited 3 times while starting; giving up"):
            start_platform("sqlite", tmp_path, GATEWAY_PORT=str(port))
