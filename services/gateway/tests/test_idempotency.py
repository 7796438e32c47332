"""An Idempotency-Key keeps its submission before it is sent: a retry after a
crash between keeping and sending sends the same submission again."""
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.common.migrations import upgrade
from services.gateway.app import MIGRATIONS
from services.gateway.idempotency import IdempotencyStore
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
