"""The hoax clarification loop in the aspirations service (issue 15), on both
backends: reports of the same claim merge into one case within a province,
the office sees the case in its scope, moves or splits reports, labels it
(the reporting groups' outcome as an event) and links the clarification;
the public sees labelled cases only, never the reports."""
import json

import pytest
from sqlalchemy import select

from services.aspirations import directory, hoaxes
from services.aspirations.models import HoaxCase
from services.aspirations.settings import AspirationsSettings
from services.aspirations.tests.samples import MIGRATIONS
from services.common.contracts import HoaxCaseLabelled, KimRecord, read
from services.common.db import outbox
from services.common.errors import InvalidInput, InvalidTransition, NotFound, OutOfScope
from services.common.scope import PUBLIC, Actor
from services.common.testing import migrated_session

RUMOUR = "Vaksin campak di puskesmas mengandung chip pelacak, jangan bawa anak ke posyandu"
RETOLD = "VAKSIN CAMPAK di Puskesmas mengandung chip pelacak!! Jangan bawa anak ke posyandu. Sebarkan"
OTHER = "Jembatan Siak IV ditutup total mulai besok karena retak"
PEKANBARU = Actor("operator", "14.71", key_id="op-pku")
DUMAI = Actor("operator", "14.72", key_id="op-dumai")
RIAU = Actor("admin", "14", key_id="adm-riau")
GROUP_A, GROUP_B = Actor("kim", kim_id="KIM-A", key_id="ka"), Actor("kim", kim_id="KIM-B", key_id="kb")
VERDICT = {"label": "hoaks", "title": "Vaksin campak tidak mengandung chip",
           "explanation": "Dinas Kesehatan memastikan vaksin campak aman dan tidak berisi chip apa pun.",
           "sources": ["https://dinkes.example.id/vaksin-campak"]}


@pytest.fixture
def session(databases):
    with migrated_session(databases, "aspirations", MIGRATIONS) as session:
        for kim_id, village in (("KIM-A", "14.71.01.1002"), ("KIM-B", "14.71.02.1001"), ("KIM-C", "13.71.01.1002")):
            directory.apply_record(session, KimRecord.model_construct(
                id=kim_id, village_code=village, status="active", version=1))
        yield session


def report(session, actor, text=RUMOUR, village="14.71.01.1002", **fields):
    data = {"text": text, "seen_on": "grup_whatsapp", "seen_at": "2026-11-27", "village_code": village, **fields}
    return hoaxes.report(session, actor, data, threshold=AspirationsSettings().hoax_match_threshold)


def labelled_events(session) -> list[HoaxCaseLabelled]:
    rows = session.execute(select(outbox.c.event_type, outbox.c.envelope).order_by(outbox.c.id)).all()
    return [read(json.loads(row.envelope), HoaxCaseLabelled) for row in rows if row.event_type == "hoax_case_labelled"]


def test_two_groups_reporting_the_same_rumour_make_one_case(session):
    first = report(session, GROUP_A)
    second = report(session, GROUP_B, RETOLD, village="14.71.02.1001", seen_on="facebook")
    citizen = report(session, PUBLIC, RETOLD.lower(), village="14.71.01.1003")
    unrelated = report(session, GROUP_A, OTHER)
    assert not first["merged"] and second["merged"] and citizen["merged"]
    assert second["case_id"] == citizen["case_id"] == first["case_id"] != unrelated["case_id"]
    assert second["score"] >= 85
    case = hoaxes.get_case(session, PEKANBARU, first["case_id"])
    assert (case["reports"], case["groups"], case["status"]) == (3, 2, "dilaporkan")
    assert case["regions"] == ["14.71.01.1002", "14.71.01.1003", "14.71.02.1001"]
    assert [(p["village_code"], p["reports"], p["groups"]) for p in case["map"]] == [
        ("14.71.01.1002", 1, 1), ("14.71.01.1003", 1, 0), ("14.71.02.1001", 1, 1)]
    assert [r["reporter"] for r in case["items"]] == ["kim", "kim", "public"]  # never a key id
    # the same words in another province are another province's case
    assert report(session, Actor("kim", kim_id="KIM-C"), RUMOUR, village="13.71.01.1002")["case_id"] != first["case_id"]


