"""RFC 9457 problem responses for every error, in Indonesian first and in
English when the client prefers it (Accept-Language), and the one place
where a service's domain error becomes an HTTP status."""
import logging
import traceback
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"

# status -> (slug, Indonesian title, English title)
TITLES = {
    400: ("bad-request", "Permintaan tidak valid", "Bad request"),
    401: ("unauthorized", "Tidak terautentikasi", "Unauthorized"),
    403: ("forbidden", "Akses ditolak", "Forbidden"),
    404: ("not-found", "Tidak ditemukan", "Not found"),
    405: ("method-not-allowed", "Metode tidak diizinkan", "Method not allowed"),
    409: ("conflict", "Konflik", "Conflict"),
    412: ("precondition-failed", "Versi data sudah berubah", "Precondition failed"),
    413: ("payload-too-large", "Permintaan terlalu besar", "Payload too large"),
    415: ("unsupported-media-type", "Jenis konten tidak didukung", "Unsupported media type"),
    422: ("validation-error", "Data tidak valid", "Unprocessable content"),
    429: ("too-many-requests", "Terlalu banyak permintaan", "Too many requests"),
    500: ("internal-error", "Kesalahan internal", "Internal server error"),
    503: ("service-unavailable", "Layanan tidak tersedia", "Service unavailable"),
}

# The one mapping from a service's domain error type to an HTTP status.
REMOTE_ERROR_STATUS = {
    "NotFound": 404,
    "OutOfScope": 403,
    "Conflict": 409,
    "PreconditionFailed": 412,
    "InvalidTransition": 409,
    "InvalidInput": 422,
}


class ProblemDetails(BaseModel):
    """An RFC 9457 problem (documented in OpenAPI for every error response)."""
    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [{
        "type": "urn:kim:problem:not-found", "title": "Tidak ditemukan", "status": 404,
        "detail": "Wilayah dengan kode 99.99 tidak ditemukan."}]})

    type: str
    title: str
    status: int
    detail: str | None = None
    errors: list[dict] | None = None


def prefers_english(request: Request) -> bool:
    header = request.headers.get("accept-language", "").lower()
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        if tag.startswith("en"):
            return True
        if tag.startswith("id"):
            return False
    return False


