"""Helpers shared by the benchmarks: ports, the platform, HTTP load."""
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DURATION = int(os.environ.get("BENCH_SECONDS", "10"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(url: str, headers: dict | None = None, script: str | None = None,
         connections: int | None = None) -> dict:
    """wrk against one URL: requests/s, median and p99 latency, non-2xx count."""
    connections = connections or CONNECTIONS
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{DURATION}s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        if script:
            lua.write(script)
            lua.flush()
            command += ["-s", lua.name]
        out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1),
            "p99": re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1),
            "non2xx": int(errors.group(1)) if errors else 0}


def line(label: str, figures: dict, baseline: dict | None = None) -> str:
    ratio = f"  ratio {figures['rps'] / baseline['rps']:.3f} of hello" if baseline else ""
    failed = f"  (non-2xx: {figures['non2xx']})" if figures["non2xx"] else ""
    return (f"  {label:44s} {figures['rps']:8.0f} req/s  p50 {figures['p50']:>8s}  p99 {figures['p99']:>8s}"
            f"{ratio}{failed}")


def wait_http(url: str, timeout: float = 180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def start_platform(env_overrides: dict) -> subprocess.Popen:
    env = {**os.environ, "REGISTRY_METRICS_PORT": "0", "BROADCAST_METRICS_PORT": "0",
           "ASPIRATIONS_METRICS_PORT": "0", "KIM_LOG_LEVEL": "WARNING", "KIM_PROMETHEUS_PORT": "0",
           "PYTHONPATH": str(ROOT)}
    for name in [k for k in env if k.endswith("_DATABASE_URL")]:
        del env[name]
    env.update(env_overrides)
    return subprocess.Popen([sys.executable, str(ROOT / "infra" / "run_local.py")], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_hello(port: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "hello_app.py"), str(port)])


def stop(*processes):
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(timeout=60)
