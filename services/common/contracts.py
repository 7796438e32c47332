"""The event contracts: one typed payload per event type, the `data` of its
envelope, with the envelope `version` it is.

Producers build them (`registry/events.py`, `broadcast/events.py`,
`aspirations/events.py`), consumers read them with `read`, so an event is
its own contract and not a view of the HTTP API: changing an answer of the
API changes no event, and a field a consumer reads that the producer no
longer sends fails a test in both services (and the handler, loudly, at run
time). Fields may be added freely (a consumer ignores what it does not read);
removing one or changing its meaning is a new `VERSION`.
"""
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError


class Contract(BaseModel):
    """The `data` of one event type."""
    model_config = ConfigDict(extra="ignore", frozen=True)

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1

    def wire(self) -> dict:
        """The `data` as it travels: JSON values, the fields in their order."""
        return self.model_dump(mode="json")


C = TypeVar("C", bound=Contract)


class BrokenContract(ValueError):
    """An event this consumer cannot read: another version, or data that are
    not its contract. The message names fields, never their values (which may
    be personal), since it reaches logs and dead letters."""


def read(envelope: dict, contract: type[C]) -> C:
    """The envelope's `data` as `contract`; a missing field or another
    version raises, so the event is retried and then dead-lettered."""
    if envelope.get("version", 1) != contract.VERSION:
        raise BrokenContract(f"{envelope.get('type')} version {envelope.get('version')} "
                             f"is not version {contract.VERSION}")
    try:
        return contract.model_validate(envelope.get("data"))
    except ValidationError as error:
        problems = ", ".join(f"{'.'.join(map(str, e['loc'])) or 'data'}: {e['type']}" for e in error.errors())
        raise BrokenContract(f"{envelope.get('type')} is not a {contract.__name__}: {problems}") from None


# --- registry ---------------------------------------------------------------------

