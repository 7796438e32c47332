"""The SP4N-LAPOR! workflow and its deadlines in working days.

received -> verified -> forwarded -> in_progress -> responded -> closed,
and rejected (with a reason) from received or verified. A response that
nobody disputes is closed automatically after `close_days` working days.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

TRANSITIONS = {
    "received": ("verified", "rejected"),
    "verified": ("forwarded", "rejected"),
    "forwarded": ("in_progress", "responded"),
    "in_progress": ("responded",),
    "responded": ("closed", "in_progress"),  # back to work when the answer is disputed
    "closed": (),
    "rejected": (),
}
OPEN = ("received", "verified", "forwarded", "in_progress")


@dataclass(frozen=True)
class Calendar:
    timezone: str
    holidays: frozenset

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The end of the `days`-th working day after `start` (local time)."""
        zone = ZoneInfo(self.timezone)
        day = start.astimezone(zone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        # stored in UTC: SQLite keeps no offsets
        return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def deadline(calendar: Calendar, settings, status: str, since: datetime) -> datetime | None:
    """When the step after `status` is due, counted from `since`."""
    days = {"received": settings.verify_days, "verified": settings.forward_days,
            "forwarded": settings.response_days, "responded": settings.close_days}.get(status)
    return calendar.add_working_days(since, days) if days is not None else None
