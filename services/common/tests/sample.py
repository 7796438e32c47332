"""Two small services that exercise the plumbing the way real ones use it:
a producer writing state and events, consumers applying them once."""
import time

from sqlalchemy import Column, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import make_engine, plumbing_metadata
from services.common.dependencies import Database, wake_after_commit
from services.common.entrypoints import batch_event_handler, event_handler, rpc, timer
from services.common.errors import InvalidInput
from services.common.events import claim_event, claim_events, record_event
from services.common.service import ServiceBase
from services.common.settings import ServiceSettings


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    text: Mapped[str] = mapped_column(String(200))


effects_metadata = MetaData()
effects = Table("effects", effects_metadata,
                Column("event_id", String(36), primary_key=True),
                Column("note_id", String(36)))


def prepare(url: str):
    engine = make_engine(url)
    plumbing_metadata.create_all(engine)
    Base.metadata.create_all(engine)
    effects_metadata.create_all(engine)
    engine.dispose()


def config(url: str, amqp_uri: str, **overrides) -> dict:
    prepare(url)
    return ServiceSettings(database_url=url, amqp_uri=amqp_uri, outbox_poll_seconds=0.1,
                           **overrides).nameko_config()


class ProducerService(ServiceBase):
    name = "producer"

    @rpc
    def add_note(self, note_id, text, fail=False):
        self.db.add(Note(id=note_id, text=text))  # flushed at commit
        record_event(self.db, "note_added", {"id": note_id, "text": text})
        if fail:
            raise InvalidInput("refused on purpose")
        return note_id

    @rpc
    def sleep_in_database(self, seconds):
        from sqlalchemy import text
        self.db.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})


class ConsumerService(ServiceBase):
    name = "consumer"
    db = Database(relay=False)
    deliveries: list = []

    @event_handler("producer", "note_added")
    def on_note_added(self, envelope):
        ConsumerService.deliveries.append(envelope["id"])
        if not claim_event(self.db, envelope):
            return
        self.db.execute(insert(effects).values(event_id=envelope["id"], note_id=envelope["data"]["id"]))


class FlakyService(ServiceBase):
    name = "flaky"
    db = Database(relay=False)
    attempts: list = []
    healed = False

    @event_handler("producer", "note_added")
    def on_note_added(self, envelope):
        FlakyService.attempts.append(time.monotonic())
        if not FlakyService.healed:
            raise RuntimeError("downstream is broken")
        if claim_event(self.db, envelope):
            self.db.execute(insert(effects).values(event_id=envelope["id"], note_id=envelope["data"]["id"]))


class BatchService(ServiceBase):
    """Applies note_added events many at a time. A note named `poison` breaks
    its batch; one named `gate` holds its batch until the test opens the gate,
    so that what arrives meanwhile forms the next batch."""
    name = "batches"
    db = Database(relay=False)
    batches: list = []
    gate = None  # an eventlet Event the test sets

    @batch_event_handler("producer", "note_added")
    def on_note_added(self, envelopes):
        BatchService.batches.append([e["data"]["text"] for e in envelopes])
        if any(e["data"]["text"] == "gate" for e in envelopes) and BatchService.gate is not None:
            BatchService.gate.wait()
        fresh = claim_events(self.db, envelopes)
        if fresh:
            self.db.execute(insert(effects), [{"event_id": e["id"], "note_id": e["data"]["id"]} for e in fresh])
        if any(e["data"]["text"] == "poison" for e in envelopes):
            raise RuntimeError("a poison event")


class WakingService(ServiceBase):
    """A timer that waits to be told of its work (test_timers.py): it counts the notes it sees,
    and waits as long as `next_in[0]` says before it runs again on its own."""
    name = "waking"
    db = Database(relay=False)
    seen: list = []
    next_in: list = [None]

    @timer("retention_check_seconds", wake_on="notes")
    def take_up(self):
        WakingService.seen.append(self.db.scalar(select(func.count()).select_from(Note)))
        return WakingService.next_in[0]

    @rpc
    def add_note(self, note_id, fail=False):
        self.db.add(Note(id=note_id, text="bangun"))
        wake_after_commit(self.db, "notes")
        if fail:
            raise InvalidInput("refused on purpose")
