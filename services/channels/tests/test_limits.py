"""The send-rate limits, on an injected clock: no test here waits."""
import math
import random

import pytest

from services.channels.limits import Limits, Window, limits_for
from services.channels.settings import ChannelsSettings


def fill(window: Window, count: int, now: float) -> list[int]:
    tokens = []
    for _ in range(count):
        assert window.wait_time(now) == 0
        tokens.append(window.start(now))
    return tokens


# --- one window

def test_up_to_the_limit_starts_at_once():
    window = Window(3, 1.0)
    fill(window, 3, now=0.0)
    assert window.in_flight == 3


def test_sends_in_flight_hold_the_next_until_one_is_done():
    window = Window(3, 1.0)
    tokens = fill(window, 3, now=0.0)
    assert window.wait_time(5.0) == math.inf  # however long: a send in flight may still arrive
    window.done(tokens[1], now=5.2)
    assert window.wait_time(5.2) == pytest.approx(1.0)  # its arrival counts for a window from its answer
    assert window.wait_time(6.2) == 0


def test_the_window_slides_over_completion_times():
    window = Window(3, 1.0)
    tokens = fill(window, 3, now=0.0)
    for token, at in zip(tokens, (0.1, 0.5, 0.9), strict=True):
        window.done(token, now=at)
    assert window.wait_time(1.0) == pytest.approx(0.1)
    assert window.wait_time(1.1) == 0
    window.start(1.1)
    assert window.wait_time(1.1) == pytest.approx(0.4)  # now the second completion must age out
    assert window.wait_time(1.5) == 0


def test_completions_out_of_order_count_by_when_they_came():
    window = Window(2, 1.0)
    first, second = fill(window, 2, now=0.0)
    window.done(second, now=0.2)
    window.done(first, now=0.7)
    assert window.wait_time(0.7) == pytest.approx(0.5)


def test_a_slow_send_in_flight_holds_its_place_while_others_come_and_go():
    window = Window(2, 1.0)
    window.start(0.0)  # slow: no answer in this test
    quick = window.start(0.0)
    window.done(quick, now=0.1)
    assert window.wait_time(0.1) == pytest.approx(1.0)
    window.start(1.1)  # the one place left
    assert window.wait_time(50.0) == math.inf


def test_a_forgotten_send_frees_its_place_and_leaves_no_trace():
    window = Window(1, 10.0)
    token = window.start(0.0)
    window.forget(token)
    assert window.wait_time(0.0) == 0 and window.idle(0.0)
    window.done(token, now=0.5)  # too late: nothing happens
    assert window.wait_time(0.5) == 0


def test_done_twice_counts_once():
    window = Window(2, 1.0)
    token = window.start(0.0)
    window.done(token, now=0.1)
    window.done(token, now=0.2)
    assert window.wait_time(0.2) == 0


def test_a_pause_holds_every_start_until_it_ends():
    window = Window(30, 1.0)
    window.pause(until=7.0)
    assert window.wait_time(2.0) == pytest.approx(5.0)
    window.pause(until=4.0)  # a shorter pause does not cut the longer one
    assert window.wait_time(2.0) == pytest.approx(5.0)
    assert not window.idle(6.0) and window.idle(7.0)
    assert window.wait_time(7.0) == 0


def test_the_longer_of_pause_and_window_decides():
    window = Window(1, 10.0)
    window.done(window.start(0.0), now=0.0)
    window.pause(until=2.0)
    assert window.wait_time(1.0) == pytest.approx(9.0)


def test_idle_once_nothing_is_in_flight_or_recent():
    window = Window(2, 1.0)
    token = window.start(0.0)
    assert not window.idle(0.5)
    window.done(token, now=0.5)
    assert not window.idle(1.4) and window.idle(1.5)


@pytest.mark.parametrize(("count", "seconds", "limit", "span"), [
    (30, 1.0, 30, 1.0), (2.5, 1.0, 2, 0.8), (0.5, 1.0, 1, 2.0), (20, 60.0, 20, 60.0)])
def test_a_rate_becomes_a_whole_number_of_sends_over_a_span(count, seconds, limit, span):
    window = Window.rate(count, seconds)
    assert (window.limit, window.seconds) == (limit, pytest.approx(span))


@pytest.mark.parametrize(("limit", "seconds"), [(0, 1.0), (1, 0.0), (1, -1.0)])
def test_a_window_that_holds_nothing_is_refused(limit, seconds):
    with pytest.raises(ValueError):
        Window(limit, seconds)


