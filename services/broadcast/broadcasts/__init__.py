"""Broadcasts (the module moves into a package; split in the next commit)."""
from services.broadcast.broadcasts.compose import *  # noqa: F403
from services.broadcast.broadcasts.compose import MAX_REACHED_PER_DELIVERY, MAX_REACHED_PER_REPORT  # noqa: F401
