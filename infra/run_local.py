"""Start the whole platform as local processes (what `make run` does).

Starts registry, broadcast, aspirations and channels (nameko) and the gateway
(FastAPI) with the environment's settings (KIM_INSTANCES of each nameko
service, default 1: `registry`, `registry-2`, ...; the gateway's own worker
processes are GATEWAY_WORKERS), waits until the gateway is ready, prints
its address and the admin key, and stops everything on Ctrl-C / SIGTERM.
It supervises: a process that exits is started again after a back-off (1 s,
doubling to 30 s; back to 1 s once it has run a minute), with a log line
each time, so one crash never stops the platform.

The admin key: KIM_ADMIN_KEY when set; otherwise one is generated on the
first run and kept in $KIM_DATA_DIR/admin-key (mode 600).
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMEKO_SERVICES = ("registry", "broadcast", "aspirations", "channels")
READY_TIMEOUT = float(os.environ.get("KIM_READY_TIMEOUT", "180"))
FIRST_BACKOFF, MAX_BACKOFF, HEALTHY_AFTER = 1.0, 30.0, 60.0
GIVE_UP_STARTING_AFTER = 3


def admin_key(data_dir: Path) -> str:
    if os.environ.get("KIM_ADMIN_KEY"):
        return os.environ["KIM_ADMIN_KEY"]
    path = data_dir / "admin-key"
    if path.exists():
        return path.read_text().strip()
    key = "kim_" + secrets.token_urlsafe(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(key + "\n")
    return key


def gateway_url() -> str:
    host = os.environ.get("GATEWAY_HOST", "127.0.0.1")
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host
    return f"http://{shown}:{os.environ.get('GATEWAY_PORT', '8000')}"


def wait_ready(url: str, supervisor: "Supervisor", stopping) -> bool:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline and not stopping():
        supervisor.check()
        failing = [name for name, count in supervisor.restarts.items() if count >= GIVE_UP_STARTING_AFTER]
        if failing:  # a service that cannot start (a port taken, a database refused) will not start by retrying
            print(f"{', '.join(failing)} exited {GIVE_UP_STARTING_AFTER} times while starting; giving up",
                  file=sys.stderr)
            return False
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=3) as response:
                if response.status == 200:
                    return True
        except Exception:
            pass
        time.sleep(0.5)
    print(f"the platform was not ready after {READY_TIMEOUT:.0f}s", file=sys.stderr)
    return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes(env: dict) -> dict[str, tuple[str, dict]]:
    """What to start: process name -> (module, environment). Instances after the first of a
    nameko service get a metrics port of their own (a free one), when metrics are on."""
    instances = int(env.get("KIM_INSTANCES", "1"))
    if not 1 <= instances <= 16:
        raise SystemExit(f"KIM_INSTANCES must be between 1 and 16, not {instances}")
    started = {}
    for service in NAMEKO_SERVICES:
        for number in range(1, instances + 1):
            own = dict(env)
            variable = f"{service.upper()}_METRICS_PORT"
            if number > 1 and int(env.get(variable, "0") or 0):
                own[variable] = str(free_port())
            started[service if number == 1 else f"{service}-{number}"] = (service, own)
    started["gateway"] = ("gateway", env)
    return started


def local_prometheus(env: dict, data_dir: Path, started: dict[str, tuple[str, dict]]) -> list[str] | None:
    """Debian's prometheus against the local processes, when it is installed
    (KIM_PROMETHEUS_PORT, default 9090; 0 turns it off)."""
    port = int(env.get("KIM_PROMETHEUS_PORT", "9090"))
    binary = shutil.which("prometheus")
    if not port or not binary:
        return None
    import yaml
    config = yaml.safe_load((ROOT / "infra" / "prometheus" / "prometheus.yml").read_text())
    defaults = {"registry": "9101", "broadcast": "9102", "aspirations": "9103", "channels": "9104"}
    ports: dict[str, list[str]] = {"gateway": [env.get("GATEWAY_PORT", "8000")]}
    for module, own in started.values():
        if module != "gateway":
            ports.setdefault(module, []).append(own.get(f"{module.upper()}_METRICS_PORT", defaults[module]))
    config["rule_files"] = [str(ROOT / "infra" / "prometheus" / "rules" / "kim.yml")]
    for job in config["scrape_configs"]:
        job.pop("dns_sd_configs", None)
        job["static_configs"] = [{"targets": [f"127.0.0.1:{port}" for port in ports[job["job_name"]]]}]
    folder = data_dir / "prometheus"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "prometheus.yml").write_text(yaml.safe_dump(config))
    return [binary, f"--config.file={folder / 'prometheus.yml'}", f"--storage.tsdb.path={folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}"]


class Supervisor:
    """Keeps the platform's processes running: one that exits is started again
    after a back-off that doubles while it keeps failing."""

    def __init__(self, started: dict[str, tuple[str, dict]]):
        self.started_as = started
        names = list(started)
        self.processes: dict[str, subprocess.Popen] = {}
        self.started: dict[str, float] = {}
        self.backoff = {name: FIRST_BACKOFF for name in names}
        self.restart_at: dict[str, float] = {}
        self.restarts = {name: 0 for name in names}
        for name in names:
            self.start(name)

    def start(self, name: str, again: bool = False):
        # own process group: a Ctrl-C reaches us, and we stop the children in order
        module, env = self.started_as[name]
        self.processes[name] = subprocess.Popen([sys.executable, "-m", f"services.{module}"], cwd=ROOT,
                                                env=env, start_new_session=True)
        self.started[name] = time.monotonic()
        print(f"{'restarted' if again else 'started'} {name} (pid {self.processes[name].pid})", flush=True)

    def check(self):
        now = time.monotonic()
        for name, proc in self.processes.items():
            if name in self.restart_at:
                if now >= self.restart_at[name]:
                    del self.restart_at[name]
                    self.restarts[name] += 1
                    self.start(name, again=True)
                continue
            if proc.poll() is None:
                continue
            if now - self.started[name] >= HEALTHY_AFTER:
                self.backoff[name] = FIRST_BACKOFF
            delay = self.backoff[name]
            self.backoff[name] = min(delay * 2, MAX_BACKOFF)
            self.restart_at[name] = now + delay
            print(f"{name} exited with code {proc.returncode}; restarting {name} in {delay:g}s",
                  file=sys.stderr, flush=True)


def stop(processes: dict):
    for proc in processes.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 20
    for proc in processes.values():
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> int:
    env = dict(os.environ)
    data_dir = Path(env.setdefault("KIM_DATA_DIR", str(ROOT / "var"))).resolve()
    env["KIM_DATA_DIR"] = str(data_dir)
    env["KIM_ADMIN_KEY"] = admin_key(data_dir)
    if "KIM_LOG_FORMAT" not in env and sys.stdout.isatty():
        env["KIM_LOG_FORMAT"] = "text"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")

    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    started = processes(env)
    supervisor = Supervisor(started)

    # an extra: the platform does not stop when it cannot start (say, its port is taken)
    extras = {}
    prometheus = local_prometheus(env, data_dir, started)
    if prometheus:
        extras["prometheus"] = subprocess.Popen(prometheus, cwd=ROOT, env=env, start_new_session=True,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"started prometheus (pid {extras['prometheus'].pid}) on http://{prometheus[-1].split('=')[1]}",
              flush=True)

    url = gateway_url()
    if not wait_ready(url, supervisor, lambda: stopping) and not stopping:
        stop({**supervisor.processes, **extras})
        return 1
    if not stopping:
        print("", flush=True)
        print(f"KIM Platform siap / ready: {url}  (API docs: {url}/docs)", flush=True)
        print(f"Admin key: {env['KIM_ADMIN_KEY']}", flush=True)
        print("Ctrl-C stops everything.", flush=True)
    while not stopping:
        supervisor.check()
        time.sleep(0.3)
    stop({**supervisor.processes, **extras})
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
