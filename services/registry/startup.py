"""What the registry does before serving, also used by its commands."""
from pathlib import Path

from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.registry import coverage
from services.registry.regions import load_regions

MIGRATIONS = Path(__file__).parent / "migrations"


def load_reference_data(settings):
    """The regions (once) and their coverage counters (once)."""
    engine = make_engine(settings.db_url, pool_size=1)
    try:
        load_regions(engine)
        with Session(engine) as session, session.begin():
            coverage.ensure_counts(session)
    finally:
        engine.dispose()
