"""The figures of the evaluation (issue 15) as every service answers them: what
each group did, per month of the period, `{kim_id: {"YYYY-MM": {figure: n}}}`,
with the list of figures the service counted (a figure nobody counts yet is
reported as not available, not as zero work). The registry merges the shares
and computes the index (services/registry/evaluation/)."""
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from services.common.errors import invalid

# an evaluation covers a province or a regency
EVALUATED_REGION = re.compile(r"^\d{2}(\.\d{2})?$")

Figures = dict[str, dict[str, dict[str, int]]]

# a period is whole calendar months, YYYY-MM to YYYY-MM inclusive, at most MAX_MONTHS
MAX_MONTHS = 36
# years 1945 to 2999: the platform's dates start in 1945, and a month after 9999-12 has no date
MONTH = re.compile(r"^(194[5-9]|19[5-9][0-9]|2[0-9]{3})-(0[1-9]|1[0-2])$")


def _month(value: str, field: str) -> date:
    found = MONTH.match(value or "")
    if not found:
        raise invalid(field, "YYYY-MM, 1945-01 to 2999-12", "Bulan harus berbentuk TTTT-BB (1945 s.d. 2999).",
                      "A month is written YYYY-MM (1945 to 2999).")
    return date(int(found[1]), int(found[2]), 1)


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: date  # the first day of the first month
    end: date  # the first day after the last month

    @classmethod
    def of(cls, first: str, last: str) -> "Period":
        start, last_month = _month(first, "from"), _month(last, "to")
        if last_month < start:
            raise invalid("to", ">= from", "Bulan akhir sebelum bulan awal.", "The last month is before the first.")
        period = cls(start, _next(last_month))
        if len(period.months) > MAX_MONTHS:
            raise invalid("to", f"at most {MAX_MONTHS} months", f"Periode paling lama {MAX_MONTHS} bulan.",
                          f"A period is at most {MAX_MONTHS} months.")
        return period

    @classmethod
    def ending(cls, last: str, months: int) -> "Period":
        """The `months` whole months up to `last`."""
        end = _month(last, "to")
        count = end.year * 12 + end.month - 1 - (months - 1)
        return cls.of(f"{count // 12:04d}-{count % 12 + 1:02d}", last)

    @property
    def months(self) -> list[str]:
        found, month = [], self.start
        while month < self.end:
            found.append(month.strftime("%Y-%m"))
            month = _next(month)
        return found

    @property
    def first(self) -> str:
        return self.months[0]

    @property
    def last(self) -> str:
        return self.months[-1]

    def moments(self, timezone: str) -> tuple[datetime, datetime]:
        """The period as moments: from the first day's midnight to the midnight after it, in `timezone`."""
        zone = ZoneInfo(timezone)
        # in UTC: SQLite compares the stored UTC text with the parameter's text, not as moments
        return (datetime.combine(self.start, time(), zone).astimezone(UTC),
                datetime.combine(self.end, time(), zone).astimezone(UTC))


def check_region(code: str):
    if not EVALUATED_REGION.match(code or ""):
        raise invalid("region", "a province or regency code", "Evaluasi dibuat per provinsi atau kabupaten/kota.",
                      "An evaluation covers a province or a regency/city.")


def month_of(moment: date | datetime, timezone: str) -> str:
    """The month a day or a moment falls in, in the platform's time zone (a naive
    moment, as SQLite gives it back, is UTC)."""
    if isinstance(moment, datetime):
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(ZoneInfo(timezone))
    return moment.strftime("%Y-%m")


def tally(rows: Iterable[tuple[str, date | datetime, str, int]], timezone: str) -> Figures:
    """(kim_id, day or moment, figure, amount) rows summed per group, month and figure."""
    found: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for kim_id, moment, figure, amount in rows:
        found[kim_id][month_of(moment, timezone)][figure] += int(amount or 0)
    return {kim: {month: dict(figures) for month, figures in months.items()} for kim, months in found.items()}


def merge(*parts: Figures) -> Figures:
    merged: dict = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    for part in parts:
        for kim, months in part.items():
            for month, figures in months.items():
                for figure, amount in figures.items():
                    merged[kim][month][figure] += amount
    return {kim: {month: dict(figures) for month, figures in months.items()} for kim, months in merged.items()}


def answer(figures: Figures, counted: Iterable[str]) -> dict:
    """A service's answer to `group_figures`."""
    return {"figures": figures, "counted": sorted(counted)}
