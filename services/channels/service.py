"""The channels service's entrypoints: deliveries from the broadcast service's events become
messages, a timer sends them through each provider, replies and provider reports come in on the
durable queue `channels.inbound` (filled by the gateway, also while this service is down), and the
gateway manages a group's channels by RPC."""
import logging

import eventlet
from nameko.extensions import DependencyProvider

from services.channels import dispatch, forward, inbound, metrics, outbound, privacy, readers, stats, subscriptions
from services.channels.providers import off_reason
from services.common.bus import ConfirmedPublisher
from services.common.contracts import DeliveriesCreated, PersonalDataErasureRequested, read
from services.common.entrypoints import batch_event_handler, command_consumer, event_handler, rpc, timer
from services.common.errors import NotFound
from services.common.events import claim_event, claim_events
from services.common.scope import Actor
from services.common.service import ServiceBase
from services.common.settings import SETTINGS_KEY
from services.common.vocabulary import CHANNEL_KINDS

log = logging.getLogger(__name__)

INBOUND_QUEUE = "channels.inbound"


class Senders(DependencyProvider):
    """The sending of every kind that is on, in this process (services/channels/dispatch.py), and
    the publisher that forwards aspirations to the intake queue."""

    def setup(self):
        self.settings = self.container.config[SETTINGS_KEY]
        self.kinds = {kind: dispatch.KindSender(kind, self.settings)
                      for kind in CHANNEL_KINDS if off_reason(kind, self.settings) is None}
        self.publisher = ConfirmedPublisher(self.settings.amqp_uri)

    def stop(self):
        for sender in self.kinds.values():
            sender.stop()
        self.publisher.close()

    def kill(self):
        for sender in self.kinds.values():
            sender.release()

    def get_dependency(self, worker_ctx):
        return self

    def send_unstored(self, reply: inbound.Unstored):
        """An answer to a sender we do not know, sent in a green thread of its own and kept nowhere."""
        sender = self.kinds.get(reply.kind)
        if sender is not None:
            eventlet.spawn_n(sender.send_unstored, reply.address, reply.text)


class ChannelsService(ServiceBase):
    name = "channels"

    senders = Senders()

    # --- deliveries become messages ------------------------------------------------------
    @batch_event_handler("broadcast", "deliveries_created")
    def on_deliveries_created(self, envelopes):
        items = {envelope["id"]: read(envelope, DeliveriesCreated) for envelope in envelopes}
        fresh = claim_events(self.db, envelopes)
        queued = outbound.take(self.db, [items[envelope["id"]] for envelope in fresh])
        if queued:
            log.info("%d messages queued for channels", queued)

    # --- what comes back -------------------------------------------------------------------
    @command_consumer(INBOUND_QUEUE)
    def receive(self, received):
        for item in readers.read(received, self.settings):
            metrics.INBOUND.labels(item.kind, type(item).__name__.lower()).inc()
            unstored = inbound.handle(self.db, item)
            if unstored is not None:
                self.db.commit()  # nothing of it is kept; the answer goes once the rest is committed
                self.senders.send_unstored(unstored)

    # --- sending ---------------------------------------------------------------------------
    @timer("dispatch_seconds")
    def dispatch(self):
        engine = self.db.get_bind()
        for sender in self.senders.kinds.values():
            sender.round(engine)
        if forward.forward(self.db, self.senders.publisher, self.settings.queue_type):
            self.db.commit()

    @timer("channel_gauges_seconds")
    def refresh_gauges(self):
        for kind, count in dispatch.queue_depths(self.db).items():
            metrics.QUEUED.labels(kind).set(count)
        for kind, count in dispatch.failing_channels(self.db).items():
            metrics.FAILING.labels(kind).set(count)

    # --- a group's channels (the gateway has checked the caller may manage the group) -------
    @rpc
    def create_channel(self, kim_id, village_code, data, created_by):
        data = dict(data)
        consent_version = data.pop("consent_version", None)  # the notice the form showed, not the channel's
        return subscriptions.create(self.db, kim_id, village_code, data.get("kind"), data.get("address"),
                                    created_by, self.settings, consent_version)

    @rpc
    def list_channels(self, kim_id):
        items = subscriptions.list_for(self.db, kim_id, self.settings)
        return {"items": items, "total": len(items)}

    @rpc
    def change_channel(self, kim_id, channel_id, state):
        return subscriptions.change(self.db, kim_id, channel_id, state, self.settings)

    @rpc
    def remove_channel(self, kim_id, channel_id):
        subscriptions.remove(self.db, kim_id, channel_id)

    @rpc
    def confirm_email(self, code):
        try:
            channel = subscriptions.link(self.db, "email", None, code)
        except subscriptions.LinkRefused:
            raise NotFound("Tautan konfirmasi tidak berlaku lagi.", detail_en="The link is no longer valid.") from None
        return {"kim_id": channel.kim_id, "state": channel.state}

    @rpc
    def unsubscribe(self, token):
        return subscriptions.unsubscribe(self.db, token)

    # --- personal data (UU 27/2022) ---------------------------------------------------------
    @rpc
    def privacy_search(self, actor, identifier):
        return privacy.search(self.db, Actor.from_wire(actor), identifier)

    @event_handler("registry", "personal_data_erasure_requested")
    def on_personal_data_erasure_requested(self, envelope):
        request = read(envelope, PersonalDataErasureRequested)
        if claim_event(self.db, envelope):
            privacy.erase(self.db, request.erasure_id, request.records)

    @rpc
    def broadcast_figures(self, broadcast_id, region_length=None):
        return stats.by_channel(self.db, broadcast_id, region_length)

    @rpc
    def providers(self):
        """Each kind: on, or off and why (the console and /readyz show it)."""
        return {kind: {"on": (why := off_reason(kind, self.settings)) is None, "reason": why}
                for kind in CHANNEL_KINDS}

