"""The send-rate limits: never more than `limit` completed sends in any window at the provider."""
from services.channels.limits import POLL, Limits, Window


def test_a_window_lets_the_limit_start_at_once_then_waits_for_the_oldest_completion():
    window = Window(limit=3, seconds=1.0)
    for _ in range(3):
        assert window.wait_time(0.0) == 0
        window.start(0.0)
    assert window.wait_time(0.0) == POLL  # all three in flight: nothing known yet
    window.done(0.1)
    window.done(0.2)
    window.done(0.3)
    assert window.wait_time(0.5) == 1.1 - 0.5  # the first completed at 0.1
    window.start(1.1)
    assert window.wait_time(1.1) == 1.2 - 1.1


def test_sends_that_never_reached_the_provider_do_not_count():
    window = Window(limit=1, seconds=60)
    window.start(0)
    window.done(0.1, reached_provider=False)
    assert window.wait_time(0.2) == 0


def test_a_pause_holds_every_start_back():
    window = Window(limit=30, seconds=1)
    window.pause(5.0)
    assert window.wait_time(1.0) == 4.0
    assert window.wait_time(5.0) == 0


def test_a_simulated_sender_never_exceeds_the_limit_in_any_window():
    limits = Limits(overall=Window(30, 1.0), per_address=(20, 60.0))
    arrivals: list[tuple[float, str]] = []
    now, in_flight = 0.0, []
    chats = [f"-100{i}" for i in range(5)]
    sent = 0
    while now < 130:
        for started, chat in [f for f in in_flight if f[0] + 0.05 <= now]:  # 50 ms round trips
            arrivals.append((started + 0.01, chat))
            limits.done(chat, now)
            in_flight.remove((started, chat))
        chat = chats[sent % len(chats)]
        if len(in_flight) < 8 and limits.wait_time(chat, now) == 0:
            limits.start(chat, now)
            in_flight.append((now, chat))
            sent += 1
        now = round(now + 0.005, 3)
    times = [t for t, _ in arrivals]
    assert all(sum(1 for u in times if t <= u < t + 1.0) <= 30 for t in times)
    for chat in chats:
        mine = [t for t, c in arrivals if c == chat]
        assert all(sum(1 for u in mine if t <= u < t + 60.0) <= 20 for t in mine)
    assert len(arrivals) >= 5 * 20 * 2  # two minutes at the per-chat limit: it is reached, not starved


def test_idle_address_windows_are_dropped():
    limits = Limits(overall=Window(30, 1.0), per_address=(20, 60.0))
    limits.start("a", 0)
    limits.done("a", 0.1)
    limits.prune(30)
    assert "a" in limits.addresses
    limits.prune(61)
    assert "a" not in limits.addresses
