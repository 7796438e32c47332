"""The broadcast service's entrypoints."""
from services.common.service import ServiceBase


class BroadcastService(ServiceBase):
    name = "broadcast"