def test_the_same_link_merges_and_a_short_text_only_as_a_whole(session):
    first = report(session, GROUP_A, link="https://hoaks.example/x")
    assert report(session, GROUP_B, "Lihat ini ya bapak ibu", village="14.71.02.1001",
                  link="https://hoaks.example/x")["case_id"] == first["case_id"]
    # two words of the rumour are not the rumour
    assert not report(session, GROUP_B, "vaksin campak", village="14.71.02.1001")["merged"]


def test_who_sees_a_case(session):
    case_id = report(session, GROUP_A)["case_id"]
    assert hoaxes.get_case(session, RIAU, case_id)["id"] == case_id
    with pytest.raises(NotFound):
        hoaxes.get_case(session, DUMAI, case_id)
    with pytest.raises(OutOfScope):
        hoaxes.list_cases(session, GROUP_A, {}, 50, 0)
    assert hoaxes.list_cases(session, DUMAI, {}, 50, 0)["total"] == 0
    assert [c["id"] for c in hoaxes.list_cases(session, PEKANBARU, {"q": "CHIP"}, 50, 0)["items"]] == [case_id]
    with pytest.raises(OutOfScope):
        report(session, DUMAI)  # an office reports within its own region


def test_bad_reports_are_refused(session):
    for fields in ({"text": "abc"}, {"seen_on": "telepati"}, {"link": "javascript:alert(1)"},
                   {"village_code": "14.71"}, {"seen_at": "kemarin"}):
        with pytest.raises(InvalidInput):
            report(session, GROUP_A, **fields)
    with pytest.raises(InvalidInput):
        report(session, Actor("kim", kim_id="KIM-UNKNOWN"))


def test_labelling_tells_the_reporting_groups_once_and_a_late_reporter_too(session):
    case_id = report(session, GROUP_A)["case_id"]
    report(session, GROUP_B, RETOLD, village="14.71.02.1001")
    report(session, PUBLIC, RETOLD)
    with pytest.raises(InvalidTransition):
        hoaxes.link_clarification(session, PEKANBARU, case_id, "b" * 36)
    with pytest.raises(InvalidInput):
        hoaxes.label_case(session, PEKANBARU, case_id, {**VERDICT, "sources": ["javascript:alert(1)"]})
    labelled = hoaxes.label_case(session, PEKANBARU, case_id, VERDICT)
    assert (labelled["label"], labelled["status"], labelled["title"]) == ("hoaks", "dilabeli", VERDICT["title"])
    hoaxes.label_case(session, PEKANBARU, case_id, VERDICT)  # the same verdict again: no second message
    [outcome] = labelled_events(session)
    assert outcome.kim_ids == ["KIM-A", "KIM-B"] and outcome.label == "hoaks" and outcome.case_id == case_id
    assert RUMOUR not in json.dumps(outcome.wire())  # the reports' words stay in the service
    report(session, Actor("kim", kim_id="KIM-A", key_id="ka2"), RUMOUR)
    assert [e.kim_ids for e in labelled_events(session)] == [["KIM-A", "KIM-B"], ["KIM-A"]]
    clarified = hoaxes.link_clarification(session, PEKANBARU, case_id, "b" * 36)
    assert (clarified["status"], clarified["broadcast_id"]) == ("diklarifikasi", "b" * 36)
    assert hoaxes.link_clarification(session, PEKANBARU, case_id, "b" * 36)["broadcast_id"] == "b" * 36
    with pytest.raises(InvalidTransition):
        hoaxes.link_clarification(session, PEKANBARU, case_id, "c" * 36)


