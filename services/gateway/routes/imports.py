"""/api/v1/kims/import: an office imports its spreadsheet of groups (CSV or
XLSX). The gateway reads and checks the file's rows (services/gateway/imports.py)
and hands them to the registry, which imports them in the background by the
rules of a single registration; the job shows its progress and a report per
row, in the file's order, as JSON or CSV (Indonesian columns first)."""
import csv
import hashlib
import io
from collections.abc import AsyncIterator
from typing import Annotated, Literal

from fastapi import APIRouter, File, Path, Query, Request, Response, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict
from starlette.concurrency import run_in_threadpool

from services.common.vocabulary import IMPORT_OUTCOMES, IMPORT_STATUSES
from services.gateway.deps import Office, Rpc, RpcCall, actor
from services.gateway.imports import COLUMNS, file_name, read_file, too_large
from services.gateway.problems import prefers_english
from services.gateway.routes.common import Page, Pages, problems

router = APIRouter(tags=["kims"])

JOB_ID = r"^[0-9a-f]{32}$"
JobId = Annotated[str, Path(pattern=JOB_ID, examples=["3f2a9c0d4b1e4f6a8c7d5e2b1a0f9e8d"])]
CHUNK = 5000  # rows per call to the registry
CSV = "text/csv; charset=utf-8"
REPORT_PAGE = 10_000


class ImportJob(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": "3f2a9c0d4b1e4f6a8c7d5e2b1a0f9e8d", "file_name": "kim-pekanbaru.xlsx", "office": "14.71",
        "status": "running", "rows_total": 1200, "rows_done": 400, "imported": 390, "rejected": 10,
        "created_at": "2026-11-29T08:00:00+00:00", "started_at": "2026-11-29T08:00:01+00:00",
        "finished_at": None}]})
    id: str
    file_name: str
    office: str
    status: Literal[IMPORT_STATUSES]
    rows_total: int
    rows_done: int
    imported: int
    rejected: int
    created_at: str
    started_at: str | None
    finished_at: str | None


class Reason(BaseModel):
    field: str | None
    message: str
    message_en: str


class ReportRow(BaseModel):
    row: int
    position: int
    outcome: Literal[IMPORT_OUTCOMES] | None
    kim_id: str | None
    name: str | None
    village_code: str | None
    reasons: list[Reason]


def _chunks(rows: list, size: int):
    for first in range(0, len(rows), size):
        yield rows[first:first + size]


@router.post("/api/v1/kims/import", status_code=202, response_model=ImportJob,
             responses=problems(400, 401, 403, 413, 415, 422, 503),
             summary="Import groups from a spreadsheet (CSV or XLSX, an office); the same file again is the same job")
async def import_kims(request: Request, caller: Office, rpc: RpcCall, response: Response,
                      file: Annotated[UploadFile, File(description="CSV (UTF-8, `;` or `,`) or XLSX; its first row "
                                                                   "names the columns, e.g. nama, kode_desa, nomor_sk, "
                                                                   "tanggal_sk, penerbit_sk, klasifikasi")]):
    settings = request.app.state.settings
    content = await file.read(settings.import_max_bytes + 1)
    if len(content) > settings.import_max_bytes:
        raise too_large(settings.import_max_bytes)
    who = actor(caller)
    # the same file again: its job as it is, without reading the file a second time
    job = await rpc("registry", "find_import", actor=who, file_sha256=hashlib.sha256(content).hexdigest())
    if job is not None and job["status"] != "receiving":
        response.headers["Location"] = f"/api/v1/kims/import/{job['id']}"
        return job
    read = await run_in_threadpool(read_file, content, settings.import_max_rows)
    job = await rpc("registry", "start_import", actor=who, file_sha256=read.sha256,
                    file_name=file_name(file.filename), rows_total=len(read.rows))
    if job["status"] == "receiving":  # new, or an upload that broke off: its rows (again; repeats are ignored)
        for chunk in _chunks(read.rows, CHUNK):
            job = await rpc("registry", "add_import_rows", actor=who, job_id=job["id"], rows=chunk,
                            timeout=max(settings.rpc_timeout, 30))
    response.headers["Location"] = f"/api/v1/kims/import/{job['id']}"
    return job


@router.get("/api/v1/kims/import/{job_id}", response_model=ImportJob, responses=problems(401, 403, 404, 503),
            summary="An import's status and progress (rows done of the total, imported, rejected)")
async def get_import(job_id: JobId, caller: Office, rpc: RpcCall):
    return await rpc("registry", "get_import", actor=actor(caller), job_id=job_id)


# report column -> (Indonesian, English)
REPORT_COLUMNS = {"row": ("baris", "row"), "outcome": ("hasil", "outcome"), "kim_id": ("nomor_kim", "kim_id"),
                  "name": ("nama", "name"), "village_code": ("desa", "village"), "reasons": ("alasan", "reasons")}
PENDING = ("menunggu", "pending")


def report_line(item: dict, english: bool) -> list:
    language = 1 if english else 0
    outcome = item["outcome"]
    term = IMPORT_OUTCOMES.term(outcome) if outcome else None
    reasons = "; ".join(
        (f"{COLUMNS[r['field']][language]}: " if r.get("field") in COLUMNS else "")
        + (r["message_en"] if english else r["message"]) for r in item["reasons"])
    return [item["row"], (term.en if english else term.id).lower() if term else PENDING[language],
            item["kim_id"] or "", item["name"] or "", item["village_code"] or "", reasons]


async def _report_csv(rpc: Rpc, who: dict | None, job_id: str, english: bool) -> AsyncIterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([names[1 if english else 0] for names in REPORT_COLUMNS.values()])
    offset = 0
    while True:
        page = await rpc("registry", "import_report", actor=who, job_id=job_id, limit=REPORT_PAGE, offset=offset)
        for item in page["items"]:
            writer.writerow(report_line(item, english))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return


@router.get("/api/v1/kims/import/{job_id}/report", response_model=Page[ReportRow],
            responses={**problems(401, 403, 404, 422, 503), 200: {"content": {"application/json": {}, "text/csv": {}}}},
            summary="Each row's outcome in the file's order, with the reasons (?format=csv: the whole report)")
async def import_report(job_id: JobId, caller: Office, rpc: RpcCall, request: Request, paging: Pages,
                        format: Annotated[Literal["json", "csv"], Query(description="csv for a spreadsheet")] = "json"):
    who = actor(caller)
    if format == "json":
        page = await rpc("registry", "import_report", actor=who, job_id=job_id, limit=paging.limit,
                         offset=paging.offset)
        return paging.page(page["items"], page["total"])
    english = prefers_english(request)
    # the first page before the answer starts: a job that does not exist or is not yours is its problem
    await rpc("registry", "get_import", actor=who, job_id=job_id)
    name = f"{'import-report' if english else 'laporan-impor'}-{job_id[:8]}.csv"
    return StreamingResponse(_report_csv(rpc, who, job_id, english), media_type=CSV,
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})
