"""A handler that keeps failing: delayed retries, then the dead-letter
queue, then a replay that delivers it again."""
import eventlet
from nameko.standalone.rpc import ServiceRpcProxy
from prometheus_client import REGISTRY

from services.common import deadletters
from services.common.bus import ConfirmedPublisher
from services.common.tests import sample
from services.common.tests.helpers import count, wait_for

DELAYS = [0.3, 0.6, 1.2]


def test_failing_handler_backs_off_then_dead_letters_and_replays(tmp_path, amqp_uri, container_factory):
    sample.FlakyService.attempts.clear()
    sample.FlakyService.healed = False
    flaky_url = f"sqlite:///{tmp_path / 'flaky.db'}"
    flaky = container_factory(sample.FlakyService, sample.config(
        flaky_url, amqp_uri, retry_delays=",".join(map(str, DELAYS))))
    flaky.start()
    producer = container_factory(sample.ProducerService, sample.config(
        f"sqlite:///{tmp_path / 'producer.db'}", amqp_uri))
    producer.start()
    dead_before = REGISTRY.get_sample_value(
        "kim_events_dead_lettered_total", {"service": "flaky", "handler": "on_note_added"}) or 0

    with ServiceRpcProxy("producer", {"AMQP_URI": amqp_uri}) as rpc:
        rpc.add_note("n1", "tidak sampai")

    wait_for(lambda: deadletters.dead_letter_count(amqp_uri, "flaky") == 1, timeout=40,
             message="the event in the dead-letter queue")
    attempts = list(sample.FlakyService.attempts)
    assert len(attempts) == 1 + len(DELAYS)
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:], strict=False)]
    # lower bounds only (the delays grow): a loaded machine or the broker's expiry may add to any gap
    for gap, delay in zip(gaps, DELAYS, strict=False):
        assert gap >= delay * 0.9, f"retry came after {gap:.2f}s, before its {delay}s back-off"

    eventlet.sleep(1.5)  # no hot loop: nothing more happens while it sits there
    assert len(sample.FlakyService.attempts) == 1 + len(DELAYS)
    dead_after = REGISTRY.get_sample_value(
        "kim_events_dead_lettered_total", {"service": "flaky", "handler": "on_note_added"})
    assert dead_after == dead_before + 1

    sample.FlakyService.healed = True
    publisher = ConfirmedPublisher(amqp_uri)
    assert deadletters.replay(amqp_uri, "flaky", publisher) == 1
    publisher.close()
    wait_for(lambda: count(flaky_url, "effects") == 1, message="the replayed event to be handled")
    assert deadletters.dead_letter_count(amqp_uri, "flaky") == 0
    assert len(sample.FlakyService.attempts) == 2 + len(DELAYS)
