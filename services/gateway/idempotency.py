"""Idempotency keys of accepted submissions: a client's Idempotency-Key kept
with the submission it made, so a retry sends that submission again. A kept
submission holds the submitter's contact: it is forgotten after
`GATEWAY_IDEMPOTENCY_DAYS` (checked at most hourly, as submissions arrive),
or at once when the person's data is erased (routes/privacy.py)."""
import hashlib
import json
import time
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from services.common.events import utcnow
from services.gateway.models import IdempotencyKey


def key_hash(owner: str, key: str) -> str:
    """A key is the client's: the same key from two callers is two keys."""
    return hashlib.sha256(f"{owner}:{key}".encode()).hexdigest()


PURGE_EVERY_SECONDS = 3600


class IdempotencyStore:
    def __init__(self, session_factory: sessionmaker, keep_days: float = 7):
        self.Session = session_factory
        self.keep_for = timedelta(days=keep_days)
        self._next_purge = 0.0

    def forget_expired(self) -> int:
        """Forget the submissions kept longer than the window; any instance may, at any time."""
        with self.Session.begin() as session:
            result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - self.keep_for))
            return result.rowcount

    def forget(self, tracking_codes: list[str]) -> None:
        """Forget the kept submissions of these aspirations (their submitter's data is being erased)."""
        if tracking_codes:
            with self.Session.begin() as session:
                session.execute(delete(IdempotencyKey).where(IdempotencyKey.tracking_code.in_(tracking_codes)))

    def keep(self, owner: str, key: str, submission: dict) -> tuple[dict, bool]:
        """The submission kept for this caller's key: an earlier one (replayed) or this one."""
        digest = key_hash(owner, key)
        if time.monotonic() >= self._next_purge:
            self._next_purge = time.monotonic() + PURGE_EVERY_SECONDS
            self.forget_expired()

        def known():
            with self.Session() as session:
                kept = session.scalar(select(IdempotencyKey.submission).where(
                    IdempotencyKey.key_hash == digest, IdempotencyKey.created_at >= utcnow() - self.keep_for))
                return json.loads(kept) if kept else None
        earlier = known()
        if earlier:
            return earlier, True
        for _ in range(2):
            try:
                with self.Session.begin() as session:
                    session.add(IdempotencyKey(key_hash=digest, tracking_code=submission["tracking_code"],
                                               submission=json.dumps(submission), created_at=utcnow()))
                return submission, False
            except IntegrityError:
                earlier = known()
                if earlier:  # the same key, at the same moment
                    return earlier, True
                self._forget_expired_key(digest)  # kept once, past the window: the key is free again
        return known(), True

    def _forget_expired_key(self, digest: str) -> None:
        with self.Session.begin() as session:
            session.execute(delete(IdempotencyKey).where(IdempotencyKey.key_hash == digest,
                                                         IdempotencyKey.created_at < utcnow() - self.keep_for))
