"""Reading an office's spreadsheet of groups (CSV or XLSX) into the rows the
registry imports (issue 13).

A file is XLSX when it is a ZIP (its first sheet is read, with openpyxl in
read-only mode), else CSV in UTF-8 (with or without a byte order mark; `;`
or `,` between fields, whichever the header line uses). Its first row names
the columns, in Indonesian or in English (COLUMNS). Every row becomes the
body a single registration would send and is checked with the API's own
schema (routes.kims.KimFields): a row of the wrong form carries its field
problems instead of its data, in Indonesian and English, for the report.
The rules that need the registry (village, scope, tags, duplicates) are the
registry's, applied to each row as to a registration.
"""
import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass
from datetime import date, datetime

from pydantic import Field, ValidationError, model_validator
from pydantic_core import PydanticCustomError

from services.common.regions import VILLAGE_CODE
from services.gateway.problems import Problem, error_field, field_message
from services.gateway.routes.common import TEXT
from services.gateway.routes.kims import KimFields

# field of a registration -> (Indonesian column, English column); the order of a template
COLUMNS = {
    "name": ("nama", "name"),
    "village_code": ("kode_desa", "village_code"),
    "village": ("desa", "village"),
    "sk.number": ("nomor_sk", "sk_number"),
    "sk.date": ("tanggal_sk", "sk_date"),
    "sk.issuer": ("penerbit_sk", "sk_issuer"),
    "classification": ("klasifikasi", "classification"),
    "tags": ("tag", "tags"),
    "address": ("alamat", "address"),
    "lat": ("lintang", "lat"),
    "lon": ("bujur", "lon"),
    "contact.person": ("kontak", "contact_person"),
    "contact.phone": ("telepon", "phone"),
    "contact.email": ("email", "email"),
    "contact.website": ("situs", "website"),
}
HEADER_FIELDS = {name: field for field, names in COLUMNS.items() for name in names}
REQUIRED = ("name", "sk.number", "sk.date", "sk.issuer", "classification")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DAY_FIRST = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


class ImportedKim(KimFields):
    """A row: a registration's fields, with the village given by its code or,
    when the office prefers, by its name (unique inside the office's region)."""
    village_code: str | None = Field(None, pattern=VILLAGE_CODE)  # type: ignore[assignment]
    village: str | None = Field(None, min_length=2, max_length=100, pattern=TEXT)

    @model_validator(mode="after")
    def _a_village(self):
        if not self.village_code and not self.village:
            raise PydanticCustomError("village_needed", "village_code or village")
        return self


@dataclass
class ReadFile:
    sha256: str
    rows: list[dict]  # {position, line, data | errors}


def file_name(name: str | None) -> str:
    """The uploaded file's name as the job keeps it: no control characters, at most 200 characters."""
    return re.sub(r"[\x00-\x1f\x7f]", "", name or "")[:200]


def too_large(limit: int) -> Problem:
    return Problem(413, f"Berkas melebihi {limit} bait.", f"The file exceeds {limit} bytes.")


def read_file(content: bytes, max_rows: int) -> ReadFile:
    """The rows of an uploaded file, each checked for its form; a problem
    (415, 413 or 422) when the file as a whole cannot be imported."""
    if content.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(content, max_rows)
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise Problem(415, "Berkas harus CSV (UTF-8) atau XLSX.", "The file must be CSV (UTF-8) or XLSX.") \
                from None
        table = _csv_rows(text, max_rows)
    header, *body = table if table else ([],)
    fields = _fields_of(header)
    rows: list[dict] = []
    for index, values in enumerate(body):
        if not any(_cell(v) for v in values):
            continue  # an empty line between the rows
        rows.append({"position": len(rows) + 1, "line": index + 2, **checked(dict(zip(fields, values, strict=False)))})
    if not rows:
        raise Problem(422, "Berkas tidak berisi baris KIM.", "The file holds no rows of groups.")
    if len(rows) > max_rows:
        raise Problem(413, f"Berkas berisi lebih dari {max_rows} baris.", f"The file holds more than {max_rows} rows.")
    return ReadFile(hashlib.sha256(content).hexdigest(), rows)


