"""The aspirations service's share of the evaluation's figures (issue 15): per
group and month, the aspirations it filed, those of them answered, and the
hoax reports it made. One small function per figure,
listed in SOURCES; a figure without one is reported as not available."""
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aspirations.models import Aspiration, DirectoryKim, HoaxReport
from services.common.figures import Figures, Period, answer, check_region, tally
from services.common.scope import Actor, require_region


def _moments(session: Session, region: str, period: Period, timezone: str, column, figure: str):
    # the group's region (its place in the directory), not the aspiration's: one it filed about a
    # neighbouring regency is still its work
    start, end = period.moments(timezone)
    return [(kim_id, at, figure, 1) for kim_id, at in session.execute(
        select(Aspiration.kim_id, column).join(DirectoryKim, DirectoryKim.id == Aspiration.kim_id).where(
            DirectoryKim.village_code.like(f"{region}.%"), column >= start, column < end))]


def aspirations_filed(session: Session, region: str, period: Period, timezone: str):
    return _moments(session, region, period, timezone, Aspiration.submitted_at, "aspirations_filed")


def aspirations_answered(session: Session, region: str, period: Period, timezone: str):
    return _moments(session, region, period, timezone, Aspiration.responded_at, "aspirations_answered")


def hoax_reports(session: Session, region: str, period: Period, timezone: str):
    start, end = period.moments(timezone)
    return [(kim_id, at, "hoax_reports", 1) for kim_id, at in session.execute(
        select(HoaxReport.kim_id, HoaxReport.created_at).join(DirectoryKim, DirectoryKim.id == HoaxReport.kim_id)
        .where(DirectoryKim.village_code.like(f"{region}.%"), HoaxReport.created_at >= start,
               HoaxReport.created_at < end))]


# figure -> the function counting it
SOURCES = {"aspirations_filed": aspirations_filed, "aspirations_answered": aspirations_answered,
           "hoax_reports": hoax_reports}


def group_figures(session: Session, actor: Actor, region: str, first: str, last: str, timezone: str) -> dict:
    check_region(region)
    require_region(actor, region)
    period = Period.of(first, last)
    rows = [row for source in SOURCES.values() for row in source(session, region, period, timezone)]
    figures: Figures = tally(rows, timezone)
    return answer(figures, SOURCES)