class Decree(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    number: str
    date: str  # YYYY-MM-DD
    issuer: str


class KimRecord(Contract):
    """A whole group as replicas keep it: no contact, no members."""
    id: str
    name: str
    village_code: str
    region_path: list[str]  # codes from province to village
    address: str | None
    lat: float | None
    lon: float | None
    sk: Decree
    tags: list[str]
    classification: str
    status: str
    status_reason: str | None
    last_activity_on: str  # YYYY-MM-DD
    version: int
    created_at: str  # ISO 8601
    updated_at: str


class KimRegistered(KimRecord):
    TYPE = "kim_registered"


class KimUpdated(KimRecord):
    TYPE = "kim_updated"


class KimSnapshot(KimRecord):
    TYPE = "kim_snapshot"

    snapshot_id: str
    position: int  # 1-based
    total: int


class KimStatusChanged(Contract):
    TYPE = "kim_status_changed"

    kim_id: str
    old: str
    new: str
    reason: str
    village_code: str
    version: int  # the group's version after the change


class KimActivityReported(Contract):
    TYPE = "kim_activity_reported"

    kim_id: str
    activity_id: str
    date: str  # YYYY-MM-DD
    kind: str
    participants: int
    village_code: str



class KimPostPublished(Contract):
    """Issue 15: a group's post was published (at once, or approved by its office); it counts as
    the group's activity (its `last_activity_on` moved, a vakum group revived in the same transaction)."""
    TYPE = "kim_post_published"

    kim_id: str
    post_id: str
    kind: str
    date: str  # YYYY-MM-DD, the post's date
    village_code: str
    published_at: str


# --- broadcast --------------------------------------------------------------------

class BroadcastPublished(Contract):
    TYPE = "broadcast_published"

    broadcast_id: str
    recipients: int
    target: dict  # {regions, tags, classifications, include_vakum}, as the office wrote it
    category: str
    priority: str


class DeliveryAcknowledged(Contract):
    TYPE = "delivery_acknowledged"

    broadcast_id: str | None
    kim_id: str
    delivery_id: int


class DeliveryRelayed(Contract):
    TYPE = "delivery_relayed"

    broadcast_id: str | None
    kim_id: str
    delivery_id: int
    reached: int
    channel: str
    date: str  # YYYY-MM-DD


class DeliveredMessage(BaseModel):
    """What a delivery says, for the channels that carry it out of the inbox."""
    model_config = ConfigDict(extra="ignore", frozen=True)

    title: str
    body: str
    category: str  # a broadcast category, or `jawaban_aspirasi`; a hoax case's outcome: `klarifikasi`
    priority: str
    tracking_code: str | None = None  # an aspiration's answer: the code it answers


class CreatedDelivery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    delivery_id: int
    kim_id: str
    village_code: str


class DeliveriesCreated(Contract):
    """Deliveries that have just reached their groups' inboxes: one event per fan-out batch (all of one
    broadcast), or one answer to an aspiration."""
    TYPE = "deliveries_created"

    broadcast_id: str | None
    kind: str  # broadcast, aspiration_answer, hoax_outcome, withdrawal, update (issue 16)
    message: DeliveredMessage
    deliveries: list[CreatedDelivery]


# --- channels ---------------------------------------------------------------------

class ChannelAcknowledged(Contract):
    """A group acknowledged a delivery by a reply on one of its channels."""
    TYPE = "channel_acknowledged"

    delivery_id: int
    kim_id: str
    channel: str  # the channel's kind


class ChannelRelayReported(Contract):
    """A group reported on one of its channels that it passed a delivery on (`SEBAR 120`)."""
    TYPE = "channel_relay_reported"

    delivery_id: int
    kim_id: str
    reached: int
    channel: str  # how it was passed on: the word the group wrote, else the channel's kind
    date: str  # YYYY-MM-DD


# --- aspirations ------------------------------------------------------------------

class AspirationSubmitted(Contract):
    """Never the submitter or the text."""
    TYPE = "aspiration_submitted"

    aspiration_id: str
    tracking_code: str
    village_code: str
    kim_id: str | None
    category: str
    kind: str


class AspirationStatusChanged(Contract):
    TYPE = "aspiration_status_changed"

    aspiration_id: str
    old: str
    new: str


class AspirationResponded(Contract):
    TYPE = "aspiration_responded"

    aspiration_id: str
    tracking_code: str
    kim_id: str | None
    response: str | None
    answer_to_kim: bool = True  # absent in older events: the group may see it


class AspirationOverdue(Contract):
    TYPE = "aspiration_overdue"

    aspiration_id: str
    status: str
    due_at: str  # ISO 8601
    regency_code: str
    escalated_to: str  # the province code


# --- aspirations: hoax clarification (issue 15) -------------------------------------

class HoaxCaseLabelled(Contract):
    """The office labelled a reported claim: the outcome goes to the inbox of
    each group that reported it. Never a report's words nor who reported it
    beyond the groups' ids."""
    TYPE = "hoax_case_labelled"

    case_id: str
    label: str  # HOAX_LABELS
    title: str  # the office's headline of the claim
    explanation: str
    sources: list[str]
    kim_ids: list[str]  # the groups that reported it, sorted


CONTRACTS: dict[str, type[Contract]] = {c.TYPE: c for c in (
    KimRegistered, KimUpdated, KimSnapshot, KimStatusChanged, KimActivityReported,
    BroadcastPublished, DeliveryAcknowledged, DeliveryRelayed, DeliveriesCreated,
    ChannelAcknowledged, ChannelRelayReported,
    AspirationSubmitted, AspirationStatusChanged, AspirationResponded, AspirationOverdue,
    KimPostPublished,  # issue 15, posts
    HoaxCaseLabelled)}


# --- personal data (issue 16, UU 27/2022) -------------------------------------------

class HeldRecord(BaseModel):
    """One record that holds personal data, by reference only: a service's name, a kind, an id."""
    model_config = ConfigDict(extra="ignore", frozen=True)

    service: str  # registry, aspirations, channels
    kind: str  # member, kim_contact, aspiration, channel, ...
    id: str


class PersonalDataErasureRequested(Contract):
    """An office erases what the platform holds about a person (the registry records the request).
    The records by reference: never the phone, e-mail or name that found them, nor the reason."""
    TYPE = "personal_data_erasure_requested"

    erasure_id: str
    records: list[HeldRecord]


class PersonalDataErased(Contract):
    """A service erased its share of an erasure request (or of its retention timer: erasure_id None)."""
    TYPE = "personal_data_erased"

    erasure_id: str | None
    service: str
    records: int


CONTRACTS.update({c.TYPE: c for c in (PersonalDataErasureRequested, PersonalDataErased)})  # issue 16
