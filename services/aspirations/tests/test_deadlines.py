"""Deadlines in working days (weekends and holidays skipped), overdue
detection with escalation, and auto-close, with an injected clock."""
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from nameko.testing.services import worker_factory
from prometheus_client import REGISTRY
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aspirations import aspirations
from services.aspirations.models import Aspiration
from services.aspirations.service import AspirationsService
from services.aspirations.tests.samples import migrated_database
from services.aspirations.workflow import Calendar
from services.common.db import outbox, unit_of_work
from services.common.scope import Actor
from services.common.vocabulary import ASPIRATION_STATUSES

WIB = timezone(timedelta(hours=7))
MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def test_working_days_skip_weekends_and_holidays():
    calendar = Calendar("Asia/Jakarta", frozenset({date(2026, 12, 25)}))
    thursday = datetime(2026, 12, 24, 10, 0, tzinfo=WIB)
    # Fri 25 is a holiday, Sat/Sun skipped: Mon 28, Tue 29, Wed 30
    assert calendar.add_working_days(thursday, 3).date() == date(2026, 12, 30)
    assert calendar.add_working_days(thursday, 1).date() == date(2026, 12, 28)
    friday = datetime(2026, 11, 27, 16, 0, tzinfo=WIB)
    assert calendar.add_working_days(friday, 5).date() == date(2026, 12, 4)
    assert not calendar.is_working_day(date(2026, 11, 28)) and calendar.is_working_day(date(2026, 11, 30))


def test_overdue_escalation_and_auto_close_with_an_injected_clock(databases):
    engine, settings, calendar = migrated_database(databases, holidays="2026-12-25")
    submitted = datetime(2026, 12, 21, 9, 0, tzinfo=WIB)  # a Monday
    office = Actor("operator", scope_region="14.71", key_id="op")

    def submit(code):
        return {"id": f"00000000-0000-0000-0000-0000000000{code[-2:]}", "tracking_code": code,
                "submitted_at": submitted.isoformat(), "data": {
                    "kind": "pengaduan", "category": "jalan", "body": "Jalan rusak", "village_code": "14.71.01.1002"}}

    with unit_of_work(engine, "aspirations") as session:
        assert aspirations.intake(session, submit("AAAAAAAA01"), calendar, settings)
        assert aspirations.intake(session, submit("AAAAAAAA02"), calendar, settings)
        assert not aspirations.intake(session, submit("AAAAAAAA02"), calendar, settings)  # a repeat
        first = session.scalar(select(Aspiration).where(Aspiration.tracking_code == "AAAAAAAA01"))
        # 3 working days from Mon 21: Tue 22, Wed 23, Thu 24 (Fri 25 is a holiday)
        assert first.due_at.astimezone(WIB).date() == date(2026, 12, 24)
        answered = session.scalar(select(Aspiration).where(Aspiration.tracking_code == "AAAAAAAA02"))
        for to in ("verified", "forwarded"):
            aspirations.transition(session, office, answered.id, to, "ok", None, calendar, settings, now=submitted)
        aspirations.transition(session, office, answered.id, "responded", "ok", "Sudah diperbaiki.", calendar,
                               settings, now=submitted)

    with unit_of_work(engine, "aspirations") as session:
        on_time = datetime(2026, 12, 24, 20, 0, tzinfo=WIB)
        assert aspirations.check_deadlines(session, on_time, calendar, settings) == {"overdue": 0, "closed": 0}
        late = datetime(2026, 12, 28, 8, 0, tzinfo=WIB)
        assert aspirations.check_deadlines(session, late, calendar, settings) == {"overdue": 1, "closed": 0}
        assert aspirations.check_deadlines(session, late, calendar, settings) == {"overdue": 0, "closed": 0}
    with Session(engine) as session:
        first = session.scalar(select(Aspiration).where(Aspiration.tracking_code == "AAAAAAAA01"))
        assert first.overdue and first.escalated
        events = [row.event_type for row in session.execute(select(outbox.c.event_type))]
        assert events.count("aspiration_overdue") == 1 and events.count("aspiration_responded") == 1
        admin_of_riau = Actor("admin", scope_region="14", key_id="riau")
        escalated = aspirations.work_queue(session, admin_of_riau, {"escalated": True}, 50, 0)
        assert [a["tracking_code"] for a in escalated["items"]] == ["AAAAAAAA01"]
        assert aspirations.stats(session, office, {})["overdue"] == 1

    with unit_of_work(engine, "aspirations") as session:
        # 10 working days after the response (Mon 21): Jan 5 2027 with the holiday; then it closes itself
        assert aspirations.check_deadlines(session, datetime(2027, 1, 5, 12, 0, tzinfo=WIB), calendar,
                                           settings)["closed"] == 0
        assert aspirations.check_deadlines(session, datetime(2027, 1, 6, 1, 0, tzinfo=WIB), calendar,
                                           settings)["closed"] == 1
    with Session(engine) as session:
        closed = session.scalar(select(Aspiration).where(Aspiration.tracking_code == "AAAAAAAA02"))
        assert closed.status == "closed"
    engine.dispose()


