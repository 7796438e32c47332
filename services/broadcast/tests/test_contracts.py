"""Contract tests: the events broadcast consumes, built by their producers'
own builders (registry/events.py, aspirations/events.py) from sample model
objects, through the envelope, read with their contracts and applied by
broadcast's own handling, on a real database. A producer change that breaks
what broadcast reads fails here (and in the producer's tests)."""
from pathlib import Path

import pytest
from sqlalchemy import select

from services.aspirations import events as aspiration_events
from services.aspirations.tests.samples import sample_aspiration
from services.broadcast import broadcasts, directory
from services.broadcast.models import Delivery, DirectoryKim
from services.common.contracts import (
    AspirationResponded,
    BrokenContract,
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
    with migrated_session(databases, "broadcast", MIGRATIONS) as session:
        yield session


def replica(session, kim_id):
    kim = session.get(DirectoryKim, kim_id)
    return (kim.name, kim.village_code, kim.regency_code, kim.classification, kim.status, kim.version,
            sorted(t.tag for t in kim.tags))


def test_the_registrys_record_events_build_broadcasts_directory(session):
    kim = sample_kim(version=1)
    assert directory.apply_record(session, received("registry", registry_events.kim_registered(kim), KimRegistered))
    assert replica(session, kim.id) == ("KIM Maju Bersama", "14.71.01.1002", "14.71", "tumbuh", "active", 1,
                                        ["pemuda", "umkm"])
    moved = sample_kim(village_code="14.72.01.1003", classification="maju", tags=["umkm"], version=2)
    assert directory.apply_record(session, received("registry", registry_events.kim_updated(moved), KimUpdated))
    assert replica(session, kim.id) == ("KIM Maju Bersama", "14.72.01.1003", "14.72", "maju", "active", 2, ["umkm"])
    snapshot = registry_events.kim_snapshot(sample_kim(version=2), "S1", 1, 1)
    assert not directory.apply_record(session, received("registry", snapshot, KimSnapshot))  # not newer


def test_the_registrys_status_change_updates_broadcasts_directory(session):
    kim = sample_kim(version=1)
    directory.apply_record(session, received("registry", registry_events.kim_registered(kim), KimRegistered))
    dormant = sample_kim(status="vakum", version=2)
    change = registry_events.kim_status_changed(dormant, "active", "vakum", "no activity")
    assert directory.apply_status(session, received("registry", change, KimStatusChanged))
    assert replica(session, kim.id)[4:6] == ("vakum", 2)


def test_the_aspirations_answer_lands_in_the_groups_inbox(session):
    kim = sample_kim(version=1)
    directory.apply_record(session, received("registry", registry_events.kim_registered(kim), KimRegistered))
    answer = aspiration_events.aspiration_responded(sample_aspiration(kim_id=kim.id), "Sudah diperbaiki.", True)
    read_answer = received("aspirations", answer, AspirationResponded)
    assert read_answer.kim_id == kim.id and read_answer.answer_to_kim
    assert broadcasts.deliver_answer(session, read_answer)
    session.flush()
    delivery = session.scalars(select(Delivery).where(Delivery.kim_id == kim.id)).one()
    assert (delivery.kind, delivery.message) == ("aspiration_answer", {
        "aspiration_id": "A-1", "tracking_code": "K7QX2M9PRT", "response": "Sudah diperbaiki."})


def test_an_event_missing_a_field_broadcast_reads_fails_loudly_without_its_values():
    wire = registry_events.kim_registered(sample_kim()).wire()
    del wire["classification"]
    with pytest.raises(BrokenContract, match="classification") as failure:
        read(make_envelope("registry", "kim_registered", wire), KimRegistered)
    assert "KIM Maju Bersama" not in str(failure.value)
    with pytest.raises(BrokenContract, match="version 2"):
        read(make_envelope("registry", "kim_registered", wire | {"classification": "maju"}, version=2),
             KimRegistered)


def test_a_batch_applies_each_groups_newest_record_whatever_their_order(session):
    def record(kim_id, version, village="14.71.01.1002", tags=("pemuda",)):
        kim = sample_kim(id=kim_id, version=version, village_code=village, tags=list(tags))
        return received("registry", registry_events.kim_updated(kim), KimUpdated)

    # within one batch: versions out of order, and a repeat
    changed = directory.apply_records(session, [record("K1", 2, "14.72.01.1003", ["umkm"]), record("K1", 3),
                                                record("K2", 1), record("K1", 1), record("K2", 1)])
    assert changed == ["K1", "K2"]
    assert replica(session, "K1")[2:] == ("14.71", "tumbuh", "active", 3, ["pemuda"])
    # a later batch holding older versions changes nothing; a newer one does, tags too
    assert directory.apply_records(session, [record("K1", 2, "14.72.01.1003"), record("K2", 2, tags=[])]) == ["K2"]
    assert replica(session, "K1")[5] == 3 and replica(session, "K2")[5:] == (2, [])
    status = [received("registry", registry_events.kim_status_changed(sample_kim(id="K1", status="vakum", version=v),
                                                                       "active", "vakum", "x"), KimStatusChanged)
              for v in (5, 4)]
    assert directory.apply_statuses(session, status) == ["K1"]
    assert replica(session, "K1")[4:6] == ("vakum", 5)


def test_a_batch_of_status_changes_with_an_unknown_group_applies_nothing(session):
    directory.apply_record(session, received("registry", registry_events.kim_registered(sample_kim(id="K1")),
                                             KimRegistered))
    changes = [received("registry", registry_events.kim_status_changed(sample_kim(id=kim_id, status="vakum", version=4),
                                                                        "active", "vakum", "x"), KimStatusChanged)
               for kim_id in ("K1", "K9")]
    with pytest.raises(directory.NotYetKnown):
        directory.apply_statuses(session, changes)
    assert replica(session, "K1")[4:6] == ("active", 3)


# --- issue 15: a hoax case's outcome to the groups that reported it ---------------------

def test_a_labelled_hoax_case_reaches_the_reporting_groups_inboxes(session):
    from services.aspirations.models import HoaxCase
    from services.common.contracts import HoaxCaseLabelled

    for kim in (sample_kim(version=1), sample_kim(id="KIM-14710210-CD34", village_code="14.71.02.1001", version=1)):
        directory.apply_record(session, received("registry", registry_events.kim_registered(kim), KimRegistered))
    case = HoaxCase(id="H1", label="hoaks", title="Vaksin tidak berisi chip", explanation="Penjelasan dinas.",
                    sources=["https://dinkes.example.id/a"])
    late = aspiration_events.hoax_case_labelled(case, ["KIM-14710210-CD34", "KIM-NOT-YET"])
    assert broadcasts.deliver_hoax_outcome(session, received("aspirations", late, HoaxCaseLabelled)) == ["KIM-NOT-YET"]
    assert session.scalars(select(Delivery)).all() == []  # nothing until every group is known
    outcome = aspiration_events.hoax_case_labelled(case, [sample_kim().id, "KIM-14710210-CD34"])
    assert broadcasts.deliver_hoax_outcome(session, received("aspirations", outcome, HoaxCaseLabelled)) == []
    delivered = session.scalars(select(Delivery).order_by(Delivery.kim_id)).all()
    assert [(d.kind, d.kim_id) for d in delivered] == [("hoax_outcome", sample_kim().id),
                                                       ("hoax_outcome", "KIM-14710210-CD34")]
    assert delivered[0].message == {"case_id": "H1", "label": "hoaks", "title": "Vaksin tidak berisi chip",
                                    "explanation": "Penjelasan dinas.", "sources": ["https://dinkes.example.id/a"]}
