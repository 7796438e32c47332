"""An aspiration as a model object, not stored: for building its events with
the aspirations service's own builders (services/aspirations/events.py),
here and in the consumers' contract tests."""
from datetime import UTC, datetime

from services.aspirations.models import Aspiration


def sample_aspiration(**changes) -> Aspiration:
    fields = {"id": "A-1", "tracking_code": "K7QX2M9PRT", "kim_id": "KIM-14710110-AB12",
              "village_code": "14.71.01.1002", "regency_code": "14.71", "province_code": "14",
              "status": "forwarded", "due_at": datetime(2026, 3, 2, 10, 0, tzinfo=UTC)}
    fields.update(changes)
    return Aspiration(**fields)
