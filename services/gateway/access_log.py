"""The personal data access log (issue 16, UU 27/2022): who saw which
personal data, when. Written by the routes that answer personal data (the
website's pages call those routes, so they are logged too); read and exported
by a national admin. After a breach it tells who saw what (docs/breach-runbook.md)."""
import csv
import io
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from services.common.events import utcnow
from services.gateway.evaluation import spreadsheet_safe
from services.gateway.keys import Principal
from services.gateway.models import PersonalDataAccess

COLUMNS = ("at", "actor", "actor_name", "role", "action", "subject", "records")


def entry_view(row: PersonalDataAccess) -> dict:
    return {"at": row.at.isoformat(), "actor": row.actor, "actor_name": row.actor_name, "role": row.role,
            "action": row.action, "subject": row.subject, "records": row.records}


class AccessLog:
    def __init__(self, session_factory: sessionmaker):
        self.Session = session_factory

    def record(self, caller: Principal, action: str, subject: str, records: int) -> None:
        with self.Session.begin() as session:
            session.add(PersonalDataAccess(at=utcnow(), actor=caller.actor.label, actor_name=caller.name[:200],
                                           role=caller.role, action=action, subject=subject[:120],
                                           records=records))

    def _query(self, since: datetime | None, until: datetime | None, actor: str | None, action: str | None):
        query = select(PersonalDataAccess)
        # in UTC: PostgreSQL takes no offset beyond ±15:59, which ISO 8601 allows
        if since is not None:
            query = query.where(PersonalDataAccess.at >= since.astimezone(UTC))
        if until is not None:
            query = query.where(PersonalDataAccess.at < until.astimezone(UTC))
        if actor:
            query = query.where(PersonalDataAccess.actor == actor)
        if action:
            query = query.where(PersonalDataAccess.action == action)
        return query

    def page(self, since, until, actor, action, limit: int, offset: int) -> tuple[list[dict], int]:
        query = self._query(since, until, actor, action)
        with self.Session() as session:
            total = session.scalar(select(func.count()).select_from(query.subquery()))
            rows = session.scalars(query.order_by(PersonalDataAccess.id.desc()).limit(limit).offset(offset)).all()
            return [entry_view(row) for row in rows], total or 0

    def csv(self, since, until, actor, action) -> str:
        """Every entry that matches, oldest first, as CSV."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        with self.Session() as session:
            for row in session.scalars(self._query(since, until, actor, action).order_by(PersonalDataAccess.id)):
                view = entry_view(row)
                writer.writerow([spreadsheet_safe(view[c]) for c in COLUMNS])  # a key's name is anyone's text
        return out.getvalue()


async def log_access(request: Request, caller: Principal, action: str, subject: str, records: int,
                     always: bool = False) -> None:
    """One entry, when the answer showed personal data (records > 0), or `always` (a search for a
    person is logged whatever it found)."""
    if records > 0 or always:
        await run_in_threadpool(request.app.state.access_log.record, caller, action, subject, records)
