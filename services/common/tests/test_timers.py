"""A timer told of its work (`wake_on`): it runs at start, as soon as a worker commits work for
it, and when its own answer says its next work is due; idle, it does not poll."""
import eventlet
import pytest
from nameko.exceptions import RemoteError
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.tests import sample
from services.common.tests.helpers import wait_for

IDLE = 600  # the idle look-around never comes within the test: every run below was asked for


@pytest.fixture
def waking(databases, amqp_uri, container_factory):
    sample.WakingService.seen.clear()
    sample.WakingService.next_in[0] = None
    config = sample.config(databases("waking"), amqp_uri, retention_check_seconds=0.05, idle_check_seconds=IDLE)
    container = container_factory(sample.WakingService, config)
    container.start()
    with ServiceRpcProxy("waking", {"AMQP_URI": amqp_uri}) as proxy:
        yield proxy


def test_a_commit_wakes_the_timer_and_the_run_sees_what_was_committed(waking):
    seen = sample.WakingService.seen
    wait_for(lambda: seen == [0], message="the run at start")
    eventlet.sleep(0.5)
    assert seen == [0]  # idle: no half-second polls
    waking.add_note("n1")
    wait_for(lambda: seen == [0, 1], message="the run the commit asked for")
    with pytest.raises(RemoteError):
        waking.add_note("n2", fail=True)
    eventlet.sleep(0.5)
    assert seen == [0, 1]  # a worker that rolled back wakes nothing


def test_a_timer_runs_again_when_its_answer_says_its_next_work_is_due(waking):
    seen = sample.WakingService.seen
    wait_for(lambda: seen == [0], message="the run at start")
    sample.WakingService.next_in[0] = 0.1  # e.g. a push whose back-off ends then
    waking.add_note("n1")
    wait_for(lambda: len(seen) >= 4, message="runs at the times the timer was given")
    sample.WakingService.next_in[0] = None
    eventlet.sleep(0.3)  # the run under way ends; then nothing is due
    settled = len(seen)
    eventlet.sleep(0.5)
    assert len(seen) == settled
