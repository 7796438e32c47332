"""Idempotency keys of accepted submissions: a client's Idempotency-Key kept
with the submission it made, so a retry sends that submission again."""
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from services.common.events import utcnow
from services.gateway.models import IdempotencyKey


def key_hash(owner: str, key: str) -> str:
    """A key is the client's: the same key from two callers is two keys."""
    return hashlib.sha256(f"{owner}:{key}".encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, session_factory: sessionmaker):
        self.Session = session_factory

    def keep(self, owner: str, key: str, submission: dict) -> tuple[dict, bool]:
        """The submission kept for this caller's key: an earlier one (replayed) or this one."""
        digest = key_hash(owner, key)

        def known():
            with self.Session() as session:
                kept = session.scalar(select(IdempotencyKey.submission).where(IdempotencyKey.key_hash == digest))
                return json.loads(kept) if kept else None
        earlier = known()
        if earlier:
            return earlier, True
        try:
            with self.Session.begin() as session:
                session.add(IdempotencyKey(key_hash=digest, tracking_code=submission["tracking_code"],
                                           submission=json.dumps(submission), created_at=utcnow()))
        except IntegrityError:  # the same key, at the same moment
            return known(), True
        return submission, False