def test_the_overdue_gauge_names_every_regency_that_had_one_and_counts_the_open_ones(databases):
    engine, settings, calendar = migrated_database(databases)
    submitted = datetime(2026, 12, 21, 9, 0, tzinfo=WIB)  # a Monday
    villages = {"01": "14.71.01.1002", "02": "14.71.01.1002", "03": "14.72.01.1001"}
    with unit_of_work(engine, "aspirations") as session:
        for n, village in villages.items():
            assert aspirations.intake(session, {
                "id": f"00000000-0000-0000-0000-0000000000{n}", "tracking_code": f"BBBBBBBB{n}",
                "submitted_at": submitted.isoformat(), "data": {
                    "kind": "pengaduan", "category": "jalan", "body": "Jalan rusak", "village_code": village}},
                calendar, settings)
        assert aspirations.overdue_by_regency(session) == {}
        assert aspirations.check_deadlines(session, datetime(2027, 1, 4, 8, 0, tzinfo=WIB), calendar,
                                           settings)["overdue"] == 3
        assert aspirations.overdue_by_regency(session) == {"14.71": 2, "14.72": 1}
    with unit_of_work(engine, "aspirations") as session:
        pekanbaru = Actor("operator", scope_region="14.71", key_id="op")
        kampar = Actor("operator", scope_region="14.72", key_id="op2")
        for code, office in (("BBBBBBBB01", pekanbaru), ("BBBBBBBB03", kampar)):
            rejected = session.scalar(select(Aspiration).where(Aspiration.tracking_code == code))
            aspirations.transition(session, office, rejected.id, "rejected", "bukan kewenangan", None, calendar,
                                   settings)
    with Session(engine) as session:
        # a regency cleared stays at 0 (not its last count), whoever asks and since when it runs
        assert aspirations.overdue_by_regency(session) == {"14.71": 1, "14.72": 0}
        assert aspirations.count_by_status(session) == {
            status: {"received": 1, "rejected": 2}.get(status, 0) for status in ASPIRATION_STATUSES}
        # the service's timer sets the gauges from these counts, and keeps nothing itself
        worker_factory(AspirationsService, db=session).refresh_gauges()
    assert REGISTRY.get_sample_value("kim_aspirations_overdue", {"regency": "14.72"}) == 0
    assert REGISTRY.get_sample_value("kim_aspirations_overdue", {"regency": "14.71"}) == 1
    assert REGISTRY.get_sample_value("kim_aspirations", {"status": "rejected"}) == 2
    assert REGISTRY.get_sample_value("kim_aspirations", {"status": "verified"}) == 0  # named, and 0 once none is
    engine.dispose()
