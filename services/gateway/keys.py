"""API keys: issue, look up, list, revoke; the bootstrap admin key; and the
caller's identity (`Principal`) with the scope rules every route uses."""
import hashlib
import logging
import secrets
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.common.events import utcnow
from services.common.scope import Actor
from services.common.vocabulary import KEY_ROLES
from services.gateway.models import ApiKey

log = logging.getLogger(__name__)

ROLES = KEY_ROLES
KEY_PREFIX = "kim_"


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: str
    scope_region: str | None  # None for a national admin
    kim_id: str | None

    @property
    def actor(self) -> Actor:
        """The caller as the services see it: the scope rules are theirs."""
        return Actor(self.role, self.scope_region, self.kim_id, self.key_id)

    def covers(self, region_code: str) -> bool:
        """Whether a region lies inside this office's scope subtree ("" is
        the whole country, which only a national office covers)."""
        return self.actor.covers(region_code)


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_view(key: ApiKey) -> dict:
    return {
        "id": key.id, "name": key.name, "role": key.role, "scope_region": key.scope_region,
        "kim_id": key.kim_id, "key_prefix": key.key_prefix, "created_by": key.created_by,
        "created_at": key.created_at.isoformat(),
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


class KeyStore:
    """Keys in the gateway's database, with a short in-process cache of
    lookups: a revocation is immediate on this instance and takes at most
    `cache_seconds` on the others."""

    CACHE_LIMIT = 10_000

    def __init__(self, session_factory: sessionmaker, cache_seconds: float = 10.0):
        self.Session = session_factory
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[Principal | None, float]] = {}

    def cached_principal(self, secret: str) -> tuple[bool, Principal | None]:
        """(found in cache, principal) without touching the database."""
        entry = self._cache.get(hash_key(secret))
        if entry is None or entry[1] < time.monotonic():
            return False, None
        return True, entry[0]

    def principal_for(self, secret: str) -> Principal | None:
        digest = hash_key(secret)
        with self.Session() as session:
            key = session.scalar(select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None)))
            principal = Principal(key.id, key.name, key.role, key.scope_region, key.kim_id) if key else None
        if self.cache_seconds > 0:
            if len(self._cache) >= self.CACHE_LIMIT:
                self._cache.clear()
            self._cache[digest] = (principal, time.monotonic() + self.cache_seconds)
        return principal

    def issue(self, name: str, role: str, scope_region: str | None, kim_id: str | None,
              created_by: str | None, secret: str | None = None) -> tuple[dict, str]:
        secret = secret or new_secret()
        key = ApiKey(id=str(uuid.uuid4()), name=name, role=role, scope_region=scope_region,
                     kim_id=kim_id, key_hash=hash_key(secret), key_prefix=secret[:12],
                     created_by=created_by, created_at=utcnow())
        with self.Session.begin() as session:
            session.add(key)
        return key_view(key), secret

    def list(self, scope_region: str | None, limit: int, offset: int) -> tuple[list[dict], int]:
        query = select(ApiKey)
        if scope_region is not None:
            query = query.where(or_(ApiKey.scope_region == scope_region,
                                    ApiKey.scope_region.like(scope_region + ".%")))
        with self.Session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            keys = session.scalars(query.order_by(ApiKey.created_at, ApiKey.id).limit(limit).offset(offset)).all()
            return [key_view(k) for k in keys], total

    def group_villages(self) -> dict[str, str | None]:
        """Each group with a key, and the village its keys hold."""
        with self.Session() as session:
            return dict(session.execute(select(ApiKey.kim_id, func.max(ApiKey.scope_region))
                                        .where(ApiKey.role == "kim").group_by(ApiKey.kim_id)).all())

    def relocate(self, villages: dict[str, str]):
        """Keep kim keys where their groups are now (a group may move)."""
        with self.Session.begin() as session:
            for kim_id, village in villages.items():
                session.execute(update(ApiKey).where(ApiKey.role == "kim", ApiKey.kim_id == kim_id,
                                                     ApiKey.scope_region != village).values(scope_region=village))

    def get(self, key_id: str) -> ApiKey | None:
        with self.Session() as session:
            return session.get(ApiKey, key_id)

    def revoke(self, key_id: str) -> str:
        """'revoked', 'already', or 'last_admin' when it is the last national admin key."""
        with self.Session.begin() as session:
            key = session.get(ApiKey, key_id, with_for_update=True)
            if key.revoked_at is not None:
                return "already"
            if key.role == "admin" and key.scope_region is None and self._national_admins(session) <= 1:
                return "last_admin"
            key.revoked_at = utcnow()
        # after the commit, not before: a lookup racing the revocation would cache the key as valid again
        self._cache.clear()
        return "revoked"

    @staticmethod
    def _national_admins(session: Session) -> int:
        return session.execute(select(func.count()).select_from(ApiKey).where(
            ApiKey.role == "admin", ApiKey.scope_region.is_(None), ApiKey.revoked_at.is_(None))).scalar_one()

    def bootstrap_admin(self, configured_secret: str | None) -> str | None:
        """Make sure a national admin key exists. Returns a newly generated
        secret (to print once), else None."""
        if configured_secret:
            with self.Session() as session:
                known = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(configured_secret)))
            if known is None:
                self.issue("admin (KIM_ADMIN_KEY)", "admin", None, None, None, secret=configured_secret)
            elif known.revoked_at is not None:
                log.warning("KIM_ADMIN_KEY names a revoked key; it stays revoked")
            return None
        with self.Session() as session:
            if self._national_admins(session) > 0:
                return None
        _, secret = self.issue("admin (generated)", "admin", None, None, None)
        return secret
