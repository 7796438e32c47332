"""The broadcast service's entrypoints: its KIM directory from the registry's
events, broadcasts and inboxes by RPC, fan-out and webhook pushes by timer."""
import logging
import time

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.broadcast import broadcasts, directory, figures, metrics, webhooks
from services.broadcast.models import Broadcast, Delivery
from services.common.contracts import (
    AspirationResponded,
    ChannelAcknowledged,
    ChannelRelayReported,
    HoaxCaseLabelled,
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
    read,
)
from services.common.dependencies import wake_after_commit
from services.common.entrypoints import batch_event_handler, event_handler, rpc, timer, wake_timers
from services.common.errors import InvalidInput
from services.common.events import as_utc, claim_event, claim_events
from services.common.scope import Actor, require_office, require_region
from services.common.service import ServiceBase
from services.common.settings import SETTINGS_KEY

log = logging.getLogger(__name__)


def webhook_resolver(settings) -> webhooks.Resolver:
    if settings.webhook_test_hosts:
        return webhooks.hosts_file_resolver(settings.webhook_test_hosts)
    return webhooks.system_resolver


class PushSender(DependencyProvider):
    """Webhook pushes in flight, each in its own green thread that records its
    own outcome: one slow endpoint never holds another push, nor the timer
    that leases the next ones."""

    def setup(self):
        self.settings = self.container.config[SETTINGS_KEY]
        self.resolver = webhook_resolver(self.settings)
        self.pool = eventlet.GreenPool(self.settings.webhook_concurrency)

    def stop(self):
        self.pool.waitall()  # every push ends by its deadline

    def get_dependency(self, worker_ctx):
        return self

    def free(self) -> int:
        return self.pool.free()

    def send(self, jobs: list[dict], engine):
        for job in jobs:
            self.pool.spawn_n(self._push_and_record, job, engine)

    def _push_and_record(self, job: dict, engine):
        settings = self.settings
        started = time.perf_counter()
        ok, error = webhooks.push(job, allow_private=settings.webhook_allow_private,
                                  deadline_seconds=settings.webhook_timeout_seconds, resolver=self.resolver)
        metrics.WEBHOOK_DURATION.observe(time.perf_counter() - started)
        try:
            with Session(engine) as session, session.begin():
                state = webhooks.record_push(session, job["delivery_id"], ok, error,
                                             settings.webhook_max_attempts, settings.webhook_backoff_seconds)
        except Exception:
            # the lease runs out and the push is tried again
            log.exception("could not record the push of delivery %s", job["delivery_id"])
            return
        metrics.WEBHOOK_PUSHES.labels("ok" if ok else ("failed" if state == "failed" else "error")).inc()
        if state == "pending":  # tried again after its back-off: the timer learns when
            wake_timers(self.container, PUSHES)


# the timers' names for wake_after_commit: work committed for them is taken up at once
FANOUT, PUSHES = "fanout", "pushes"


