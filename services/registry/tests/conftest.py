import eventlet

eventlet.monkey_patch()

import shutil  # noqa: E402

import pytest  # noqa: E402

from services.common.db import make_engine, service_session  # noqa: E402
from services.common.migrations import upgrade  # noqa: E402
from services.common.testing import (  # noqa: E402,F401
    amqp_uri,
    create_postgres_database,
    databases,
    drop_postgres_database,
)
from services.registry.settings import RegistrySettings  # noqa: E402
from services.registry.startup import MIGRATIONS, load_reference_data  # noqa: E402


@pytest.fixture(scope="session")
def registry_templates(tmp_path_factory):
    """A migrated registry database with the regions loaded, made once per
    backend and copied for each test (loading takes seconds)."""
    templates = {}

    def template(backend: str) -> str:
        if backend not in templates:
            if backend == "sqlite":
                url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'registry.db'}"
            else:
                url = create_postgres_database("kim_test_template")
            upgrade(url, MIGRATIONS)
            load_reference_data(RegistrySettings(database_url=url))
            templates[backend] = url
        return templates[backend]

    yield template
    if "postgresql" in templates:
        drop_postgres_database(templates["postgresql"])


@pytest.fixture(params=["sqlite", "postgresql"])
def registry_url(request, registry_templates, tmp_path):
    """A fresh registry database with the reference data, on each backend."""
    template = registry_templates(request.param)
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copy(template.removeprefix("sqlite:///"), path)
        yield f"sqlite:///{path}"
        return
    url = create_postgres_database("kim_test_registry", template=template)
    yield url
    drop_postgres_database(url)


@pytest.fixture
def session(registry_url):
    """A session on a fresh registry database, as the service's workers have
    one: for calling the domain functions directly."""
    engine = make_engine(registry_url)
    with service_session(engine, "registry") as session:
        yield session
    engine.dispose()
