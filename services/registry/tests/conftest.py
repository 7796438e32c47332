import eventlet

eventlet.monkey_patch()

from contextlib import contextmanager  # noqa: E402

import pytest  # noqa: E402
from sqlalchemy import event  # noqa: E402

from services.common.db import make_engine, service_session  # noqa: E402
from services.common.testing import (  # noqa: E402,F401
    amqp_uri,
    copy_database,
    databases,
    drop_postgres_database,
)
from services.registry.tests.templates import reference_template  # noqa: E402


@contextmanager
def copied(backend: str, directory):
    """A copy of the registry's reference database on `backend`, dropped afterwards."""
    url = copy_database(reference_template(backend), directory / "registry.db", "kim_test_registry")
    yield url
    if backend == "postgresql":
        drop_postgres_database(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, tmp_path):
    """A fresh registry database with the reference data, on each backend."""
    with copied(request.param, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_registry_url(request, tmp_path_factory):
    """One registry database with the reference data per test module, on each backend."""
    with copied(request.param, tmp_path_factory.mktemp("registry")) as url:
        yield url


@pytest.fixture
def session(registry_url):
    """A session on a fresh registry database, as the service's workers have
    one: for calling the domain functions directly."""
    engine = make_engine(registry_url)
    with service_session(engine, "registry") as session:
        yield session
    engine.dispose()


@pytest.fixture
def rolled_back_session(module_registry_url):
    """A session on the module's database in which each `session.begin()` is a
    savepoint inside one transaction that is rolled back when the test ends:
    every test starts from the reference data alone, as with `session`, but
    without a database copy of its own (a copy costs more than most domain
    tests). Not for tests of locking or of what other connections see."""
    engine = make_engine(module_registry_url)
    if engine.dialect.name == "sqlite":
        # pysqlite begins and ends transactions on its own, which breaks savepoints;
        # SQLAlchemy's documented recipe hands both to SQLAlchemy
        @event.listens_for(engine, "connect")
        def _no_driver_transactions(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(connection):
            connection.exec_driver_sql("BEGIN")

    with engine.connect() as connection:
        outer = connection.begin()
        with service_session(connection, "registry", join_transaction_mode="create_savepoint") as session:
            yield session
        outer.rollback()
    engine.dispose()
