"""An Idempotency-Key keeps its submission before it is sent: a retry after a
crash between keeping and sending sends the same submission again."""
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.common.events import utcnow
from services.common.migrations import upgrade
from services.gateway.app import MIGRATIONS
from services.gateway.idempotency import IdempotencyStore
from services.gateway.models import IdempotencyKey
from services.gateway.routes.aspirations import new_submission


def test_a_retry_gets_the_kept_submission(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    store = IdempotencyStore(sessionmaker(engine))
    first = new_submission("public", {"kind": "aspirasi", "body": "satu"})
    kept, replayed = store.keep("anonymous", "k1", first)
    assert kept == first and not replayed
    # the gateway died before sending; the client retries with another body on the same key
    again, replayed = store.keep("anonymous", "k1", new_submission("public", {"kind": "aspirasi", "body": "dua"}))
    assert again == first and replayed
    other, replayed = store.keep("anonymous", "k2", new_submission("public", {"kind": "aspirasi", "body": "tiga"}))
    assert other["tracking_code"] != first["tracking_code"] and not replayed
    # a key is its caller's: another caller's same key is another submission
    theirs, replayed = store.keep("key-2", "k1", new_submission("operator:key-2", {"kind": "aspirasi", "body": "x"}))
    assert theirs["tracking_code"] != first["tracking_code"] and not replayed
    engine.dispose()


def test_a_kept_submission_is_forgotten_after_its_window_or_on_erasure(tmp_path):
    """It holds the submitter's contact (UU 27/2022): kept no longer than retries need."""
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    Session = sessionmaker(engine)
    store = IdempotencyStore(Session, keep_days=7)
    old = new_submission("public", {"kind": "aspirasi", "submitter": {"phone": "0812 1111 2222"}})
    store.keep("anonymous", "lama", old)
    recent = new_submission("public", {"kind": "aspirasi", "submitter": {"phone": "0812 3333 4444"}})
    store.keep("anonymous", "baru", recent)
    with Session.begin() as session:  # the first was kept eight days ago
        session.execute(update(IdempotencyKey).where(IdempotencyKey.tracking_code == old["tracking_code"])
                        .values(created_at=utcnow() - timedelta(days=8)))
    again, replayed = store.keep("anonymous", "lama", new_submission("public", {"kind": "aspirasi"}))
    assert not replayed and again["tracking_code"] != old["tracking_code"]  # past the window: a new one
    assert store.forget_expired() == 0  # the keep above already forgot it (the first of the hour)
    with Session() as session:
        assert old["tracking_code"] not in session.scalars(select(IdempotencyKey.tracking_code)).all()
    store.forget([recent["tracking_code"]])
    assert store.keep("anonymous", "baru", new_submission("public", {"kind": "aspirasi"}))[1] is False
    engine.dispose()