class BroadcastService(ServiceBase):
    name = "broadcast"

    pushes = PushSender()

    # --- the KIM directory replica, from the registry's events, many at a time ----------
    @batch_event_handler("registry", "kim_registered")
    def on_kim_registered(self, envelopes):
        self._apply_records(envelopes, KimRegistered)

    @batch_event_handler("registry", "kim_updated")
    def on_kim_updated(self, envelopes):
        self._apply_records(envelopes, KimUpdated)

    @batch_event_handler("registry", "kim_snapshot")
    def on_kim_snapshot(self, envelopes):
        self._apply_records(envelopes, KimSnapshot)

    @batch_event_handler("registry", "kim_status_changed")
    def on_kim_status_changed(self, envelopes):
        changes = {envelope["id"]: read(envelope, KimStatusChanged) for envelope in envelopes}
        fresh = claim_events(self.db, envelopes)
        changed = directory.apply_statuses(self.db, [changes[envelope["id"]] for envelope in fresh])
        self._deliver_running(changed)

    def _apply_records(self, envelopes, contract):
        records = {envelope["id"]: read(envelope, contract) for envelope in envelopes}
        fresh = claim_events(self.db, envelopes)
        changed = directory.apply_records(self.db, [records[envelope["id"]] for envelope in fresh])
        if changed:
            log.info("directory: %d of %d %s events changed the replica", len(changed), len(envelopes),
                     envelopes[0]["type"])
        self._deliver_running(changed)

    def _deliver_running(self, kim_ids):
        if kim_ids:
            self.db.flush()
            created = broadcasts.deliver_running_broadcasts(self.db, kim_ids, self.settings.broadcast_open_days)
            metrics.DELIVERIES_CREATED.labels("broadcast").inc(created)
            if created:
                wake_after_commit(self.db, PUSHES)

    # --- answers to aspirations filed through a group -------------------------------
    @event_handler("aspirations", "aspiration_responded")
    def on_aspiration_responded(self, envelope):
        # the aspirations service says whether the group may see the answer (older events: it may)
        answer = read(envelope, AspirationResponded)
        if claim_event(self.db, envelope) and answer.kim_id and answer.answer_to_kim:
            if not broadcasts.deliver_answer(self.db, answer):
                raise directory.NotYetKnown(f"KIM {answer.kim_id} is not in the directory yet")
            metrics.DELIVERIES_CREATED.labels("aspiration_answer").inc()
            wake_after_commit(self.db, PUSHES)

    # --- the outcome of a hoax case, to the groups that reported it (issue 15) ----------
    @event_handler("aspirations", "hoax_case_labelled")
    def on_hoax_case_labelled(self, envelope):
        outcome = read(envelope, HoaxCaseLabelled)
        if claim_event(self.db, envelope):
            missing = broadcasts.deliver_hoax_outcome(self.db, outcome)
            if missing:
                raise directory.NotYetKnown(f"{len(missing)} reporting groups are not in the directory yet")
            metrics.DELIVERIES_CREATED.labels("hoax_outcome").inc(len(outcome.kim_ids))
            wake_after_commit(self.db, PUSHES)

    # --- replies on a group's channels (Telegram, WhatsApp, SMS) ------------------------
    @event_handler("channels", "channel_acknowledged")
    def on_channel_acknowledged(self, envelope):
        ack = read(envelope, ChannelAcknowledged)
        if claim_event(self.db, envelope):
            broadcasts.acknowledge(self.db, Actor("kim", kim_id=ack.kim_id), ack.kim_id, ack.delivery_id)

    @event_handler("channels", "channel_relay_reported")
    def on_channel_relay_reported(self, envelope):
        report = read(envelope, ChannelRelayReported)
        if not claim_event(self.db, envelope):
            return
        try:
            with self.db.begin_nested():  # a refused report leaves the claim standing
                broadcasts.relay(self.db, Actor("kim", kim_id=report.kim_id), report.kim_id, report.delivery_id,
                                 {"channel": report.channel, "reached": report.reached, "date": report.date})
        except InvalidInput as refused:
            # the report breaks a rule the channel's parser cannot know (the total per message):
            # the group's text is not repeated, only which rule
            log.warning("relay report on a channel refused: %s", refused.detail_en or "invalid")

    # --- offices ------------------------------------------------------------------
    @rpc
    def count_recipients(self, actor, target):
        caller = Actor.from_wire(actor)
        require_office(caller)
        for code in directory.check_target(target)["regions"]:
            require_region(caller, code)
        query = directory.recipients(target)
        return {"recipients": self.db.scalar(select(func.count()).select_from(query.subquery()))}

    @rpc
    def create_broadcast(self, actor, data):
        return broadcasts.create_broadcast(self.db, Actor.from_wire(actor), data)

    @rpc
    def publish(self, actor, broadcast_id):
        wake_after_commit(self.db, FANOUT)
        return broadcasts.publish(self.db, Actor.from_wire(actor), broadcast_id)

    @rpc
    def change_broadcast(self, actor, broadcast_id, changes):
        wake_after_commit(self.db, FANOUT, PUSHES)  # a new schedule, or update messages to push
        return broadcasts.change_broadcast(self.db, Actor.from_wire(actor), broadcast_id, changes)

    @rpc
    def withdraw(self, actor, broadcast_id):
        wake_after_commit(self.db, PUSHES)  # the groups are told
        return broadcasts.withdraw(self.db, Actor.from_wire(actor), broadcast_id)

    @rpc
    def list_broadcasts(self, actor, limit=50, offset=0):
        return broadcasts.list_broadcasts(self.db, Actor.from_wire(actor), limit, offset)

    @rpc
    def get_broadcast(self, actor, broadcast_id):
        return broadcasts.get_broadcast(self.db, Actor.from_wire(actor), broadcast_id)

    @rpc
    def list_deliveries(self, actor, broadcast_id, limit=50, offset=0):
        return broadcasts.list_deliveries(self.db, Actor.from_wire(actor), broadcast_id, limit, offset)

    @rpc
    def group_figures(self, actor, region, first, last):
        """This service's share of the evaluation's figures (issue 15)."""
        return figures.group_figures(self.db, Actor.from_wire(actor), region, first, last, self.settings.timezone)

    # --- the public: darurat broadcasts as CAP 1.2 alerts (issue 16) ---------------------
    @rpc
    def cap_alerts(self, limit=200):
        return broadcasts.current_alerts(self.db, self.settings.broadcast_open_days, limit)

    @rpc
    def cap_alert(self, broadcast_id, region_names=None):
        return {"xml": broadcasts.alert_xml(self.db, broadcast_id, self.settings.cap_sender,
                                            self.settings.broadcast_open_days, region_names)}

    # --- groups -----------------------------------------------------------------------
    @rpc
    def inbox(self, actor, kim_id, limit=50, offset=0):
        return broadcasts.inbox(self.db, Actor.from_wire(actor), kim_id, limit, offset)

    @rpc
    def mark_read(self, actor, kim_id, delivery_id):
        return broadcasts.mark_read(self.db, Actor.from_wire(actor), kim_id, delivery_id)

    @rpc
    def acknowledge(self, actor, kim_id, delivery_id):
        return broadcasts.acknowledge(self.db, Actor.from_wire(actor), kim_id, delivery_id)

    @rpc
    def relay(self, actor, kim_id, delivery_id, data):
        return broadcasts.relay(self.db, Actor.from_wire(actor), kim_id, delivery_id, data)

    @rpc
    def set_webhook(self, actor, kim_id, url):
        return webhooks.set_webhook(self.db, Actor.from_wire(actor), kim_id, url,
                                    self.settings.webhook_allow_private, self.pushes.resolver)

    # --- fan-out ------------------------------------------------------------------------
    @timer("fanout_check_seconds", wake_on=FANOUT)
    def fan_out(self):
        """Fan out every broadcast being published, one committed batch at a time; then wait
        until the next scheduled one is due (or a publication wakes it)."""
        while True:
            broadcast_id, created = broadcasts.fanout_step(self.db, self.settings.fanout_batch_size)
            self.db.commit()
            if broadcast_id is None:
                return broadcasts.next_scheduled_in(self.db)
            metrics.DELIVERIES_CREATED.labels("broadcast").inc(created)
            if created:
                wake_after_commit(self.db, PUSHES)
            done = self.db.get(Broadcast, broadcast_id)
            if done.status == "published":
                elapsed = (as_utc(done.fanout_done_at) - as_utc(done.published_at))
                metrics.FANOUT_DURATION.observe(elapsed.total_seconds())
                log.info("broadcast %s reached %d groups", broadcast_id, done.recipients)

    # --- webhook pushes -------------------------------------------------------------------
    @timer("webhook_check_seconds", wake_on=PUSHES)
    def push_webhooks(self):
        """Send the due pushes the free slots allow; then wait until the next one falls due."""
        free = self.pushes.free()
        if free:
            # the lease outlasts a push's deadline: nobody else sends these while we wait on the network
            lease = self.settings.webhook_timeout_seconds * 3
            jobs = webhooks.lease_due_pushes(self.db, min(free, 100), lease)
            self.db.commit()
            self.pushes.send(jobs, self.db.get_bind())
        return webhooks.next_push_in(self.db)

    @timer("deliveries_gauge_seconds")
    def count_deliveries(self):
        for state, count in self.db.execute(select(Delivery.push_state, func.count()).group_by(Delivery.push_state)):
            metrics.DELIVERIES.labels(f"push_{state}").set(count)
