"""RabbitMQ nodes of the test's own, on ports of their own, so that a test can
stop, start or kill its broker without touching the machine's (which every
other test uses): one node (`BrokerNode`), or a cluster of them
(`BrokerCluster`). Debian's rabbitmq-server, started as in ../shared/STACK.md."""
import contextlib
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
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
    """`start()`, `stop_app()`, `start_app()`, `kill()`, `shutdown()`; `amqp_uri`.

    `cookie`: the Erlang cookie of a cluster's nodes (else the rabbitmq
    user's own, as the machine's broker has)."""

    def __init__(self, cookie: str | None = None, prefix: str = "kimtest"):
        if not shutil.which("rabbitmq-server") or os.geteuid() != 0:
            raise RuntimeError(HOW_TO)
        # a folder of its own that the rabbitmq user can reach (pytest's are root's only)
        folder = self.folder = Path(tempfile.mkdtemp(prefix="kim-rabbitmq-"))
        folder.chmod(0o755)
        self.port = free_port()
        self.name = f"{prefix}{self.port}@localhost"
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
        if cookie:
            # read by the server and by the CLI tools alike (both run as the rabbitmq user, whose
            # ~/.erlang.cookie is the machine broker's); deprecated, and honoured by 3.10 with a warning
            self.env["RABBITMQ_ERLANG_COOKIE"] = cookie

    def ctl(self, *args: str, timeout: float = 60, tool: str = "rabbitmqctl") -> str:
        done = subprocess.run([tool, "-n", self.name, *args], env=self.env, check=True,
                              capture_output=True, text=True, timeout=timeout)
        return done.stdout

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

    def _pid(self) -> int | None:
        with contextlib.suppress(OSError, ValueError):
            return int((self.folder / "pid").read_text().strip())
        return None

    def kill(self):
        """SIGKILL the node's Erlang VM: a crash, no goodbye to its peers or clients."""
        pid = self._pid()
        if pid is None:
            raise RuntimeError(f"RabbitMQ node {self.name} wrote no pid file")
        os.kill(pid, signal.SIGKILL)
        self._wait(up=False, timeout=30)

    def shutdown(self):
        try:
            # the Erlang VM, whether its app answers on the port or not (a node whose app was stopped to
            # join a cluster, and did not start again, was left running once)
            self.ctl("stop", timeout=30)
        except Exception:
            pid = self._pid()
            if pid is not None:
                with contextlib.suppress(OSError):  # rabbitmqctl could not reach it: leave no broker behind
                    os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


class BrokerCluster:
    """`size` nodes of one cluster with an Erlang cookie of their own, started
    in parallel; `amqp_uri` names them all (AMQP_URI's list form).
    Use as a context manager: every node is stopped at the end, whatever happened."""

    def __init__(self, size: int = 3):
        cookie = secrets.token_hex(16).upper()
        self.nodes: list[BrokerNode] = []
        try:
            for n in range(size):
                self.nodes.append(BrokerNode(cookie=cookie, prefix=f"kimcluster{n}-"))
        except Exception:
            self.shutdown()
            raise
        self.amqp_uri = ";".join(node.amqp_uri for node in self.nodes)

    def __enter__(self):
        try:
            self.start()
        except Exception:
            self.shutdown()
            raise
        return self

    def __exit__(self, *exc):
        self.shutdown()

    def start(self):
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(BrokerNode.start, self.nodes))
        seed = self.nodes[0]

        def join(node: BrokerNode):
            node.ctl("stop_app")
            node.ctl("join_cluster", seed.name)
            for attempt in range(3):
                try:
                    node.ctl("start_app")
                    break
                except subprocess.CalledProcessError:
                    # 69 (unavailable): on a loaded machine the app may not come up at the first call
                    if attempt == 2:
                        raise
                    time.sleep(2)
            node._wait(up=True)
        # one after the other: nodes joining a cluster at the same moment were seen to fail start_app
        # (exit 69) on a loaded machine, as RabbitMQ's documentation warns
        for node in self.nodes[1:]:
            join(node)
        if self.running() != {node.name for node in self.nodes}:
            raise RuntimeError(f"the cluster runs {self.running()}")

    def running(self) -> set[str]:
        """The nodes a surviving node sees running in the cluster."""
        status = self.alive()[0].ctl("cluster_status", "--formatter", "json", "-q")
        return set(json.loads(status)["running_nodes"])

    def node(self, name: str) -> BrokerNode:
        return next(node for node in self.nodes if node.name == name)

    def alive(self) -> list[BrokerNode]:
        return [node for node in self.nodes if _answers(node.port)]

    def queues(self, vhost: str = "/") -> dict[str, dict]:
        """The vhost's queues as a surviving node lists them: type, leader, members, messages."""
        listed = self.alive()[0].ctl("list_queues", "-p", vhost, "name", "type", "leader", "members", "messages",
                                     "--formatter", "json", "-q")
        return {queue["name"]: queue for queue in json.loads(listed or "[]")}

    def leader(self, queue: str, vhost: str = "/") -> BrokerNode:
        return self.node(self.queues(vhost)[queue]["leader"])

    def shutdown(self):
        with ThreadPoolExecutor(max(len(self.nodes), 1)) as pool:
            list(pool.map(BrokerNode.shutdown, self.nodes))
