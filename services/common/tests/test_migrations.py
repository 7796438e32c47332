"""Each service's migrations apply on an empty database, and again as a no-op."""
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from services.common.migrations import upgrade

SERVICES = Path(__file__).resolve().parents[2]
EXPECTED = {
    "registry": {"regions", "region_loads", "outbox", "processed_events"},
    "broadcast": {"outbox", "processed_events"},
    "aspirations": {"outbox", "processed_events"},
    "gateway": {"api_keys"},
}


@pytest.mark.parametrize("service", sorted(EXPECTED))
def test_migrations_apply_and_are_idempotent(service, databases):
    url = databases(service)
    upgrade(url, SERVICES / service / "migrations")
    upgrade(url, SERVICES / service / "migrations")
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert EXPECTED[service] | {"alembic_version"} <= tables
