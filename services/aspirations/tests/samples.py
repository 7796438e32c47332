"""An aspiration as a model object, not stored: for building its events with
the aspirations service's own builders (services/aspirations/events.py),
here and in the consumers' contract tests; and a migrated aspirations
database with its settings and calendar, for the domain tests."""
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from services.aspirations.models import Aspiration
from services.aspirations.settings import AspirationsSettings
from services.aspirations.workflow import Calendar
from services.common.db import make_engine
from services.common.migrations import upgrade

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def migrated_database(databases, **settings) -> tuple[Engine, AspirationsSettings, Calendar]:
    """A fresh aspirations database of the test's backend, its settings (with `settings`) and calendar."""
    url = databases("aspirations")
    upgrade(url, MIGRATIONS)
    configured = AspirationsSettings(database_url=url, **settings)
    return make_engine(url), configured, Calendar(configured.timezone, frozenset(configured.holiday_dates))


def sample_aspiration(**changes) -> Aspiration:
    fields = {"id": "A-1", "tracking_code": "K7QX2M9PRT", "kim_id": "KIM-14710110-AB12",
              "village_code": "14.71.01.1002", "regency_code": "14.71", "province_code": "14",
              "status": "forwarded", "due_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC)}
    fields.update(changes)
    return Aspiration(**fields)
