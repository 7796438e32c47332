"""python -m services.registry: migrate, load the reference data once, serve."""
from services.common import green

green.monkey_patch()

from services.common.run import run_service  # noqa: E402
from services.registry.service import RegistryService  # noqa: E402
from services.registry.settings import RegistrySettings  # noqa: E402
from services.registry.startup import MIGRATIONS, load_reference_data  # noqa: E402

if __name__ == "__main__":
    run_service(RegistryService, RegistrySettings(), MIGRATIONS, before_start=load_reference_data)
