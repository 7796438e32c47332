"""Importing a spreadsheet of groups: the upload form, the job's progress
(a page that reloads itself while the rows are imported, no script needed)
with the first rows of its report, and the whole report as CSV."""
from fastapi import Request
from fastapi.responses import Response

from services.common.vocabulary import IMPORT_STATUSES
from services.gateway.imports import COLUMNS
from services.gateway.web.api import Api, together
from services.gateway.web.console.common import console_router
from services.gateway.web.errors import PageError
from services.gateway.web.i18n import language, translator
from services.gateway.web.pages import Staff, finish, form_data, redirect, render

router = console_router()
CHOOSE_FILE = "Pilih berkas CSV atau XLSX."
REPORT_ROWS = 100  # the report's first rows on the page; the CSV holds them all


def _form(request: Request, errors: dict, status_code: int = 200) -> Response:
    return render(request, "console/kim_import.html", status_code=status_code, errors=errors, columns=COLUMNS)


@router.get("/kim/impor")
async def import_form(request: Request, staff: Staff):
    return _form(request, {})


@router.post("/kim/impor")
async def upload(request: Request, staff: Staff):
    await form_data(request)  # the CSRF token
    upload = (await request.form()).get("berkas")
    if upload is None or isinstance(upload, str) or not upload.filename:
        return _form(request, {"berkas": translator(language(request))(CHOOSE_FILE)}, 422)
    content = await upload.read()
    answer = await Api(request).call("POST", "/api/v1/kims/import",
                                     files={"file": (upload.filename, content, upload.content_type or "")})
    if answer.ok:
        return redirect(request, f"/konsol/kim/impor/{answer.data['id']}")
    return _form(request, {"berkas": answer.detail}, answer.status)


@router.get("/kim/impor/{job_id}")
async def progress(request: Request, job_id: str, staff: Staff):
    api = Api(request)
    job, report = await together(api.get(f"/api/v1/kims/import/{job_id}"),
                                 api.get(f"/api/v1/kims/import/{job_id}/report", limit=REPORT_ROWS))
    return render(request, "console/kim_import_job.html", job=job, report=report["items"], columns=COLUMNS,
                  running=job["status"] != IMPORT_STATUSES[-1])


@router.get("/kim/impor/{job_id}/laporan.csv")
async def report_csv(request: Request, job_id: str, staff: Staff):
    answer = await Api(request).call("GET", f"/api/v1/kims/import/{job_id}/report", params={"format": "csv"})
    if not answer.ok:
        raise PageError(answer.status, answer.detail)
    response = Response(answer.data, media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": answer.headers.get("content-disposition", "attachment")})
    return finish(request, response)
