"""Test fixtures shared by the services' tests: databases on SQLite and
PostgreSQL, and a clear failure (never a skip) when a service is missing.

Each nameko service's conftest imports what it uses from here after
eventlet.monkey_patch().
"""
import fcntl
import hashlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import kombu
import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from services.common.db import make_engine, unit_of_work
from services.common.migrations import upgrade

POSTGRES_ADMIN_URL = os.environ.get("KIM_TEST_POSTGRES_URL", "postgresql://postgres@localhost:5432/postgres")
RABBIT_API_URL = os.environ.get("KIM_TEST_RABBIT_API", "http://guest:guest@localhost:15672")
AMQP_URL = os.environ.get("KIM_TEST_AMQP_URI", "amqp://guest:guest@localhost:5672/")

HOW_TO_POSTGRES = ("PostgreSQL is needed by the tests: start it (Debian: pg_ctlcluster 15 main start; "
                   "or `make test`, which starts it) or set KIM_TEST_POSTGRES_URL.")
HOW_TO_RABBIT = ("RabbitMQ with its management API is needed by the tests: run `make test` "
                 "(which starts it and enables rabbitmq_management) or `rabbitmq-server -detached` "
                 "and `rabbitmq-plugins enable rabbitmq_management`.")


def create_postgres_database(prefix: str = "kim_test", template: str | None = None) -> str:
    """A new database, empty or a copy of `template` (a database URL)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        admin.dispose()
    except Exception as exc:
        pytest.fail(f"{HOW_TO_POSTGRES} ({exc.__class__.__name__}: {exc})", pytrace=False)
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


# templates kept between runs on this machine, named by the content of what builds them
TEMPLATES = Path(tempfile.gettempdir()) / "kim-test-templates"


def template_database(backend: str, name: str, sources: list[Path], build: Callable[[str], None]) -> str:
    """The URL of a database that `build(url)` filled once on this machine and that is kept
    while the files under `sources` are unchanged (their content names it). Every test process
    copies it (`copy_database`) instead of building it again: loading the regions takes seconds.
    A file lock makes concurrent processes (pytest-xdist workers, parallel suites) build it once."""
    digest = hashlib.sha256()
    for source in sources:
        for path in sorted(p for p in ([source] if source.is_file() else source.rglob("*")) if p.is_file()):
            if "__pycache__" not in path.parts:
                digest.update(path.name.encode() + b"\0" + path.read_bytes())
    key = f"{name}_{digest.hexdigest()[:12]}"
    TEMPLATES.mkdir(exist_ok=True)
    with open(TEMPLATES / f"{key}.{backend}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if backend == "sqlite":
            path = TEMPLATES / f"{key}.db"
            if not path.exists():
                partial = path.with_suffix(".partial")
                partial.unlink(missing_ok=True)
                build(f"sqlite:///{partial}")
                partial.rename(path)  # complete, or absent
            return f"sqlite:///{path}"
        final = f"kim_template_{key}"
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": final}):
                    building = f"{final}_partial"
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)'))
                    conn.execute(text(f'CREATE DATABASE "{building}"'))
                    build(make_url(POSTGRES_ADMIN_URL).set(database=building).render_as_string(hide_password=False))
                    conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{final}"'))  # complete, or absent
        except Exception as exc:
            pytest.fail(f"{HOW_TO_POSTGRES} ({exc.__class__.__name__}: {exc})", pytrace=False)
        finally:
            admin.dispose()
        return make_url(POSTGRES_ADMIN_URL).set(database=final).render_as_string(hide_password=False)


def copy_database(template: str, path: Path, prefix: str = "kim_test") -> str:
    """A copy of a template database: at `path` for SQLite, a new database for PostgreSQL
    (drop it with drop_postgres_database)."""
    if template.startswith("sqlite:///"):
        shutil.copy(template.removeprefix("sqlite:///"), path)
        return f"sqlite:///{path}"
    return create_postgres_database(prefix, template=template)


def drop_postgres_database(url: str):
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request, tmp_path):
    """A factory of fresh, empty databases, one per service name, on each
    backend (the test runs once on SQLite and once on PostgreSQL)."""
    created: dict[str, str] = {}

    def database(name: str = "service") -> str:
        if name not in created:
            if request.param == "sqlite":
                created[name] = f"sqlite:///{tmp_path / f'{name}.db'}"
            else:
                created[name] = create_postgres_database(f"kim_test_{name}")
        return created[name]

    database.backend = request.param
    yield database
    if request.param == "postgresql":
        for url in created.values():
            drop_postgres_database(url)


@pytest.fixture
def postgres_url():
    url = create_postgres_database()
    yield url
    drop_postgres_database(url)


def rabbit_api(method: str, path: str, attempts: int = 3, **kwargs):
    """The management API. Every call the tests make is idempotent (GET, PUT, DELETE), so a call
    that timed out is made again: under the whole suite's peak the broker once took more than 10 s
    to answer. A DELETE whose first attempt did the work finds nothing the next time."""
    url = RABBIT_API_URL.replace("guest:guest@", "") + path
    for attempt in range(1, attempts + 1):
        try:
            response = requests.request(method, url, auth=("guest", "guest"), timeout=30, **kwargs)
        except requests.Timeout:
            if attempt == attempts:
                raise
            continue
        except requests.ConnectionError as exc:
            pytest.fail(f"{HOW_TO_RABBIT} ({exc})", pytrace=False)
        if not (method == "DELETE" and response.status_code == 404 and attempt > 1):
            response.raise_for_status()
        return response
    raise AssertionError("unreachable")


def create_vhost(prefix: str = "kim-test") -> str:
    """A fresh RabbitMQ virtual host, so tests never meet each other's queues."""
    vhost = f"{prefix}-{uuid.uuid4().hex[:10]}"
    rabbit_api("PUT", f"/api/vhosts/{vhost}")
    rabbit_api("PUT", f"/api/permissions/{vhost}/guest",
               json={"configure": ".*", "write": ".*", "read": ".*"})
    return vhost


def delete_vhost(vhost: str):
    rabbit_api("DELETE", f"/api/vhosts/{vhost}")


def amqp_uri_for(vhost: str) -> str:
    return AMQP_URL.rstrip("/") + "/" + vhost


def bus_connection(amqp_uri: str):
    """A kombu connection for a test that reads or writes the bus itself. It waits longer for the
    broker's handshake than kombu's 5 s, which the broker once took under the whole suite's peak."""
    return kombu.Connection(amqp_uri, connect_timeout=30)


@pytest.fixture
def amqp_uri():
    vhost = create_vhost()
    yield amqp_uri_for(vhost)
    delete_vhost(vhost)


def received(producer: str, payload, contract):
    """An event as a consumer reads it off the bus: the producer's payload in
    its envelope, read back through `contract` (for consumers' contract tests)."""
    from services.common.contracts import read
    from services.common.events import make_envelope
    return read(make_envelope(producer, payload.TYPE, payload.wire(), payload.VERSION), contract)


@contextmanager
def migrated_session(databases, service: str, migrations: Path) -> Iterator:
    """One transaction of `service`'s on a fresh, migrated database of the test's backend."""
    url = databases(service)
    upgrade(url, migrations)
    engine = make_engine(url)
    try:
        with unit_of_work(engine, service) as session:
            yield session
    finally:
        engine.dispose()


def keys_anywhere(value, key: str) -> bool:
    """Whether `key` is a key anywhere in a JSON-like answer (personal data must not be)."""
    if isinstance(value, dict):
        return key in value or any(keys_anywhere(v, key) for v in value.values())
    if isinstance(value, list):
        return any(keys_anywhere(v, key) for v in value)
    return False
