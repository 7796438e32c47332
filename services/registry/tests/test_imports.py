"""Importing a spreadsheet of groups, on the domain functions: each row is
checked by the rules of a single registration (village, scope, fields, tags,
duplicates in the file and in the registry), the report keeps the file's
order, the same file is one job, and a job interrupted mid-way continues
where its last committed batch ended, with each group once."""
import hashlib
import json

import pytest
from sqlalchemy import func, select

from services.common.db import outbox
from services.common.errors import OutOfScope
from services.common.scope import Actor
from services.registry import coverage, kims
from services.registry.models import Kim, RegionCount

ADMIN = Actor("admin", key_id="test-admin")
PEKANBARU = Actor("operator", scope_region="14.71", key_id="op-pekanbaru")
DUMAI = Actor("operator", scope_region="14.72", key_id="op-dumai")
ZONE = "Asia/Jakarta"


def group(name: str, sk: str, code: str | None = "14.71.01.1002", **more) -> dict:
    data = {"name": name, "classification": "tumbuh",
            "sk": {"number": sk, "date": "2024-05-01", "issuer": "Lurah Jadirejo"}, **more}
    if code:
        data["village_code"] = code
    return data


def digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def start(session, actor, rows: list[dict], name="kim.csv", chunk=1000) -> str:
    """A job with its rows, as the gateway hands them over (in chunks)."""
    with session.begin():
        job = kims.start_import(session, actor, digest(name, rows), name, len(rows))
    wire = [{"position": i + 1, "line": i + 2, **({"errors": r["errors"]} if "errors" in r else {"data": r})}
            for i, r in enumerate(rows)]
    for first in range(0, len(wire), chunk):
        with session.begin():
            kims.add_import_rows(session, actor, job["id"], wire[first:first + chunk])
    return job["id"]


def run(session, batch_size=1000) -> int:
    """The timer's loop: batches until no job is left; returns the batches."""
    batches = 0
    while True:
        with session.begin():
            job_id, _ = kims.import_step(session, batch_size, ZONE)
        if job_id is None:
            return batches
        batches += 1


def report(session, actor, job_id) -> list[dict]:
    with session.begin():
        return kims.import_report(session, actor, job_id, limit=10_000)["items"]


def test_each_row_keeps_the_rules_of_a_registration_and_the_report_keeps_the_files_order(session):
    with session.begin():
        existing = kims.register_kim(session, ADMIN, group("KIM Sudah Ada", "ADA/1"), timezone=ZONE)
    rows = [
        group("KIM Satu", "IMP/1", tags=["pemuda"], lat=0.5, lon=101.4),
        group("KIM Dua", "IMP/2", code="99.99.99.9999"),         # no such village
        group("KIM Tiga", "IMP/3", code="14.72.01.1003"),        # Dumai: outside Pekanbaru
        group("kim  SATU", "IMP/4"),                                # row 1's name, folded
        group("KIM Lima", "imp / 1"),                               # row 1's decree number, folded
        group("KIM Sudah Ada", "IMP/6"),                            # the registry's
        group("KIM Tujuh", "IMP/7", tags=["bukan_tag"]),            # unknown tag
        group("KIM Delapan", "IMP/8", code=None, village="Jadirejo"),  # by the village's name
        group("KIM Sembilan", "IMP/9", code=None, village="Desa Tidak Ada"),
        {"errors": [{"field": "sk.date", "message": "Wajib diisi.", "message_en": "Required."}]},
        group("KIM Sebelas", "IMP/11", lat=50.0),                   # outside Indonesia
        group("KIM Dua Belas", "ADA/1"),                            # the registry's decree
    ]
    job_id = start(session, PEKANBARU, rows)
    assert run(session, batch_size=5) == 3
    items = report(session, PEKANBARU, job_id)
    assert [i["row"] for i in items] == list(range(2, 14))
    assert [i["outcome"] for i in items] == ["imported", "rejected", "rejected", "rejected", "rejected", "rejected",
                                             "rejected", "imported", "rejected", "rejected", "rejected", "rejected"]
    fields = [(i["reasons"] or [{}])[0].get("field") for i in items]
    assert fields == [None, "village_code", None, "name", "sk.number", "name", "tags", None, "village", "sk.date",
                      "lat", "sk.number"]
    assert "baris 2" in items[3]["reasons"][0]["message"] and "row 2" in items[4]["reasons"][0]["message_en"]
    assert existing["id"] in items[5]["reasons"][0]["message"]
    assert "di luar cakupan" in items[2]["reasons"][0]["message"]
    imported = [i["kim_id"] for i in items if i["kim_id"]]
    assert imported == ["KIM-1471011002-02", "KIM-1471011002-03"]
    with session.begin():
        job = kims.get_import(session, PEKANBARU, job_id)
        assert (job["status"], job["rows_done"], job["imported"], job["rejected"]) == ("done", 12, 2, 10)
        first = kims.get_kim(session, PEKANBARU, imported[0])
        assert first["tags"] == ["pemuda"] and first["lat"] == 0.5 and first["status"] == "active"
        assert kims.get_kim(session, PEKANBARU, imported[1])["village_code"] == "14.71.01.1002"
        # the same events as registrations, and the coverage counters moved with them
        registered = session.execute(select(outbox.c.envelope).where(outbox.c.event_type == "kim_registered")).all()
        assert sorted(json.loads(e.envelope)["data"]["id"] for e in registered) == sorted([existing["id"], *imported])
        assert session.get(RegionCount, "14.71.01.1002").kim_active == 3
        assert session.get(RegionCount, coverage.COUNTRY).kim_active == 3


