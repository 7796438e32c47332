"""The registry service's entrypoints. Thin: the logic is in regions.py,
kims/ and coverage.py. Every call that acts for someone takes `actor`
(role, scope_region, kim_id, key_id) as the gateway authenticated it."""
import logging
import time

from services.common.contracts import PersonalDataErased, read
from services.common.dependencies import wake_after_commit
from services.common.entrypoints import event_handler, rpc, timer
from services.common.events import claim_event, utcnow
from services.common.scope import Actor, require_region
from services.common.service import ServiceBase
from services.registry import coverage, evaluation, kims, metrics, posts, privacy, regions, regions_update

log = logging.getLogger(__name__)

IMPORTS = "imports"  # the import timer's name for wake_after_commit


class RegistryService(ServiceBase):
    name = "registry"

    # --- regions ---------------------------------------------------------------
    @rpc
    def get_region(self, code):
        return regions.get_region(self.db, code)

    @rpc
    def list_regions(self, parent=None, limit=50, offset=0):
        return regions.list_children(self.db, parent, limit, offset)

    @rpc
    def search_regions(self, q, level=None, limit=50, offset=0):
        return regions.search(self.db, q, level, limit, offset)

    @rpc
    def list_reassignments(self, actor):
        return regions_update.list_reassignments(self.db, Actor.from_wire(actor))

    # --- groups -----------------------------------------------------------------
    @rpc
    def register_kim(self, actor, data):
        return kims.register_kim(self.db, Actor.from_wire(actor), data, timezone=self.settings.timezone)

    @rpc
    def get_kim(self, actor, kim_id, public=False):
        return kims.get_kim(self.db, Actor.from_wire(actor), kim_id, public)

    @rpc
    def villages_of(self, kim_ids):
        return kims.villages_of(self.db, kim_ids)

    @rpc
    def list_kims(self, actor, filters, public=False, limit=50, offset=0):
        return kims.list_kims(self.db, Actor.from_wire(actor), public=public, limit=limit, offset=offset, **filters)

    @rpc
    def update_kim(self, actor, kim_id, changes, expected_version=None):
        return kims.update_kim(self.db, Actor.from_wire(actor), kim_id, changes, expected_version,
                              timezone=self.settings.timezone)

    @rpc
    def change_status(self, actor, kim_id, status, reason):
        return kims.change_status(self.db, Actor.from_wire(actor), kim_id, status, reason)

    @rpc
    def status_history(self, actor, kim_id):
        return kims.status_history(self.db, Actor.from_wire(actor), kim_id)

    @rpc
    def add_member(self, actor, kim_id, data):
        return kims.add_member(self.db, Actor.from_wire(actor), kim_id, data)

    @rpc
    def list_members(self, actor, kim_id):
        return kims.list_members(self.db, Actor.from_wire(actor), kim_id)

    @rpc
    def remove_member(self, actor, kim_id, member_id):
        kims.remove_member(self.db, Actor.from_wire(actor), kim_id, member_id)

    @rpc
    def report_activity(self, actor, kim_id, data):
        return kims.report_activity(self.db, Actor.from_wire(actor), kim_id, data,
                                    timezone=self.settings.timezone)

    @rpc
    def list_activities(self, actor, kim_id, limit=50, offset=0):
        return kims.list_activities(self.db, Actor.from_wire(actor), kim_id, limit, offset)

    @rpc
    def list_tags(self):
        return kims.list_tags(self.db)

    @rpc
    def add_tag(self, actor, data):
        return kims.add_tag(self.db, Actor.from_wire(actor), data)

    # --- bulk import ------------------------------------------------------------------
    @rpc
    def start_import(self, actor, file_sha256, file_name, rows_total):
        return kims.start_import(self.db, Actor.from_wire(actor), file_sha256, file_name, rows_total)

    @rpc
    def find_import(self, actor, file_sha256):
        return kims.find_import(self.db, Actor.from_wire(actor), file_sha256)

    @rpc
    def add_import_rows(self, actor, job_id, rows):
        wake_after_commit(self.db, IMPORTS)  # the last rows queue the job: the import starts at once
        return kims.add_import_rows(self.db, Actor.from_wire(actor), job_id, rows)

    @rpc
    def get_import(self, actor, job_id):
        return kims.get_import(self.db, Actor.from_wire(actor), job_id)

    @rpc
    def import_report(self, actor, job_id, limit=1000, offset=0):
        return kims.import_report(self.db, Actor.from_wire(actor), job_id, limit, offset)

    @timer("import_check_seconds", wake_on=IMPORTS)
    def import_groups(self):
        """Import the queued jobs' rows, one committed batch at a time."""
        settings = self.settings
        while True:
            job_id, outcomes = kims.import_step(self.db, settings.import_batch_size, settings.timezone)
            self.db.commit()
            if job_id is None:
                return
            for outcome, count in outcomes.items():
                metrics.IMPORT_ROWS.labels(outcome).inc(count)
            # between batches the other workers run (green under the services' monkey patch): a
            # batch on SQLite never yields by itself, and the RPCs (the job's progress) would wait
            time.sleep(0)

    # --- coverage and snapshot -----------------------------------------------------
    @rpc
    def get_coverage(self, actor, code, public=False):
        if not public:
            require_region(Actor.from_wire(actor), code)
        return coverage.get_coverage(self.db, code, public)

    @rpc
    def emit_snapshot(self):
        return kims.emit_snapshot(self.db)

    # --- evaluation (issue 15) ---------------------------------------------------------
    @rpc
    def evaluate(self, actor, region, first, last, shares):
        """The evaluation report; `shares`: the other services' `group_figures` answers."""
        settings = self.settings
        return evaluation.evaluate(self.db, Actor.from_wire(actor), region, first, last, shares,
                                   today=kims.today(settings.timezone), vakum_after_days=settings.vakum_after_days,
                                   timezone=settings.timezone)

    @rpc
    def evaluation_criteria(self, actor, region):
        return evaluation.criteria_of(self.db, Actor.from_wire(actor), region)

    @rpc
    def set_evaluation_criteria(self, actor, region, criteria):
        return evaluation.set_criteria(self.db, Actor.from_wire(actor), region, criteria)

    # --- life -----------------------------------------------------------------------
    @timer("vakum_check_seconds")
    def mark_dormant_groups(self):
        settings = self.settings
        today = kims.today(settings.timezone)
        dormant = kims.mark_dormant(self.db, today, settings.vakum_after_days)
        metrics.set_dormancy_risk(evaluation.dormancy_risk_by_regency(self.db, today, settings.vakum_after_days))
        if dormant:
            log.info("%d groups became vakum after %d days without activity", len(dormant),
                     settings.vakum_after_days)

    # --- posts (issue 15) -------------------------------------------------------------
    @rpc
    def write_post(self, actor, kim_id, data):
        return posts.write_post(self.db, Actor.from_wire(actor), kim_id, data, timezone=self.settings.timezone)

    @rpc
    def list_group_posts(self, actor, kim_id, limit=50, offset=0):
        return posts.list_group_posts(self.db, Actor.from_wire(actor), kim_id, limit, offset)

    @rpc
    def get_post(self, actor, post_id, public=False):
        return posts.get_post(self.db, Actor.from_wire(actor), post_id, public)

    @rpc
    def public_posts(self, region=None, kim_id=None, limit=50, offset=0):
        return posts.public_posts(self.db, region, kim_id, limit, offset)

    @rpc
    def list_post_review(self, actor, region=None, status="in_review", limit=50, offset=0):
        return posts.list_review(self.db, Actor.from_wire(actor), region, status, limit, offset)

    @rpc
    def approve_post(self, actor, post_id):
        return posts.approve_post(self.db, Actor.from_wire(actor), post_id, timezone=self.settings.timezone)

    @rpc
    def reject_post(self, actor, post_id, reason):
        return posts.reject_post(self.db, Actor.from_wire(actor), post_id, reason)

    @rpc
    def take_down_post(self, actor, post_id, reason):
        return posts.take_down_post(self.db, Actor.from_wire(actor), post_id, reason)

    @rpc
    def get_post_review(self, actor, regency_code):
        return posts.get_review(self.db, Actor.from_wire(actor), regency_code)

    @rpc
    def set_post_review(self, actor, regency_code, required):
        return posts.set_review(self.db, Actor.from_wire(actor), regency_code, required)

    # --- personal data (issue 16, UU 27/2022) -------------------------------------------
    @rpc
    def privacy_search(self, actor, identifier):
        return privacy.search(self.db, Actor.from_wire(actor), identifier)

    @rpc
    def request_erasure(self, actor, data):
        return privacy.request_erasure(self.db, Actor.from_wire(actor), data)

    @rpc
    def get_erasure(self, actor, erasure_id):
        return privacy.get_erasure(self.db, Actor.from_wire(actor), erasure_id)

    @rpc
    def list_erasures(self, actor, limit=50, offset=0):
        return privacy.list_erasures(self.db, Actor.from_wire(actor), limit, offset)

    @event_handler("aspirations", "personal_data_erased")
    def on_aspirations_erased(self, envelope):
        erased = read(envelope, PersonalDataErased)
        if claim_event(self.db, envelope):
            privacy.erasure_done(self.db, erased.erasure_id, "aspirations")

    @event_handler("channels", "personal_data_erased")
    def on_channels_erased(self, envelope):
        erased = read(envelope, PersonalDataErased)
        if claim_event(self.db, envelope):
            privacy.erasure_done(self.db, erased.erasure_id, "channels")

    @timer("retention_check_seconds")
    def erase_removed_members(self):
        """Erase the name and phone of members removed longer ago than the retention period."""
        days = self.settings.retention_member_days
        erased = privacy.erase_removed_members(self.db, utcnow(), days)
        if erased:
            log.info("erased the name and phone of %d members removed more than %d days ago", erased, days)
