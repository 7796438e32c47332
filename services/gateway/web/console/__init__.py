"""The office console (the module moves into a package; split in the next commit)."""
from services.gateway.web.console.kims import local_moment, router

__all__ = ["local_moment", "router"]
