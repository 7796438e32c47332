"""The registry's events are their own contracts (services/common/contracts.py),
built by services/registry/events.py: what they carry does not follow the
HTTP API's view, and it holds what the consumers read (broadcast's and
aspirations' directories; their contract tests feed these builders' events
to their own handling)."""
import json
import random

from sqlalchemy import select

from services.common.contracts import (
    CONTRACTS,
    KimActivityReported,
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
    read,
)
from services.common.db import make_engine, outbox
from services.common.events import make_envelope
from services.registry import events, kims
from services.registry.models import Activity
from services.registry.seed import seed
from services.registry.tests.samples import sample_kim

# the fields of a whole record as the events have always carried them (the wire stays the same)
RECORD_FIELDS = ["id", "name", "village_code", "region_path", "address", "lat", "lon", "sk", "tags",
                 "classification", "status", "status_reason", "last_activity_on", "version", "created_at",
                 "updated_at"]
# what the consumers read of a record: broadcast's directory (all of these), aspirations' (id, village, status)
CONSUMED = {"id", "name", "village_code", "tags", "classification", "status", "version"}


def through_the_bus(payload):
    """The payload as a consumer receives it: the envelope's data, read with its contract."""
    return read(make_envelope("registry", payload.TYPE, payload.wire(), payload.VERSION), type(payload))


def test_a_record_event_carries_the_whole_group_without_contact_in_its_wire_form():
    kim = sample_kim()
    for payload in (events.kim_registered(kim), events.kim_updated(kim)):
        wire = payload.wire()
        assert list(wire) == RECORD_FIELDS
        assert wire == {
            "id": "KIM-14710110-AB12", "name": "KIM Maju Bersama", "village_code": "14.71.01.1002",
            "region_path": ["14", "14.71", "14.71.01", "14.71.01.1002"], "address": "Jl. Melati 1",
            "lat": 0.5071, "lon": 101.4478,
            "sk": {"number": "SK/12/2026", "date": "2026-01-05", "issuer": "Lurah Simpang Baru"},
            "tags": ["pemuda", "umkm"], "classification": "tumbuh", "status": "active",
            "status_reason": "registered", "last_activity_on": "2026-01-05", "version": 3,
            "created_at": "2026-01-05T08:00:00+00:00", "updated_at": "2026-02-01T09:30:00+00:00"}
        assert "contact" not in wire
        assert through_the_bus(payload) == payload
        assert set(wire) >= CONSUMED


def test_the_record_events_do_not_follow_the_public_view(monkeypatch):
    """Changing the HTTP answer changes no event."""
    kim = sample_kim()
    before = events.kim_registered(kim).wire()
    monkeypatch.setattr(kims, "public_view", lambda kim: {"renamed": kim.id})
    assert events.kim_registered(kim).wire() == events.kim_updated(kim).wire() == before


def test_the_public_view_and_the_record_agree_today():
    kim = sample_kim()
    assert events.kim_registered(kim).wire() == kims.public_view(kim)


def test_a_snapshot_event_is_the_record_with_its_place_in_the_snapshot():
    payload = events.kim_snapshot(sample_kim(), "S1", 2, 5)
    wire = payload.wire()
    assert list(wire) == RECORD_FIELDS + ["snapshot_id", "position", "total"]
    assert (wire["snapshot_id"], wire["position"], wire["total"]) == ("S1", 2, 5)
    assert isinstance(through_the_bus(payload), KimSnapshot)


def test_a_status_change_and_an_activity_carry_their_own_fields():
    kim = sample_kim(status="vakum", version=4)
    assert events.kim_status_changed(kim, "active", "vakum", "no activity").wire() == {
        "kim_id": kim.id, "old": "active", "new": "vakum", "reason": "no activity",
        "village_code": "14.71.01.1002", "version": 4}
    activity = Activity(id="A1", kim_id=kim.id, date=sample_kim().last_activity_on, title="Rapat",
                        kind="rapat", participants=12)
    assert events.kim_activity_reported(kim, activity).wire() == {
        "kim_id": kim.id, "activity_id": "A1", "date": "2026-01-05", "kind": "rapat", "participants": 12,
        "village_code": "14.71.01.1002"}


def test_every_registry_event_has_one_contract_of_version_1():
    for contract in (KimRegistered, KimUpdated, KimSnapshot, KimStatusChanged, KimActivityReported):
        assert CONTRACTS[contract.TYPE] is contract and contract.VERSION == 1


def test_seeded_groups_and_a_snapshot_record_events_that_read_as_their_contracts(session, registry_url):
    """The bulk producers (seed, snapshot) build their events with the same builders."""
    engine = make_engine(registry_url)
    assert seed(engine, 3, random.Random(1)) == 3
    engine.dispose()
    with session.begin():
        kims.emit_snapshot(session)
    stored = [json.loads(e) for e in session.scalars(select(outbox.c.envelope).order_by(outbox.c.id))]
    assert [e["type"] for e in stored] == ["kim_registered"] * 3 + ["kim_snapshot"] * 3
    for envelope in stored:
        record = read(envelope, CONTRACTS[envelope["type"]])
        assert list(envelope["data"])[:len(RECORD_FIELDS)] == RECORD_FIELDS
        assert record.sk.issuer == "Kepala Desa" and record.region_path[-1] == record.village_code