@pytest.mark.parametrize("seed", range(20))
def test_the_receiver_never_sees_more_than_the_limit_in_any_window(seed):
    """A dispatcher with several sends in flight, random network times, each message arriving at a
    random moment between its start and its answer: no `seconds`-long span holds more than `limit`
    arrivals, though the window is kept full."""
    rng = random.Random(seed)
    limit, seconds = rng.randint(1, 6), rng.choice([0.5, 1.0, 3.0])
    window = Window(limit, seconds)
    now, in_flight, arrivals = 0.0, [], []  # in_flight: (answer time, token, arrival time)
    while len(arrivals) < 300:
        wait = window.wait_time(now)
        if wait == 0 and rng.random() < 0.9:
            start = now
            answer = start + rng.expovariate(1 / (seconds * rng.choice([0.01, 0.3, 2.0])))
            in_flight.append((answer, window.start(start), rng.uniform(start, answer)))
            continue
        # the next event: a send's answer, or the end of the wait
        next_answer = min((answer for answer, _, _ in in_flight), default=math.inf)
        now = min(next_answer, now + wait) if wait > 0 else min(next_answer, now + rng.uniform(0, seconds))
        for item in [item for item in in_flight if item[0] <= now]:
            in_flight.remove(item)
            window.done(item[1], now=item[0])
            arrivals.append(item[2])
    arrivals.sort()
    busiest = max(bisect_count(arrivals, at, at + seconds) for at in arrivals)
    assert busiest <= limit
    assert busiest == limit  # and the window was used, not merely safe


def bisect_count(times: list[float], start: float, end: float) -> int:
    """How many of the sorted times are in [start, end)."""
    from bisect import bisect_left
    return bisect_left(times, end) - bisect_left(times, start)


# --- a provider's limits

def test_a_send_waits_for_both_the_provider_and_its_address():
    limits = Limits(Window(30, 1.0), per_address=(2, 60.0))
    for _ in range(2):
        limits.done(limits.start("grup-a", 0.0), now=0.1)
    assert limits.wait_time("grup-a", 0.1) == pytest.approx(60.0)
    assert limits.wait_time("grup-b", 0.1) == 0  # another group: only the bot's window counts


def test_the_provider_window_counts_every_address():
    limits = Limits(Window(3, 1.0), per_address=(20, 60.0))
    for address in ("a", "b", "c"):
        limits.start(address, 0.0)
    assert limits.wait_time("d", 0.0) == math.inf


def test_address_windows_are_made_at_the_first_send_and_dropped_once_idle():
    limits = Limits(Window(30, 1.0), per_address=(20, 60.0))
    assert limits.wait_time("grup-a", 0.0) == 0 and limits.addresses == {}
    ticket = limits.start("grup-a", 0.0)
    assert set(limits.addresses) == {"grup-a"}
    limits.done(ticket, now=1.0)
    limits.start("grup-b", 30.0)
    assert set(limits.addresses) == {"grup-a", "grup-b"}  # grup-a's send is still recent
    limits.start("grup-c", 100.0)
    assert set(limits.addresses) == {"grup-b", "grup-c"}  # grup-b still in flight


def test_a_ticket_forgotten_frees_both_windows():
    limits = Limits(Window(1, 1.0), per_address=(1, 60.0))
    limits.forget(limits.start("grup-a", 0.0))
    assert limits.wait_time("grup-a", 0.0) == 0


def test_without_a_per_address_limit_there_are_no_address_windows():
    limits = Limits(Window(10, 1.0))
    limits.done(limits.start("ani@desa.id", 0.0), now=0.1)
    assert limits.addresses == {}


def test_a_pause_for_the_whole_provider_or_one_address():
    limits = Limits(Window(30, 1.0), per_address=(20, 60.0))
    limits.pause(until=5.0, address="grup-a")
    assert limits.wait_time("grup-a", 1.0) == pytest.approx(4.0)
    assert limits.wait_time("grup-b", 1.0) == 0
    limits.pause(until=3.0)
    assert limits.wait_time("grup-b", 1.0) == pytest.approx(2.0)
    assert limits.wait_time("grup-a", 1.0) == pytest.approx(4.0)


def test_an_address_pause_works_without_a_per_address_limit_and_is_dropped_when_over():
    limits = Limits(Window(10, 1.0))
    limits.pause(until=5.0, address="ani@desa.id")
    assert limits.wait_time("ani@desa.id", 1.0) == pytest.approx(4.0)
    limits.start("budi@desa.id", 100.0)
    assert limits.paused == {} and limits.wait_time("ani@desa.id", 100.0) == 0


def test_limits_from_the_settings():
    limits = limits_for(ChannelsSettings(telegram_rate_per_second=30, telegram_chat_rate_per_minute=20,
                                         smtp_rate_per_second=2.5))
    telegram = limits["telegram"]
    assert (telegram.provider.limit, telegram.provider.seconds, telegram.per_address) == (30, 1.0, (20, 60.0))
    assert (limits["email"].provider.limit, limits["email"].provider.seconds) == (2, pytest.approx(0.8))
    assert limits["sms"].per_address is None and limits["whatsapp"].per_address is None
