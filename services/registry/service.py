"""The registry service's entrypoints. Thin: the logic is in regions.py."""
from services.common.entrypoints import rpc
from services.common.service import ServiceBase
from services.registry import regions


class RegistryService(ServiceBase):
    name = "registry"

    @rpc
    def get_region(self, code):
        return regions.get_region(self.db, code)

    @rpc
    def list_regions(self, parent=None, limit=50, offset=0):
        return regions.list_children(self.db, parent, limit, offset)

    @rpc
    def search_regions(self, q, level=None, limit=50, offset=0):
        return regions.search(self.db, q, level, limit, offset)
