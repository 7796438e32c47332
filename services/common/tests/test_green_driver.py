"""Under eventlet the PostgreSQL driver must not block the hub: N slow
queries in N workers overlap instead of queueing (a ratio, not a timing)."""
import time

from nameko.standalone.rpc import ClusterRpcProxy

from services.common.tests import sample

QUERIES = 8
SLOW = 0.5


def test_concurrent_slow_queries_overlap(postgres_url, amqp_uri, container_factory):
    container = container_factory(sample.ProducerService, sample.config(postgres_url, amqp_uri))
    container.start()
    with ClusterRpcProxy({"AMQP_URI": amqp_uri}) as cluster:
        cluster.producer.sleep_in_database(0)  # warm up connections and queues
        started = time.monotonic()
        calls = [cluster.producer.sleep_in_database.call_async(SLOW) for _ in range(QUERIES)]
        for call in calls:
            call.result()
        elapsed = time.monotonic() - started
    serial = QUERIES * SLOW
    print(f"{QUERIES} x pg_sleep({SLOW}) took {elapsed:.2f}s (serial would be {serial:.1f}s)")
    assert elapsed < serial / 3, (
        f"{QUERIES} concurrent {SLOW}s queries took {elapsed:.2f}s: the driver blocks the eventlet hub")
