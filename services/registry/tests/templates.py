"""A registry database with the reference data (the regions and their coverage
counters), built once per machine while what builds it is unchanged, and copied
by every test that needs one: the registry's own tests and the end-to-end
platforms (tests/conftest.py). Loading the 91,599 regions takes seconds."""
from functools import cache
from pathlib import Path

from services.common.migrations import upgrade
from services.common.testing import template_database
from services.registry.settings import RegistrySettings
from services.registry.startup import MIGRATIONS, load_reference_data

REGISTRY = Path(__file__).resolve().parents[1]
# what decides the template's content: a change to any of these builds a new one
SOURCES = [REGISTRY / "migrations", REGISTRY / "data", REGISTRY / "regions.py", REGISTRY / "coverage.py",
           REGISTRY / "startup.py", REGISTRY / "models.py", REGISTRY.parent / "common" / "regions.py"]


def build(url: str) -> None:
    upgrade(url, MIGRATIONS)
    load_reference_data(RegistrySettings(database_url=url))


@cache
def reference_template(backend: str) -> str:
    """The URL of the template on `backend` (sqlite or postgresql)."""
    return template_database(backend, "registry", SOURCES, build)
