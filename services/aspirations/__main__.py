"""python -m services.aspirations: migrate and serve."""
from services.common import green

green.monkey_patch()

from pathlib import Path  # noqa: E402

from services.aspirations.service import AspirationsService  # noqa: E402
from services.aspirations.settings import AspirationsSettings  # noqa: E402
from services.common.run import run_service  # noqa: E402

if __name__ == "__main__":
    run_service(AspirationsService, AspirationsSettings(), Path(__file__).parent / "migrations")
