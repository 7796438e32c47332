"""The push's retry rule at the domain level: a failed push waits backoff, 2x backoff,
4x ... before the next try, and is `failed` after the last one (the end-to-end test in
tests/test_webhooks.py only sees that the tries came, at least that far apart)."""
from datetime import timedelta
from pathlib import Path

import pytest

from services.broadcast.models import Delivery, Webhook
from services.broadcast.webhooks import next_push_in, record_push
from services.common.events import as_utc, utcnow
from services.common.testing import migrated_session

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def delivery(databases):
    with migrated_session(databases, "broadcast", MIGRATIONS) as session:
        row = Delivery(kind="aspiration_answer", kim_id="k1", village_code="14.71.01.1002", message={"t": "x"},
                       created_at=utcnow(), push_state="pending", push_attempts=0, next_push_at=utcnow())
        session.add(row)
        session.flush()
        yield session, row


def test_failed_pushes_wait_twice_as_long_each_time_then_fail(delivery):
    session, row = delivery
    for backoff in (2, 4, 8):
        # bounded by the moments around the call, not rounded: a slow machine's call may take a second
        before = utcnow()
        assert record_push(session, row.id, False, "HTTP 500", max_attempts=4, backoff_seconds=2.0) == "pending"
        after = utcnow()
        assert before + timedelta(seconds=backoff) <= as_utc(row.next_push_at) <= after + timedelta(seconds=backoff)
    assert row.push_error == "HTTP 500"
    assert record_push(session, row.id, False, "HTTP 500", max_attempts=4, backoff_seconds=2.0) == "failed"
    assert row.next_push_at is None and row.push_attempts == 4


def test_a_push_that_succeeds_clears_the_schedule_and_the_error(delivery):
    session, row = delivery
    record_push(session, row.id, False, "timeout", max_attempts=4, backoff_seconds=2.0)
    assert row.next_push_at > utcnow() + timedelta(seconds=1)
    assert record_push(session, row.id, True, None, max_attempts=4, backoff_seconds=2.0) == "sent"
    assert (row.next_push_at, row.push_error, row.push_attempts) == (None, None, 2)


def test_the_pushes_timer_learns_when_the_next_push_falls_due(delivery):
    """What push_webhooks returns to its timer: the next pending push of a group with a webhook."""
    session, row = delivery
    assert next_push_in(session) is None  # k1 has no webhook: nothing of it is ever pushed
    session.add(Webhook(kim_id="k1", url="https://kim.example/hook", secret="s", updated_at=utcnow()))
    session.flush()
    assert next_push_in(session) == 0.0  # due now
    record_push(session, row.id, False, "HTTP 500", max_attempts=4, backoff_seconds=2.0)
    assert 1.0 < next_push_in(session) <= 2.0  # its back-off
    record_push(session, row.id, True, None, max_attempts=4, backoff_seconds=2.0)
    assert next_push_in(session) is None
