"""python -m services.broadcast: migrate and serve."""
from services.common import green

green.monkey_patch()

from pathlib import Path  # noqa: E402

from services.broadcast.service import BroadcastService  # noqa: E402
from services.broadcast.settings import BroadcastSettings  # noqa: E402
from services.common.run import run_service  # noqa: E402

if __name__ == "__main__":
    run_service(BroadcastService, BroadcastSettings(), Path(__file__).parent / "migrations")
