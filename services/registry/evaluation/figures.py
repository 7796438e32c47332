"""The registry's share of the figures: activities reported and posts published
(a post taken down counts for nothing). Each figure is one small function returning
tally rows, listed in SOURCES; a figure without a function is reported as not
available."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.figures import Figures, Period, tally
from services.registry.models import Activity, Kim, Post


def in_region(code: str):
    return Kim.regency_code == code if "." in code else Kim.province_code == code


def activities(session: Session, region: str, period: Period, timezone: str):
    return [(kim_id, day, "activities", count) for kim_id, day, count in session.execute(
        select(Activity.kim_id, Activity.date, func.count())
        .join(Kim, Kim.id == Activity.kim_id)
        .where(in_region(region), Activity.date >= period.start, Activity.date < period.end)
        .group_by(Activity.kim_id, Activity.date))]


def posts(session: Session, region: str, period: Period, timezone: str):
    # by when it was published, not by its own date (which a group chooses: a year of back-dated posts
    # written in one day must not look like a steady year)
    start, end = period.moments(timezone)
    return [(kim_id, moment, "posts", 1) for kim_id, moment in session.execute(
        select(Post.kim_id, Post.published_at).join(Kim, Kim.id == Post.kim_id)
        .where(in_region(region), Post.status == "published", Post.published_at >= start,
               Post.published_at < end))]


# figure -> the function counting it, (session, region, period, timezone) -> (kim_id, day or moment,
# figure, amount) rows
SOURCES = {"activities": activities, "posts": posts}


def registry_figures(session: Session, region: str, period: Period, timezone: str) -> tuple[Figures, list[str]]:
    rows = [row for source in SOURCES.values() for row in source(session, region, period, timezone)]
    return tally(rows, timezone), list(SOURCES)
