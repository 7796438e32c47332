"""Reading an imported spreadsheet (services/gateway/imports.py): CSV with `;`
or `,`, with or without a byte order mark, XLSX, Indonesian or English
column names, each row checked with the API's schema; and the problems of a
file that cannot be imported as a whole (413, 415, 422)."""
import io
from datetime import date

import pytest
from openpyxl import Workbook

from services.gateway.imports import file_name, read_file
from services.gateway.problems import Problem

HEADER = "nama;kode_desa;nomor_sk;tanggal_sk;penerbit_sk;klasifikasi;tag;lintang;bujur;telepon"


def test_a_csv_with_semicolons_and_a_bom_becomes_registrations_in_the_files_order():
    text = (f"\ufeff{HEADER}\n"
            "KIM Satu;14.71.01.1002;SK/1;01/03/2024;Lurah;Tumbuh;pemuda, umkm;0,5;101.4;0812 3456 789\n"
            ";;;;;;;;;\n"
            "KIM Dua;;SK/2;2024-13-01;Lurah;entah;;utara;;\n")
    read = read_file(text.encode(), 10)
    assert [r["line"] for r in read.rows] == [2, 4] and [r["position"] for r in read.rows] == [1, 2]
    assert read.rows[0]["data"] == {
        "name": "KIM Satu", "village_code": "14.71.01.1002", "tags": ["pemuda", "umkm"], "classification": "tumbuh",
        "sk": {"number": "SK/1", "date": "2024-03-01", "issuer": "Lurah"}, "contact": {"phone": "0812 3456 789"},
        "lat": 0.5, "lon": 101.4}
    errors = {e["field"]: e for e in read.rows[1]["errors"]}
    assert set(errors) == {"sk.date", "classification", "lat"}
    assert errors["sk.date"]["message"].startswith("Isi dengan tanggal") and errors["lat"]["message_en"]


def test_english_columns_commas_and_a_village_by_its_name():
    text = "name,village,sk_number,sk_date,sk_issuer,classification\nKIM Tiga,Jadirejo,SK/3,2024-03-01,Lurah,maju\n" \
           "KIM Empat,,SK/4,2024-03-01,Lurah,maju\n"
    rows = read_file(text.encode(), 10).rows
    assert rows[0]["data"]["village"] == "Jadirejo" and "village_code" not in rows[0]["data"]
    assert rows[1]["errors"][0]["message"] == "Isi kode desa atau nama desa."


def test_an_xlsx_reads_its_dates_and_numbers():
    book = Workbook()
    book.active.append(["Nama", "Kode Desa", "Nomor SK", "Tanggal SK", "Penerbit SK", "Klasifikasi", "Lintang"])
    book.active.append(["KIM Lima", "14.71.01.1002", 12345, date(2024, 2, 1), "Lurah", "mandiri", 0.51])
    content = io.BytesIO()
    book.save(content)
    data = read_file(content.getvalue(), 10).rows[0]["data"]
    assert data["sk"] == {"number": "12345", "date": "2024-02-01", "issuer": "Lurah"} and data["lat"] == 0.51


def test_the_same_bytes_are_the_same_digest():
    text = f"{HEADER}\nKIM Satu;14.71.01.1002;SK/1;2024-03-01;Lurah;tumbuh;;;;\n".encode()
    assert read_file(text, 10).sha256 == read_file(text, 10).sha256 != read_file(text + b"\n", 10).sha256


@pytest.mark.parametrize("content, status", [
    (b"\xff\xfe\x00n\x00a", 415),
    (b"PK\x03\x04 no zip at all", 415),
    (b"nama;kode_desa\nKIM;14.71.01.1002\n", 422),  # required columns missing
    (f"{HEADER};warna\n".encode(), 422),  # a column nobody knows
    (f"{HEADER}\n\n".encode(), 422),  # no rows
    (f'{HEADER}\n"{"x" * 200_000}\n'.encode(), 422),  # a field longer than csv reads
    (f"{HEADER}\n" + "KIM;14.71.01.1002;SK;2024-03-01;Lurah;tumbuh;;;;\n" * 4, 413),  # more rows than allowed
])
def test_a_file_that_cannot_be_imported_is_a_problem(content, status):
    with pytest.raises(Problem) as raised:
        read_file(content if isinstance(content, bytes) else content.encode(), 3)
    assert raised.value.status == status


def test_a_file_name_keeps_no_control_characters():
    assert file_name("kim\x00\n.csv") == "kim.csv" and len(file_name("a" * 500)) == 200 and file_name(None) == ""


def test_an_upload_larger_than_its_own_limit_is_413_before_it_is_read(client, admin):
    response = client.post("/api/v1/kims/import", headers={**admin, "Content-Length": str(64 * 1024 * 1024)},
                           content=b"x")
    assert response.status_code == 413 and response.headers["content-type"] == "application/problem+json"
