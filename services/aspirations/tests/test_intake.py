"""Intake checks each submission again, with the gateway's rules (lengths
after normalising): a bad one is stored nowhere and goes straight to the
dead letters with a reason that names the field, never its value."""
import json
from pathlib import Path

import kombu
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aspirations import aspirations
from services.aspirations.models import Aspiration, HistoryEntry
from services.aspirations.service import INTAKE_QUEUE, AspirationsService
from services.aspirations.settings import AspirationsSettings
from services.aspirations.tests.samples import migrated_database
from services.common import deadletters
from services.common.db import make_engine, outbox, unit_of_work
from services.common.errors import Unprocessable
from services.common.migrations import upgrade
from services.common.testing import bus_connection
from services.common.tests.helpers import wait_for

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"
CANARY = {"name": "Kanari Nama Intake", "phone": "+62 811 0000 4242", "email": "kanari.intake@contoh.id"}


def submission(code: str = "INTAKE0001", **data) -> dict:
    return {"type": "aspiration_submission", "id": f"00000000-0000-0000-0000-00000000{code[-4:]}",
            "tracking_code": code, "submitted_at": "2026-11-30T09:00:00+07:00", "submitted_by": "public",
            "data": {"kind": "pengaduan", "category": "jalan_rusak", "body": "Jalan berlubang di RT 03.",
                     "village_code": "14.71.01.1002", "submitter": CANARY, **data}}


def test_what_the_gateway_accepts_is_taken_in():
    # the longest phone the gateway's pattern allows; blanks the gateway does not count as blanks
    extreme = submission(submitter={"name": "Warga", "phone": "+12345678901234567890", "email": "w\x1c@contoh.id"},
                         attachments=["https://contoh.id/foto\x1f.jpg"])
    assert aspirations.check_submission(extreme)["submitter"]["phone"] == "+12345678901234567890"


BAD = [
    ({"category": "İ" * 50}, "category"),  # 100 characters once lower-cased
    ({"category": "x"}, "category"),
    ({"category": "jalan; drop"}, "category"),
    ({"kind": "curhat"}, "kind"),
    ({"body": "x" * 10_001}, "body"),
    ({"village_code": "14.71"}, "village_code"),
    ({"submitter": {**CANARY, "name": "n" * 201}}, "submitter.name"),
    ({"submitter": {**CANARY, "phone": "(0761) 12345; x"}}, "submitter.phone"),
    ({"attachments": ["file:///etc/passwd"]}, "attachments"),
    ({"kim_id": "K" * 40}, "kim_id"),
]


def test_a_submission_breaking_the_gateways_rules_is_unprocessable_and_names_only_its_field(databases):
    engine, settings, calendar = migrated_database(databases)
    for n, (data, field) in enumerate(BAD):
        with pytest.raises(Unprocessable) as refused, unit_of_work(engine, "aspirations") as session:
            aspirations.intake(session, submission(f"BADCODE{n:03d}", **data), calendar, settings)
        reason = str(refused.value)
        assert reason.startswith(field + ":"), (data, reason)
        assert not any(value in reason for value in (*CANARY.values(), "İİ", "curhat", "passwd")), reason
    with unit_of_work(engine, "aspirations") as session:
        assert aspirations.intake(session, submission("GOODCODE01", category="Jalan Rusak"), calendar, settings)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Aspiration)) == 1
        assert session.scalar(select(Aspiration.category)) == "jalan_rusak"
    engine.dispose()


def test_the_running_service_dead_letters_a_bad_submission_at_once(databases, amqp_uri, container_factory):
    url = databases("aspirations")
    # retries far apart: a bad submission must not wait for them
    settings = AspirationsSettings(database_url=url, amqp_uri=amqp_uri, retry_delays="30,60",
                                   outbox_poll_seconds=0.1)
    upgrade(url, MIGRATIONS)
    container = container_factory(AspirationsService, settings.nameko_config())
    container.start()
    with bus_connection(amqp_uri) as conn:
        producer = conn.Producer()
        for message in (submission("BADINTAKE1", category="İ" * 50), submission("GOODINTAK2")):
            producer.publish(json.dumps(message), exchange=INTAKE_QUEUE, routing_key=INTAKE_QUEUE,
                             content_type="application/json", delivery_mode=2)
    wait_for(lambda: deadletters.dead_letter_count(amqp_uri, "aspirations") == 1, timeout=40,
             message="the bad submission in the dead letters")
    engine = make_engine(url)
    wait_for(lambda: Session(engine).scalar(select(func.count()).select_from(Aspiration)) == 1,
             message="the good submission stored")
    engine.dispose()
    with bus_connection(amqp_uri) as conn:
        dead = kombu.Queue(deadletters.dead_letter_queue("aspirations"), durable=True)(conn.channel()).get(
            no_ack=True)
    headers = dead.headers
    assert headers[deadletters.ERROR_HEADER].startswith("Unprocessable: category:")
    assert headers[deadletters.ORIGINAL_QUEUE_HEADER] == INTAKE_QUEUE
    assert not any(value in json.dumps(headers, ensure_ascii=False) for value in CANARY.values())


def test_a_batch_of_submissions_is_stored_once_each_with_its_history_and_event(databases):
    engine, settings, calendar = migrated_database(databases)
    first = [submission(f"BATCHCODE{n}") for n in range(4)]
    with unit_of_work(engine, "aspirations") as session:
        # a repeat within the batch counts once
        assert aspirations.intake_many(session, first + first[:2], calendar, settings) == [
            f"BATCHCODE{n}" for n in range(4)]
    with unit_of_work(engine, "aspirations") as session:  # the batch delivered again, with one new submission
        assert aspirations.intake_many(session, first + [submission("BATCHCODE4")], calendar, settings) == [
            "BATCHCODE4"]
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Aspiration)) == 5
        assert session.scalar(select(func.count()).select_from(HistoryEntry)) == 5
        assert session.scalar(select(func.count()).select_from(outbox)
                              .where(outbox.c.event_type == "aspiration_submitted")) == 5
    with pytest.raises(Unprocessable), unit_of_work(engine, "aspirations") as session:  # one bad: nothing stored
        aspirations.intake_many(session, [submission("BATCHCODE5"), submission("BATCHCODE6", kind="curhat")],
                                calendar, settings)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Aspiration)) == 5
    engine.dispose()
