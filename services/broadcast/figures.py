"""The broadcast service's share of the evaluation's figures (issue 15): per
group and month, broadcasts acknowledged, relays to the community and the people
they reached. One small function per figure, listed in SOURCES."""
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.broadcast.models import Delivery, Relay
from services.common.figures import Period, answer, check_region, tally
from services.common.scope import Actor, require_region


def _in_region(region: str):
    return Delivery.village_code.like(f"{region}.%")


def acknowledged(session: Session, region: str, period: Period, timezone: str):
    start, end = period.moments(timezone)
    return [(kim_id, at, "acknowledged", 1) for kim_id, at in session.execute(
        select(Delivery.kim_id, Delivery.acknowledged_at).where(
            _in_region(region), Delivery.kind == "broadcast",
            Delivery.acknowledged_at >= start, Delivery.acknowledged_at < end))]


def relays(session: Session, region: str, period: Period, timezone: str):
    rows = session.execute(
        select(Delivery.kim_id, Relay.date, func.count(), func.sum(Relay.reached))
        .join(Delivery, Delivery.id == Relay.delivery_id)
        .where(_in_region(region), Relay.date >= period.start, Relay.date < period.end)
        .group_by(Delivery.kim_id, Relay.date)).all()
    return [row for kim_id, day, count, reached in rows
            for row in ((kim_id, day, "relays", count), (kim_id, day, "reached", reached))]


SOURCES = {"acknowledged": acknowledged, "relays": relays}
COUNTED = (*SOURCES, "reached")  # relays() counts the people reached too


def group_figures(session: Session, actor: Actor, region: str, first: str, last: str, timezone: str) -> dict:
    check_region(region)
    require_region(actor, region)
    period = Period.of(first, last)
    rows = [row for source in SOURCES.values() for row in source(session, region, period, timezone)]
    return answer(tally(rows, timezone), COUNTED)
