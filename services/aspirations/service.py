"""The aspirations service's entrypoints."""
from services.common.service import ServiceBase


class AspirationsService(ServiceBase):
    name = "aspirations"
