"""Contract tests: the registry's events, built by the registry's own
builders (registry/events.py) from sample model objects, through the
envelope, read with their contracts and applied by the aspirations
service's directory on a real database; and the aspirations service's own
events against what their consumers read."""
from pathlib import Path

import pytest

from services.aspirations import directory, events
from services.aspirations.models import DirectoryKim
from services.aspirations.tests.samples import sample_aspiration
from services.common.contracts import (
    AspirationOverdue,
    AspirationResponded,
    AspirationStatusChanged,
    AspirationSubmitted,
    KimRegistered,
    KimSnapshot,
    KimStatusChanged,
    KimUpdated,
    read,
)
from services.common.events import make_envelope
from services.common.testing import migrated_session, received
from services.registry import events as registry_events
from services.registry.tests.samples import sample_kim

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


@pytest.fixture
def session(databases):
    with migrated_session(databases, "aspirations", MIGRATIONS) as session:
        yield session


def replica(session, kim_id):
    kim = session.get(DirectoryKim, kim_id)
    return kim.village_code, kim.status, kim.version


def test_the_registrys_events_build_the_aspirations_directory(session):
    kim = sample_kim(version=1)
    assert directory.apply_record(session, received("registry", registry_events.kim_registered(kim), KimRegistered))
    assert replica(session, kim.id) == ("14.71.01.1002", "active", 1)
    moved = sample_kim(village_code="14.72.01.1003", version=2)
    assert directory.apply_record(session, received("registry", registry_events.kim_updated(moved), KimUpdated))
    assert replica(session, kim.id) == ("14.72.01.1003", "active", 2)
    dissolved = sample_kim(village_code="14.72.01.1003", status="dissolved", version=3)
    change = registry_events.kim_status_changed(dissolved, "active", "dissolved", "bubar")
    assert directory.apply_status(session, received("registry", change, KimStatusChanged))
    assert replica(session, kim.id) == ("14.72.01.1003", "dissolved", 3)
    old = registry_events.kim_snapshot(sample_kim(version=2), "S1", 1, 1)
    assert not directory.apply_record(session, received("registry", old, KimSnapshot))  # older: changes nothing
    assert replica(session, kim.id) == ("14.72.01.1003", "dissolved", 3)


def test_a_status_change_may_arrive_before_the_registration(session):
    change = registry_events.kim_status_changed(sample_kim(status="vakum", version=2), "active", "vakum", "x")
    assert directory.apply_status(session, received("registry", change, KimStatusChanged))
    late = registry_events.kim_registered(sample_kim(version=1))
    assert not directory.apply_record(session, received("registry", late, KimRegistered))
    assert replica(session, "KIM-14710110-AB12") == ("14.71.01.1002", "vakum", 2)


def test_the_aspirations_events_carry_their_fields_and_no_submitter():
    a = sample_aspiration()
    submitted = events.aspiration_submitted(a.id, a.tracking_code, a.village_code, None, "jalan_rusak", "pengaduan")
    assert submitted.wire() == {"aspiration_id": "A-1", "tracking_code": "K7QX2M9PRT",
                                "village_code": "14.71.01.1002", "kim_id": None, "category": "jalan_rusak",
                                "kind": "pengaduan"}
    assert events.aspiration_status_changed(a, "verified", "forwarded").wire() == {
        "aspiration_id": "A-1", "old": "verified", "new": "forwarded"}
    answer = events.aspiration_responded(a, "Sudah diperbaiki.", False)
    # broadcast's on_aspiration_responded reads kim_id, answer_to_kim and the message fields
    assert answer.wire() == {"aspiration_id": "A-1", "tracking_code": "K7QX2M9PRT", "kim_id": "KIM-14710110-AB12",
                             "response": "Sudah diperbaiki.", "answer_to_kim": False}
    assert events.aspiration_overdue(a).wire() == {
        "aspiration_id": "A-1", "status": "forwarded", "due_at": "2026-03-02T10:00:00+00:00",
        "regency_code": "14.71", "escalated_to": "14"}
    for payload, contract in ((submitted, AspirationSubmitted), (answer, AspirationResponded),
                              (events.aspiration_overdue(a), AspirationOverdue),
                              (events.aspiration_status_changed(a, "verified", "forwarded"), AspirationStatusChanged)):
        assert received("aspirations", payload, contract) == payload


def test_an_older_answer_event_without_answer_to_kim_still_reaches_the_group():
    wire = events.aspiration_responded(sample_aspiration(), "Ya.", True).wire()
    del wire["answer_to_kim"]
    assert read(make_envelope("aspirations", "aspiration_responded", wire), AspirationResponded).answer_to_kim


def test_a_batch_applies_each_groups_newest_version_whatever_their_order(session):
    def record(kim_id, version, village="14.71.01.1002"):
        kim = sample_kim(id=kim_id, version=version, village_code=village)
        return received("registry", registry_events.kim_updated(kim), KimUpdated)

    assert directory.apply_records(session, [record("K1", 3), record("K2", 1), record("K1", 2, "14.72.01.1003"),
                                             record("K2", 1)]) == ["K1", "K2"]
    assert replica(session, "K1") == ("14.71.01.1002", "active", 3)
    assert directory.apply_records(session, [record("K1", 2, "14.72.01.1003")]) == []
    status = [received("registry", registry_events.kim_status_changed(sample_kim(id="K1", status="vakum", version=v),
                                                                       "active", "vakum", "x"), KimStatusChanged)
              for v in (4, 5, 3)]
    assert directory.apply_statuses(session, status) == ["K1"]
    assert replica(session, "K1") == ("14.71.01.1002", "vakum", 5)