def test_the_office_moves_and_splits_reports(session):
    first = report(session, GROUP_A)
    second = report(session, GROUP_B, RETOLD, village="14.71.02.1001")
    other = report(session, GROUP_A, OTHER)
    split = hoaxes.move_report(session, PEKANBARU, second["id"], None)
    assert split["id"] not in (first["case_id"], other["case_id"]) and split["reports"] == 1
    moved = hoaxes.move_report(session, PEKANBARU, second["id"], other["case_id"])
    assert moved["id"] == other["case_id"] and moved["reports"] == 2
    assert session.get(HoaxCase, split["id"]) is None  # emptied and unlabelled: gone
    with pytest.raises(NotFound):
        hoaxes.move_report(session, DUMAI, second["id"], None)


def test_the_public_sees_labelled_cases_by_the_offices_words_only(session):
    case_id = report(session, GROUP_A)["case_id"]
    report(session, GROUP_A, OTHER)
    assert hoaxes.public_cases(session, None, 50, 0)["total"] == 0
    with pytest.raises(NotFound):
        hoaxes.public_case(session, case_id)
    hoaxes.label_case(session, RIAU, case_id, VERDICT)
    listed = hoaxes.public_cases(session, "dinas kesehatan", 50, 0)
    assert [c["id"] for c in listed["items"]] == [case_id]
    assert hoaxes.public_cases(session, "100%", 50, 0)["total"] == 0  # a wildcard is a character
    shown = hoaxes.public_case(session, case_id)
    assert shown["regencies"] == ["14.71"] and shown["groups"] == 1 and shown["label"] == "hoaks"
    assert RUMOUR not in json.dumps(shown) and "KIM-A" not in json.dumps(shown)


@pytest.mark.parametrize("text, same", [
    (RETOLD, True),
    (f"<script>alert('x')</script> {RUMOUR}", True),
    ("Anak-anak jangan dibawa ke posyandu karena vaksin campak di puskesmas ada chip pelacaknya", True),
    ("Jangan bawa anak ke posyandu", False),  # a part of the rumour is not the rumour
    ("Vaksin campak mengandung chip", False),
    ("Vaksin polio di posyandu bikin anak lumpuh, jangan bawa anak ke posyandu", False),  # another rumour
    (OTHER, False),
])
def test_what_counts_as_the_same_claim_at_the_default_threshold(text, same):
    assert (hoaxes.similarity(RUMOUR, text) >= AspirationsSettings().hoax_match_threshold) is same


def test_a_case_reported_in_two_regencies_is_decided_by_the_office_above(session):
    """Pekanbaru's operator sees the case (one report is Pekanbaru's) but neither labels it nor moves
    Dumai's report: the province's office does."""
    case_id = report(session, GROUP_A)["case_id"]
    dumai_report = report(session, PUBLIC, RETOLD, village="14.72.01.1003")
    assert dumai_report["case_id"] == case_id
    with pytest.raises(OutOfScope):
        hoaxes.label_case(session, PEKANBARU, case_id, VERDICT)
    with pytest.raises(OutOfScope):
        hoaxes.move_report(session, PEKANBARU, dumai_report["id"], None)
    assert hoaxes.label_case(session, RIAU, case_id, VERDICT)["label"] == "hoaks"
    hoaxes.label_case(session, RIAU, case_id, {**VERDICT, "explanation": VERDICT["explanation"] + " Diperbarui."})
    assert len(labelled_events(session)) == 1  # a corrected explanation is not sent to the groups again
    hoaxes.label_case(session, RIAU, case_id, {**VERDICT, "label": "disinformasi"})
    assert len(labelled_events(session)) == 2  # a changed verdict is


def test_a_group_reports_in_its_own_province_and_not_the_future(session):
    with pytest.raises(OutOfScope):
        report(session, GROUP_A, village="13.71.01.1002")
    with pytest.raises(InvalidInput):
        report(session, GROUP_A, seen_at="2999-01-01")