def _csv_rows(text: str, max_rows: int) -> list[list]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            rows.append(row)
            if len(rows) > max_rows + 1:
                break
    except csv.Error as error:  # a field longer than csv's limit, a quote left open at the end ...
        raise Problem(422, f"Baris {len(rows) + 2} tidak terbaca sebagai CSV.",
                      f"Row {len(rows) + 2} cannot be read as CSV.") from error
    return rows


def _xlsx_rows(content: bytes, max_rows: int) -> list[list]:
    from openpyxl import load_workbook  # only an XLSX upload needs it

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a ZIP that is no workbook fails in many ways (zipfile, XML, openpyxl's own)
        raise Problem(415, "Berkas XLSX ini tidak dapat dibaca.", "This XLSX file cannot be read.") from None
    try:
        rows = []
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > max_rows + 1:
                break
        return rows
    except Exception:
        raise Problem(415, "Berkas XLSX ini tidak dapat dibaca.", "This XLSX file cannot be read.") from None
    finally:
        workbook.close()


def _fields_of(header: list) -> list[str | None]:
    names = [re.sub(r"[\s-]+", "_", _cell(h).lower()) for h in header]
    unknown = [n for n in names if n and n not in HEADER_FIELDS]
    if unknown:
        raise Problem(422, f"Kolom tidak dikenal: {', '.join(unknown)}.", f"Unknown columns: {', '.join(unknown)}.",
                      errors=[{"field": n, "message": "unknown column"} for n in unknown])
    fields = [HEADER_FIELDS.get(n) for n in names]
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in fields]
    if "village_code" not in fields and "village" not in fields:
        missing.append("kode_desa")
    if missing:
        raise Problem(422, f"Kolom wajib tidak ada: {', '.join(missing)}.",
                      f"Required columns missing: {', '.join(missing)}.",
                      errors=[{"field": n, "message": "required column"} for n in missing])
    return fields


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _number(value):
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _cell(value).replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return text
    return number if math.isfinite(number) else text


def _day(value) -> str:
    text = _cell(value)
    found = DAY_FIRST.match(text)  # 01/03/2024 as Indonesia writes it
    return f"{found.group(3)}-{int(found.group(2)):02d}-{int(found.group(1)):02d}" if found else text


def checked(cells: dict) -> dict:
    """A row's cells as a registration's body, checked with the API's schema:
    {"data": ...} or {"errors": [{field, message, message_en}]}."""
    text = {field: _cell(value) for field, value in cells.items() if field}
    contact = {key: text[f"contact.{key}"] for key in ("person", "phone", "email", "website")
               if text.get(f"contact.{key}")}
    body = {
        "name": text.get("name", ""), "village_code": text.get("village_code") or None,
        "village": text.get("village") or None,
        "sk": {"number": text.get("sk.number", ""), "date": _day(cells.get("sk.date")) or None,
               "issuer": text.get("sk.issuer", "")},
        "classification": text.get("classification", "").lower() or None,
        "tags": [t for t in re.split(r"[\s,;|]+", text.get("tags", "").lower()) if t],
        "contact": contact or None, "address": text.get("address") or None,
        "lat": _number(cells.get("lat")) if text.get("lat") else None,
        "lon": _number(cells.get("lon")) if text.get("lon") else None,
    }
    try:
        row = ImportedKim.model_validate(body)
    except ValidationError as invalid:
        errors = [dict(e) for e in invalid.errors()]
        return {"errors": [{"field": error_field(e) or "village_code", "message": field_message(e, False),
                            "message_en": field_message(e, True)} for e in errors]}
    return {"data": row.model_dump(mode="json", exclude_none=True)}
