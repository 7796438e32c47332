"""The evaluation report (issue 15) as the gateway serves it: the figures
combined from the services, and the report as CSV and as a printable PDF.

The broadcast and aspirations services each answer their share of the figures
(`group_figures`); the registry, which owns the groups, their classification and
dormancy clock and the criteria, merges them with its own and computes the index
and the report (`evaluate`). See docs/architecture.md, *Evaluation*."""
import asyncio
import csv
import io
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from services.common.vocabulary import EVALUATION_FIGURES
from services.gateway.deps import Rpc

# the services that hold a share of the figures, besides the registry
SHARES = ("broadcast", "aspirations")
FONTS = Path(__file__).parent / "web" / "static" / "fonts"


def last_twelve_months(today: date) -> tuple[str, str]:
    """The default period: the twelve whole months before this one."""
    month = today.year * 12 + today.month - 1  # this month, counted from year 0
    first, last = month - 12, month - 1
    return f"{first // 12:04d}-{first % 12 + 1:02d}", f"{last // 12:04d}-{last % 12 + 1:02d}"


async def evaluation_of(rpc: Rpc, actor: dict | None, region: str, first: str, last: str) -> dict:
    shares = await asyncio.gather(*(rpc(service, "group_figures", actor=actor, region=region, first=first, last=last)
                                    for service in SHARES))
    return await rpc("registry", "evaluate", actor=actor, region=region, first=first, last=last, shares=list(shares))


# --- CSV: one row per group, in rank order -------------------------------------------------------
# field -> (Indonesian column, English column); then one column per figure, named by its code
COLUMNS = {
    "rank": ("peringkat", "rank"), "kim_id": ("id_kim", "kim_id"), "name": ("nama", "name"),
    "village_code": ("kode_desa", "village_code"), "regency_code": ("kode_kabupaten", "regency_code"),
    "classification": ("klasifikasi", "classification"), "status": ("status", "status"),
    "index": ("indeks", "index"), "active_months": ("bulan_aktif", "active_months"), "months": ("bulan", "months"),
    "last_activity_on": ("kegiatan_terakhir", "last_activity_on"),
    "days_without_activity": ("hari_tanpa_kegiatan", "days_without_activity"),
    "at_risk": ("berisiko_vakum", "at_risk"), "next": ("klasifikasi_berikut", "next_classification"),
    "ready": ("memenuhi_kriteria", "meets_criteria"), "unmet": ("kriteria_belum_terpenuhi", "unmet_criteria"),
}


def csv_rows(report: dict) -> list[dict]:
    """The report's groups as flat rows (field -> value), the CSV's content."""
    risky = {entry["kim_id"] for entry in report["at_risk"]}
    rows = []
    for group in report["groups"]:
        following = group["next"]
        row = {field: group[field] for field in COLUMNS if field in group and field != "next"}
        row.update(at_risk=group["kim_id"] in risky, next=following["classification"] if following else "",
                   ready=bool(following and following["ready"]),
                   unmet=" ".join(f"{c['criterion']}<{c['required']}" for c in following["checks"] if not c["met"])
                   if following else "")
        row.update(group["figures"])
        rows.append(row)
    return rows


def as_csv(report: dict, english: bool) -> tuple[str, str]:
    """The CSV text (columns in the client's language, figures by their code) and the file's name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([*(COLUMNS[f][1 if english else 0] for f in COLUMNS), *EVALUATION_FIGURES])
    for row in csv_rows(report):
        writer.writerow([*(_cell(row[f], english) for f in COLUMNS), *(row[f] for f in EVALUATION_FIGURES)])
    period = report["period"]
    name = f"{'evaluation' if english else 'evaluasi'}-{report['region']['code']}-{period['from']}-{period['to']}.csv"
    return buffer.getvalue(), name


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell a spreadsheet shows as text: it would run one that starts like a formula (CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value, english: bool):
    if isinstance(value, bool):
        return ("yes" if value else "no") if english else ("ya" if value else "tidak")
    return spreadsheet_safe(value)  # a group's name is anyone's text


# --- PDF: the printable page, rendered from HTML with WeasyPrint ---------------------------------
def _fonts_fetcher():
    """A WeasyPrint fetcher of nothing but the shipped fonts: a group's name is text, never a URL
    to follow, and the report renders the same without a network."""
    from weasyprint.urls import URLFetcher  # imported here: only the PDF needs WeasyPrint

    class FontsOnly(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or path.parent != FONTS.resolve():
                raise ValueError("only the shipped fonts may be fetched")
            return super().fetch(url, headers)

    return FontsOnly(allowed_protocols=["file"])


def as_pdf(html: str) -> bytes:
    """The printable page (templates/print/evaluation.html) as PDF; CPU-bound: run it in a thread."""
    from weasyprint import HTML

    return HTML(string=html, base_url=FONTS.as_uri() + "/", url_fetcher=_fonts_fetcher()).write_pdf()
