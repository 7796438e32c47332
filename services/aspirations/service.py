"""The aspirations service's entrypoints: the intake queue the gateway fills
(also while this service is down), the workflow by RPC, deadlines by timer,
and its KIM directory from the registry's events."""
import logging

from services.aspirations import aspirations, directory, figures, hoaxes, metrics, privacy
from services.aspirations.workflow import Calendar
from services.common.contracts import (
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
    PersonalDataErasureRequested,
    read,
)
from services.common.entrypoints import batch_command_consumer, batch_event_handler, event_handler, rpc, timer
from services.common.events import claim_event, claim_events, utcnow
from services.common.scope import Actor
from services.common.service import ServiceBase

log = logging.getLogger(__name__)

INTAKE_QUEUE = "aspirations.intake"


class AspirationsService(ServiceBase):
    name = "aspirations"

    def _calendar(self) -> Calendar:
        return Calendar(self.settings.timezone, frozenset(self.settings.holiday_dates))

    # --- intake, many submissions at a time ------------------------------------------------
    @batch_command_consumer(INTAKE_QUEUE)
    def take_in(self, submissions):
        aspirations.intake_many(self.db, submissions, self._calendar(), self.settings)

    # --- the KIM directory replica, many events at a time ---------------------------------
    @batch_event_handler("registry", "kim_registered")
    def on_kim_registered(self, envelopes):
        self._apply(envelopes, KimRegistered, directory.apply_records)

    @batch_event_handler("registry", "kim_updated")
    def on_kim_updated(self, envelopes):
        self._apply(envelopes, KimUpdated, directory.apply_records)

    @batch_event_handler("registry", "kim_snapshot")
    def on_kim_snapshot(self, envelopes):
        self._apply(envelopes, KimSnapshot, directory.apply_records)

    @batch_event_handler("registry", "kim_status_changed")
    def on_kim_status_changed(self, envelopes):
        self._apply(envelopes, KimStatusChanged, directory.apply_statuses)

    def _apply(self, envelopes, contract, apply):
        items = {envelope["id"]: read(envelope, contract) for envelope in envelopes}
        fresh = claim_events(self.db, envelopes)
        apply(self.db, [items[envelope["id"]] for envelope in fresh])

    # --- RPC -----------------------------------------------------------------------------
    @rpc
    def check_kim(self, kim_id):
        return aspirations.check_kim(self.db, kim_id)

    @rpc
    def track(self, tracking_code):
        return aspirations.track(self.db, tracking_code)

    @rpc
    def get_aspiration(self, actor, aspiration_id):
        return aspirations.get(self.db, Actor.from_wire(actor), aspiration_id)

    @rpc
    def work_queue(self, actor, filters, limit=50, offset=0):
        return aspirations.work_queue(self.db, Actor.from_wire(actor), filters, limit, offset)

    @rpc
    def stats(self, actor, filters):
        return aspirations.stats(self.db, Actor.from_wire(actor), filters)

    @rpc
    def group_figures(self, actor, region, first, last):
        """This service's share of the evaluation's figures (issue 15)."""
        return figures.group_figures(self.db, Actor.from_wire(actor), region, first, last, self.settings.timezone)

    @rpc
    def transition(self, actor, aspiration_id, to, note=None, response=None):
        return aspirations.transition(self.db, Actor.from_wire(actor), aspiration_id, to, note, response,
                                      self._calendar(), self.settings)

    @rpc
    def open311_requests(self, codes=None, service_code=None, status=None, limit=50):
        return aspirations.open311_requests(self.db, codes, service_code, status, limit)

    # --- hoax clarification (issue 15) ------------------------------------------------------
    @rpc
    def report_hoax(self, actor, data):
        return hoaxes.report(self.db, Actor.from_wire(actor), data, self.settings.hoax_match_threshold)

    @rpc
    def list_hoax_cases(self, actor, filters, limit=50, offset=0):
        return hoaxes.list_cases(self.db, Actor.from_wire(actor), filters, limit, offset)

    @rpc
    def get_hoax_case(self, actor, case_id):
        return hoaxes.get_case(self.db, Actor.from_wire(actor), case_id)

    @rpc
    def label_hoax_case(self, actor, case_id, data):
        return hoaxes.label_case(self.db, Actor.from_wire(actor), case_id, data)

    @rpc
    def link_hoax_clarification(self, actor, case_id, broadcast_id):
        return hoaxes.link_clarification(self.db, Actor.from_wire(actor), case_id, broadcast_id)

    @rpc
    def move_hoax_report(self, actor, report_id, case_id=None):
        return hoaxes.move_report(self.db, Actor.from_wire(actor), report_id, case_id)

    @rpc
    def public_hoax_cases(self, q=None, limit=50, offset=0):
        return hoaxes.public_cases(self.db, q, limit, offset)

    @rpc
    def public_hoax_case(self, case_id):
        return hoaxes.public_case(self.db, case_id)

    # --- personal data (UU 27/2022) ---------------------------------------------------------
    @rpc
    def privacy_search(self, actor, identifier):
        return privacy.search(self.db, Actor.from_wire(actor), identifier)

    @event_handler("registry", "personal_data_erasure_requested")
    def on_personal_data_erasure_requested(self, envelope):
        request = read(envelope, PersonalDataErasureRequested)
        if claim_event(self.db, envelope):
            privacy.erase(self.db, request.erasure_id, request.records)

    @timer("retention_check_seconds")
    def erase_expired_contacts(self):
        privacy.erase_closed_contacts(self.db, utcnow(), self.settings.retention_contact_days)

    # --- deadlines ------------------------------------------------------------------------
    @timer("deadline_check_seconds")
    def check_deadlines(self):
        result = aspirations.check_deadlines(self.db, utcnow(), self._calendar(), self.settings)
        if result["overdue"] or result["closed"]:
            log.info("deadlines: %(overdue)d overdue, %(closed)d closed automatically", result)

    @timer("metrics_refresh_seconds")
    def refresh_gauges(self):
        for status, count in aspirations.count_by_status(self.db).items():
            metrics.ASPIRATIONS.labels(status).set(count)
        for regency, count in aspirations.overdue_by_regency(self.db).items():
            metrics.OVERDUE.labels(regency).set(count)