class Problem(Exception):
    """Raise anywhere in the gateway to answer with a problem response.
    `detail` is Indonesian; `detail_en` its English version."""

    def __init__(self, status: int, detail: str, detail_en: str | None = None, *,
                 errors: list[dict] | None = None, headers: dict | None = None, **extra: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.detail_en = detail_en
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


def problem_response(request: Request, status: int, detail: str | None = None,
                     detail_en: str | None = None, errors: list[dict] | None = None,
                     headers: Mapping[str, str] | None = None, **extra) -> JSONResponse:
    slug, title_id, title_en = TITLES.get(status, ("error", "Kesalahan", "Error"))
    english = prefers_english(request)
    body = {
        "type": f"urn:kim:problem:{slug}",
        "title": title_en if english else title_id,
        "status": status,
        "detail": (detail_en or detail) if english else detail,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


OPEN311_PREFIX = "/open311/"


def georeport_errors(request: Request, status: int, errors: list[tuple[str, str]],
                     headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Open311's error shape, `[{"code": status, "description": ...}]`; `errors`: (Indonesian,
    English) descriptions, one given in the reader's language."""
    english = prefers_english(request)
    return JSONResponse([{"code": status, "description": en if english else id_} for id_, en in errors],
                        status_code=status, headers=headers)


def error_response(request: Request, status: int, detail: str, detail_en: str,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    """An error answered before any route (middleware, an unknown path or method), in the shape
    the path's clients read: Open311's under /open311/, a problem everywhere else."""
    if request.url.path.startswith(OPEN311_PREFIX):
        return georeport_errors(request, status, [(detail, detail_en)], headers=headers)
    return problem_response(request, status, detail, detail_en, headers=headers)


def remote_error_to_problem(exc_type: str, detail: str, extra: dict) -> Problem:
    status = REMOTE_ERROR_STATUS.get(exc_type, 500)
    extra = dict(extra or {})
    detail_en = extra.pop("detail_en", None)
    errors = extra.pop("errors", None)
    if status == 500:
        return Problem(500, "Terjadi kesalahan pada layanan.", "A service failed.")
    return Problem(status, detail, detail_en, errors=errors, **extra)


# pydantic error type -> (Indonesian, English) message, formatted with the error's ctx
FIELD_MESSAGES = {
    "missing": ("Wajib diisi.", "Required."),
    "string_too_short": ("Terlalu pendek: paling sedikit {min_length} karakter.",
                         "Too short: at least {min_length} characters."),
    "string_too_long": ("Terlalu panjang: paling banyak {max_length} karakter.",
                        "Too long: at most {max_length} characters."),
    "string_pattern_mismatch": ("Bentuknya tidak sesuai.", "Not in the expected form."),
    "literal_error": ("Pilih salah satu dari: {expected}.", "Choose one of: {expected}."),
    "enum": ("Pilih salah satu dari: {expected}.", "Choose one of: {expected}."),
    "greater_than_equal": ("Paling kecil {ge}.", "At least {ge}."),
    "less_than_equal": ("Paling besar {le}.", "At most {le}."),
    "int_parsing": ("Isi dengan bilangan bulat.", "Enter a whole number."),
    "float_parsing": ("Isi dengan angka.", "Enter a number."),
    "bool_parsing": ("Isi dengan ya atau tidak.", "Enter yes or no."),
    "date_parsing": ("Isi dengan tanggal (TTTT-BB-HH).", "Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": ("Isi dengan tanggal (TTTT-BB-HH).", "Enter a date (YYYY-MM-DD)."),
    "datetime_parsing": ("Isi dengan tanggal dan jam.", "Enter a date and time."),
    "datetime_from_date_parsing": ("Isi dengan tanggal dan jam.", "Enter a date and time."),
    "too_short": ("Pilih paling sedikit {min_length}.", "Choose at least {min_length}."),
    "too_long": ("Paling banyak {max_length}.", "At most {max_length}."),
    "extra_forbidden": ("Isian ini tidak dikenal.", "This field is not known."),
    "publik_and_rahasia": ("Aspirasi rahasia tidak dapat dipublikasikan: pilih salah satu.",
                           "A confidential aspiration cannot be published: choose one."),
    "string_type": ("Isi dengan teks.", "Enter text."),
    # issue 16: a broadcast's English text and its changes
    "english_pair": ("Judul dan isi bahasa Inggris diisi keduanya atau tidak sama sekali.",
                     "The English title and body are given both or neither."),
    "nothing_to_change": ("Tidak ada yang diubah: kirim paling sedikit satu isian.",
                          "Nothing to change: send at least one field."),
    "village_needed": ("Isi kode desa atau nama desa.", "Give the village's code or its name."),
    "model_type": ("Isi dengan objek berisi isian-isiannya.", "Enter an object with its fields."),
    # the role rules of keys and accounts
    "operator_scope": ("Operator memerlukan kode kabupaten/kota, misalnya 14.71.",
                       "An operator needs a regency/city code such as 14.71."),
    "admin_scope": ("Wilayah admin adalah kode provinsi, misalnya 14, atau kosong untuk seluruh Indonesia.",
                    "An admin's region is a province code such as 14, or none for the whole country."),
    "kim_id_needed": ("Akses KIM memerlukan nomor KIM.", "A kim key or account needs its kim_id."),
    "kim_id_only_for_kim": ("Hanya akses KIM yang memiliki nomor KIM.", "Only a kim key or account has a kim_id."),
    "kim_no_scope": ("Akses KIM tidak memiliki wilayah: kelompoknyalah cakupannya.",
                     "A kim key or account has no region: its group is its scope."),
}


def field_message(error: dict, english: bool) -> str:
    """A validation error's message in the reader's language."""
    known = FIELD_MESSAGES.get(error.get("type", ""))
    if known is None:
        message = str(error.get("msg", ""))
        return message.removeprefix("Value error, ")
    try:
        return known[1 if english else 0].format(**(error.get("ctx") or {}))
    except (KeyError, IndexError):
        return known[1 if english else 0]


def error_field(error: dict) -> str:
    """The field an error is about; a rule across fields names its field in ctx."""
    named = (error.get("ctx") or {}).get("field")
    return _field((*error.get("loc", ()), *([named] if named else [])))


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header"):
        return ".".join(parts[1:]) or parts[0]
    return ".".join(parts)


def install(app: FastAPI):
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem):
        return problem_response(request, exc.status, exc.detail, exc.detail_en,
                                errors=exc.errors, headers=exc.headers, **exc.extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return problem_response(request, 400, "Badan permintaan bukan JSON yang valid.",
                                    "The request body is not valid JSON.")
        english = prefers_english(request)
        return problem_response(
            request, 422, "Beberapa isian tidak valid.", "Some fields are invalid.",
            errors=[{"field": error_field(e), "in": str(e.get("loc", ("",))[0]),
                     "message": field_message(e, english), "type": e.get("type")} for e in errors])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail in (None, "Not Found"):
            return error_response(request, 404, "Alamat tidak ditemukan.", "No such resource.")
        if exc.status_code == 405:
            return error_response(request, 405, "Metode ini tidak diizinkan di alamat ini.",
                                  "This method is not allowed here.", headers=exc.headers)
        return problem_response(request, exc.status_code, detail, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        # where it failed, never what was sent: an exception's text may quote the request's body
        logging.getLogger("services.gateway").error(
            "unhandled %s on %s %s\n%s", type(exc).__name__, request.method, request.url.path,
            "".join(traceback.format_tb(exc.__traceback__)).rstrip())
        return problem_response(request, 500, "Terjadi kesalahan internal.", "An internal error occurred.")
