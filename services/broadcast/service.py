"""The broadcast service's entrypoints."""
from sqlalchemy import func, select

from services.broadcast import directory
from services.common.entrypoints import event_handler, rpc
from services.common.events import claim_event
from services.common.service import ServiceBase


class BroadcastService(ServiceBase):
    name = "broadcast"

    # --- the KIM directory replica, from the registry's events ----------------------
    @event_handler("registry", "kim_registered")
    def on_kim_registered(self, envelope):
        if claim_event(self.db, envelope):
            directory.apply_record(self.db, envelope["data"])

    @event_handler("registry", "kim_updated")
    def on_kim_updated(self, envelope):
        if claim_event(self.db, envelope):
            directory.apply_record(self.db, envelope["data"])

    @event_handler("registry", "kim_snapshot")
    def on_kim_snapshot(self, envelope):
        if claim_event(self.db, envelope):
            directory.apply_record(self.db, envelope["data"])

    @event_handler("registry", "kim_status_changed")
    def on_kim_status_changed(self, envelope):
        if claim_event(self.db, envelope):
            directory.apply_status(self.db, envelope["data"])

    # --- targeting ------------------------------------------------------------------
    @rpc
    def count_recipients(self, target):
        query = directory.recipients(directory.check_target(target))
        return {"recipients": self.db.scalar(select(func.count()).select_from(query.subquery()))}
