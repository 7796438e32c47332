"""python -m services.channels: migrate and serve."""
from services.common import green

green.monkey_patch()

from pathlib import Path  # noqa: E402

from services.channels.service import ChannelsService  # noqa: E402
from services.channels.settings import ChannelsSettings  # noqa: E402
from services.common.run import run_service  # noqa: E402

if __name__ == "__main__":
    run_service(ChannelsService, ChannelsSettings(), Path(__file__).parent / "migrations")
