"""Importing a spreadsheet of groups end to end, on both backends: a CSV and
an XLSX through POST /api/v1/kims/import, the report per row in the file's
order with its reasons (JSON, and CSV with Indonesian or English columns),
the same file twice changing nothing, an office's scope, files that cannot
be imported, the console's upload and progress pages without JavaScript
(a registry SIGKILLed in the middle of a large import: test_kims_import_crash.py).

The platform is shared with the other test modules: every name and decree
number here is unique to the run."""
import csv
import io
import re
import uuid
from datetime import date

import httpx
import pytest
from openpyxl import Workbook

from tests.conftest import wait_for
from tests.web.people import csrf, new_account, sign_in

PROBLEM = "application/problem+json"
HEADER = ["nama", "kode_desa", "desa", "nomor_sk", "tanggal_sk", "penerbit_sk", "klasifikasi", "tag", "telepon"]


def run_id() -> str:
    return uuid.uuid4().hex[:8]


def csv_file(rows: list[list], delimiter=";", bom=True, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def upload(client: httpx.Client, content: bytes, name="kim.csv"):
    return client.post("/api/v1/kims/import", files={"file": (name, content, "text/csv")})


def finished(client: httpx.Client, job_id: str, timeout=60) -> dict:
    def done():
        answer = client.get(f"/api/v1/kims/import/{job_id}")
        return answer.json() if answer.status_code == 200 and answer.json()["status"] == "done" else None
    return wait_for(done, timeout=timeout, interval=0.2, message=f"import {job_id} to finish")


def report(client: httpx.Client, job_id: str) -> list[dict]:
    answer = client.get(f"/api/v1/kims/import/{job_id}/report", params={"limit": 500})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def test_a_csv_is_imported_with_a_report_in_the_files_order_and_the_same_file_again_changes_nothing(platform, keys):
    run = run_id()
    rows = [
        [f"KIM Impor {run} Satu", "14.71.01.1002", "", f"IMP/{run}/1", "01/03/2024", "Lurah", "Tumbuh",
         "pemuda, umkm", "0812 1111 2222"],
        [f"KIM Impor {run} Dua", "14.72.01.1003", "", f"IMP/{run}/2", "2024-03-01", "Lurah", "tumbuh", "", ""],
        [f"kim impor {run} SATU", "14.71.01.1002", "", f"IMP/{run}/3", "2024-03-01", "Lurah", "tumbuh", "", ""],
        [f"KIM Impor {run} Empat", "", "Kampung Tengah", f"IMP/{run}/4", "2024-03-01", "Lurah", "maju", "", ""],
        [f"KIM Impor {run} Lima", "14.71.01.1002", "", f"IMP/{run}/5", "", "Lurah", "entah", "", ""],
        ["", "", "", "", "", "", "", "", ""],  # an empty line is skipped, the row numbers stay the file's
        [f"KIM Impor {run} Enam", "14.71.01.1002", "", f"IMP/{run}/1", "2024-03-01", "Lurah", "tumbuh", "", ""],
    ]
    content = csv_file(rows)
    with platform.client(keys["pekanbaru"]["key"]) as operator:
        answer = upload(operator, content)
        assert answer.status_code == 202, answer.text
        job = answer.json()
        assert answer.headers["location"] == f"/api/v1/kims/import/{job['id']}"
        assert job["rows_total"] == 6 and job["office"] == "14.71"
        done = finished(operator, job["id"])
        assert (done["rows_done"], done["imported"], done["rejected"]) == (6, 2, 4)
        items = report(operator, job["id"])
        assert [i["row"] for i in items] == [2, 3, 4, 5, 6, 8]
        assert [i["outcome"] for i in items] == ["imported", "rejected", "rejected", "imported", "rejected",
                                                 "rejected"]
        assert "di luar cakupan" in items[1]["reasons"][0]["message"]
        assert items[2]["reasons"][0]["field"] == "name" and "baris 2" in items[2]["reasons"][0]["message"]
        assert {r["field"] for r in items[4]["reasons"]} == {"sk.date", "classification"}
        assert items[5]["reasons"][0]["field"] == "sk.number"
        first = operator.get(f"/api/v1/kims/{items[0]['kim_id']}").json()
        assert first["tags"] == ["pemuda", "umkm"] and first["sk"]["date"] == "2024-03-01"
        assert operator.get(f"/api/v1/kims/{items[3]['kim_id']}").json()["village_code"] == "14.71.01.1003"

        # the report as a spreadsheet: Indonesian columns, or English ones
        indonesian = operator.get(f"/api/v1/kims/import/{job['id']}/report", params={"format": "csv"})
        assert indonesian.status_code == 200 and indonesian.headers["content-type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(indonesian.text)))
        assert lines[0] == ["baris", "hasil", "nomor_kim", "nama", "desa", "alasan"]
        assert [line[0] for line in lines[1:]] == ["2", "3", "4", "5", "6", "8"]
        assert lines[1][1] == "diimpor" and lines[2][1] == "ditolak" and lines[5][5].startswith("tanggal_sk: ")
        english = operator.get(f"/api/v1/kims/import/{job['id']}/report", params={"format": "csv"},
                               headers={"Accept-Language": "en"})
        lines = list(csv.reader(io.StringIO(english.text)))
        assert lines[0] == ["row", "outcome", "kim_id", "name", "village", "reasons"]
        assert lines[3][1] == "rejected" and "row 2" in lines[3][5]

        # the same file again is the same job, and creates nothing
        again = upload(operator, content, name="lagi.csv")
        assert again.status_code == 202 and again.json()["id"] == job["id"]
        assert finished(operator, job["id"])["imported"] == 2
        listed = operator.get("/api/v1/kims", params={"q": f"Impor {run}"}).json()
        assert listed["total"] == 2


DENPASAR = "51.71.01.1002"  # Pedungan, Kota Denpasar: no other test's village


def test_an_xlsx_is_imported_by_an_admin(platform):
    run = run_id()
    book = Workbook()
    sheet = book.active
    sheet.append(["Nama", "Kode Desa", "Nomor SK", "Tanggal SK", "Penerbit SK", "Klasifikasi", "Lintang", "Bujur"])
    sheet.append([f"KIM Xlsx {run} A", DENPASAR, f"XLSX/{run}/1", date(2024, 2, 1), "Lurah", "mandiri",
                  -8.7, 115.2])
    sheet.append([f"KIM Xlsx {run} B", DENPASAR, f"XLSX/{run}/2", date(2024, 2, 2), "Lurah", "tumbuh",
                  "utara", None])
    content = io.BytesIO()
    book.save(content)
    with platform.admin as admin:
        def recipients():
            return admin.post("/api/v1/broadcasts/preview", json={"target": {"regions": [DENPASAR]}}).json()["recipients"]
        before = recipients()
        answer = admin.post("/api/v1/kims/import", files={"file": ("kim.xlsx", content.getvalue(), "")})
        assert answer.status_code == 202, answer.text
        done = finished(admin, answer.json()["id"])
        assert (done["imported"], done["rejected"], done["office"]) == (1, 1, "ID")
        items = report(admin, done["id"])
        assert items[1]["reasons"][0]["field"] == "lat"
        kim = admin.get(f"/api/v1/kims/{items[0]['kim_id']}").json()
        assert (kim["lat"], kim["lon"], kim["classification"], kim["sk"]["date"]) == (-8.7, 115.2, "mandiri",
                                                                                       "2024-02-01")
        # the import's groups reach the replicas as registrations do: the broadcast directory counts it
        wait_for(lambda: recipients() == before + 1, message="the broadcast directory")


def test_an_office_imports_and_reads_only_inside_its_scope(platform, keys):
    run = run_id()
    content = csv_file([[f"KIM Cakupan {run}", "14.71.01.1006", "", f"CAKUPAN/{run}", "2024-03-01", "Lurah",
                         "tumbuh", "", ""]])
    with platform.client(keys["dumai"]["key"]) as dumai:
        job = upload(dumai, content).json()
        done = finished(dumai, job["id"])
        assert (done["imported"], done["rejected"]) == (0, 1)  # Pekanbaru's village, not Dumai's
    with platform.client(keys["pekanbaru"]["key"]) as pekanbaru:
        other = upload(pekanbaru, content).json()
        assert other["id"] != job["id"]  # the same file from another office is another job
        assert finished(pekanbaru, other["id"])["imported"] == 1
        refused = pekanbaru.get(f"/api/v1/kims/import/{job['id']}")
        assert refused.status_code == 403 and refused.headers["content-type"].startswith(PROBLEM)
    with platform.client(keys["kim"]["key"]) as group:
        assert upload(group, content).status_code == 403
    with platform.client(keys["riau"]["key"]) as riau:  # the province's admin sees its regencies' imports
        assert riau.get(f"/api/v1/kims/import/{other['id']}/report").status_code == 200
    with platform.admin as admin:
        assert admin.get("/api/v1/kims/import/" + "0" * 32).status_code == 404


@pytest.mark.parametrize("content, status", [
    (b"\xff\xfe\x00n\x00a\x00m\x00a", 415),  # neither UTF-8 nor a spreadsheet
    (b"PK\x03\x04 not really a zip", 415),
    (csv_file([], header=["nama", "kode_desa"]), 422),  # required columns missing
    (csv_file([["a"] * 10], header=[*HEADER, "warna"]), 422),  # a column nobody knows
    (csv_file([]), 422),  # no rows
])
def test_a_file_that_cannot_be_imported_is_a_problem_and_changes_nothing(platform, content, status):
    with platform.admin as admin:
        answer = upload(admin, content)
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith(PROBLEM)


def test_the_console_uploads_a_file_and_shows_its_progress_without_javascript(platform):
    run = run_id()
    with platform.admin as admin:
        operator = sign_in(platform, new_account(admin, "operator", scope_region="14.71"))
    form = operator.get("/konsol/kim/impor")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    content = csv_file([[f"KIM Konsol {run}", "14.71.01.1007", "", f"KONSOL/{run}", "2024-03-01", "Lurah",
                         "tumbuh", "", ""]])
    refused = operator.post("/konsol/kim/impor", data={"csrf_token": "salah"},
                            files={"berkas": ("kim.csv", content, "text/csv")})
    assert refused.status_code == 403
    sent = operator.post("/konsol/kim/impor", data={"csrf_token": csrf(form.text)},
                         files={"berkas": ("kim.csv", content, "text/csv")})
    assert sent.status_code == 303, sent.text
    page_path = sent.headers["location"]
    job_id = page_path.rsplit("/", 1)[1]

    def done_page():
        page = operator.get(page_path)
        return page if 'http-equiv="refresh"' not in page.text else None
    page = wait_for(done_page, timeout=60, interval=0.3, message="the progress page to finish")
    assert re.search(r'id="status-impor">Selesai<', page.text)
    assert f"KIM Konsol {run}" in page.text and f"/konsol/kim/impor/{job_id}/laporan.csv" in page.text
    report_csv = operator.get(f"/konsol/kim/impor/{job_id}/laporan.csv")
    assert report_csv.status_code == 200 and report_csv.text.startswith("baris,hasil,nomor_kim")
    bad = operator.post("/konsol/kim/impor", data={"csrf_token": csrf(form.text)},
                        files={"berkas": ("kim.csv", b"nama\nKIM", "text/csv")})
    assert bad.status_code == 422 and "Kolom wajib tidak ada" in bad.text
