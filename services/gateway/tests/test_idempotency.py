"""An Idempotency-Key keeps its submission before it is sent: a retry after a
crash between keeping and sending sends the same submission again."""
from sqlalchemy.orm import sessionmaker

from services.common.db import make_engine
from services.common.migrations import upgrade
from services.gateway.app import MIGRATIONS
from services.gateway.routes.aspirations import _keep, new_submission


def test_a_retry_gets_the_kept_submission(tmp_path):
    url = f"sqlite:///{tmp_path / 'gateway.db'}"
    upgrade(url, MIGRATIONS)
    engine = make_engine(url)
    Session = sessionmaker(engine)
    first = new_submission("public", {"kind": "aspirasi", "body": "satu"})
    kept, replayed = _keep(Session, "k1", first)
    assert kept == first and not replayed
    # the gateway died before sending; the client retries with another body on the same key
    again, replayed = _keep(Session, "k1", new_submission("public", {"kind": "aspirasi", "body": "dua"}))
    assert again == first and replayed
    other, replayed = _keep(Session, "k2", new_submission("public", {"kind": "aspirasi", "body": "tiga"}))
    assert other["tracking_code"] != first["tracking_code"] and not replayed
    engine.dispose()
