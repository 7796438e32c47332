"""Every process exposes its metrics on its own port."""
import contextlib
import socket
import urllib.request

from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.metrics import serve_metrics
from services.common.tests import sample
from services.common.tests.helpers import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as response:
        return response.read().decode()


def sample_value(text: str, prefix: str) -> float:
    for line in text.splitlines():
        if line.startswith(prefix):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_rpc_calls_events_and_backlog_are_exported(tmp_path, amqp_uri, container_factory):
    port = free_port()
    serve_metrics(port, addr="127.0.0.1")
    container = container_factory(sample.ProducerService, sample.config(
        f"sqlite:///{tmp_path / 'producer.db'}", amqp_uri))
    container.start()
    ok = 'kim_rpc_requests_total{method="add_note",outcome="ok",service="producer"}'
    failed = 'kim_rpc_requests_total{method="add_note",outcome="error",service="producer"}'
    published = 'kim_events_published_total{service="producer",type="note_added"}'
    before = scrape(port)
    with ServiceRpcProxy("producer", {"AMQP_URI": amqp_uri}) as rpc:
        rpc.add_note("m1", "satu")
        with contextlib.suppress(RemoteError):
            rpc.add_note("m2", "dua", fail=True)
    wait_for(lambda: sample_value(scrape(port), published) >= sample_value(before, published) + 1,
             message="the published event to be counted")
    after = scrape(port)
    assert sample_value(after, ok) == sample_value(before, ok) + 1
    assert sample_value(after, failed) == sample_value(before, failed) + 1
    assert 'kim_rpc_duration_seconds_bucket{le="0.005",method="add_note",service="producer"}' in after
    assert 'kim_outbox_backlog{service="producer"}' in after