def test_the_same_file_is_one_job_and_changes_nothing_the_second_time(session):
    rows = [group(f"KIM Berkas {n}", f"BERKAS/{n}") for n in range(4)]
    first = start(session, ADMIN, rows)
    run(session)
    with session.begin():  # what the gateway asks before reading a file again
        assert kims.find_import(session, ADMIN, digest("kim.csv", rows))["id"] == first
        assert kims.find_import(session, PEKANBARU, digest("kim.csv", rows)) is None  # another office's
    again = start(session, ADMIN, rows)
    assert again == first
    assert run(session) == 0
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Kim)) == 4
        assert kims.get_import(session, ADMIN, first)["imported"] == 4
    # the same rows in another file are the registry's duplicates: reported, not imported
    other = start(session, ADMIN, rows, name="salinan.csv")
    run(session)
    assert [i["outcome"] for i in report(session, ADMIN, other)] == ["rejected"] * 4
    with session.begin():
        assert session.scalar(select(func.count()).select_from(Kim)) == 4


def test_a_job_killed_mid_batch_continues_after_its_last_committed_batch(session):
    def rows(prefix):
        made = [group(f"KIM {prefix} {n}", f"{prefix}/{n}", code=f"14.71.01.100{n % 4 + 2}") for n in range(10)]
        made[7] = group(f"KIM {prefix} 4", f"{prefix}/LAIN")  # row 6's name again, in the last batch
        return made

    whole = start(session, ADMIN, rows("UTUH"))
    run(session, batch_size=4)
    broken = start(session, ADMIN, rows("PUTUS"))
    with session.begin():
        kims.import_step(session, 4, ZONE)  # one batch committed
    session.begin()
    kims.import_step(session, 4, ZONE)  # the next batch, then the process dies before its commit
    session.rollback()
    with session.begin():
        assert kims.get_import(session, ADMIN, broken)["rows_done"] == 4
    run(session, batch_size=4)  # the restarted service
    uninterrupted, resumed = report(session, ADMIN, whole), report(session, ADMIN, broken)
    assert [(i["outcome"], i["reasons"] and i["reasons"][0]["field"]) for i in resumed] == \
           [(i["outcome"], i["reasons"] and i["reasons"][0]["field"]) for i in uninterrupted]
    assert [i["outcome"] for i in resumed].count("imported") == 9
    with session.begin():
        names = session.scalars(select(Kim.name).where(Kim.name.like("KIM PUTUS%"))).all()
        assert sorted(names) == sorted(set(names)) and len(names) == 9
        job = kims.get_import(session, ADMIN, broken)
        assert (job["status"], job["rows_done"], job["imported"], job["rejected"]) == ("done", 10, 9, 1)


def test_a_job_belongs_to_its_office(session):
    job_id = start(session, PEKANBARU, [group("KIM Milik Pekanbaru", "MILIK/1")])
    with session.begin():
        assert kims.get_import(session, ADMIN, job_id)["office"] == "14.71"  # a national admin sees it
        with pytest.raises(OutOfScope):
            kims.get_import(session, DUMAI, job_id)
    # the same file from another office is another job
    assert start(session, DUMAI, [group("KIM Milik Pekanbaru", "MILIK/1")]) != job_id
