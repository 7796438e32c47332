"""A RabbitMQ node of the test's own, on ports of its own, so that a test can
stop and start its broker without touching the machine's (which every other
test uses). Debian's rabbitmq-server, started as in ../shared/STACK.md."""
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from tests.conftest import free_port

HOW_TO = ("a private RabbitMQ node needs Debian's rabbitmq-server (`apt-get install rabbitmq-server`) "
          "and root (it runs as the `rabbitmq` user)")


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class BrokerNode:
    """`start()`, `stop_app()`, `start_app()`, `shutdown()`; `amqp_uri`."""

    def __init__(self):
        if not shutil.which("rabbitmq-server") or os.geteuid() != 0:
            raise RuntimeError(HOW_TO)
        # a folder of its own that the rabbitmq user can reach (pytest's are root's only)
        folder = self.folder = Path(tempfile.mkdtemp(prefix="kim-rabbitmq-"))
        folder.chmod(0o755)
        self.port = free_port()
        self.name = f"kimtest{self.port}@localhost"
        self.amqp_uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        # guest may sign in from loopback only, which is where the tests are
        (folder / "rabbitmq.conf").write_text(f"listeners.tcp.local = 127.0.0.1:{self.port}\n")
        (folder / "enabled_plugins").write_text("[].\n")  # no management listener to clash on 15672
        user = pwd.getpwnam("rabbitmq")
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid)
        self.env = {
            **os.environ,
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(folder / "mnesia"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(folder / "pid"),
        }

    def ctl(self, *args: str, timeout: float = 60):
        subprocess.run(["rabbitmqctl", "-n", self.name, *args], env=self.env, check=True,
                       capture_output=True, timeout=timeout)

    def _wait(self, up: bool, timeout: float = 60):
        deadline = time.monotonic() + timeout
        while _answers(self.port) != up:
            if time.monotonic() > deadline:
                raise RuntimeError(f"RabbitMQ node {self.name} did not {'start' if up else 'stop'}; "
                                   f"its logs are in {self.folder / 'log'}")
            time.sleep(0.2)

    def start(self):
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True, capture_output=True)
        self._wait(up=True, timeout=120)

    def stop_app(self):
        self.ctl("stop_app")
        self._wait(up=False)

    def start_app(self):
        self.ctl("start_app")
        self._wait(up=True)

    def shutdown(self):
        try:
            self.ctl("stop")
        except Exception:
            with contextlib.suppress(OSError, ValueError):  # rabbitmqctl could not reach it: leave no broker behind
                os.kill(int((self.folder / "pid").read_text().strip()), signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)
