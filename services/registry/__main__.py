"""python -m services.registry: migrate, load the regions once, serve."""
import eventlet

eventlet.monkey_patch()

from pathlib import Path  # noqa: E402

from services.common.db import make_engine  # noqa: E402
from services.common.run import run_service  # noqa: E402
from services.registry.regions import load_regions  # noqa: E402
from services.registry.service import RegistryService  # noqa: E402
from services.registry.settings import RegistrySettings  # noqa: E402


def load_regions_once(settings):
    engine = make_engine(settings.db_url, pool_size=1)
    try:
        load_regions(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    run_service(RegistryService, RegistrySettings(), Path(__file__).parent / "migrations",
                before_start=load_regions_once)
