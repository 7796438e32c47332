"""A registry group as a model object, not stored: for building its events
with the registry's own builders (services/registry/events.py), here and in
the consumers' contract tests."""
from datetime import UTC, date, datetime

from services.registry.models import Kim, KimTag


def sample_kim(**changes) -> Kim:
    fields = {
        "id": "KIM-14710110-AB12", "name": "KIM Maju Bersama", "village_code": "14.71.01.1002",
        "address": "Jl. Melati 1", "lat": 0.5071, "lon": 101.4478,
        "sk_number": "SK/12/2026", "sk_date": date(2026, 1, 5), "sk_issuer": "Lurah Simpang Baru",
        "classification": "tumbuh", "status": "active", "status_reason": "registered",
        "last_activity_on": date(2026, 1, 5), "version": 3,
        "created_at": datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
        "updated_at": datetime(2026, 2, 1, 9, 30, tzinfo=UTC),
        "contact": {"phone": "0812000000"},
    }
    tags = changes.pop("tags", ["pemuda", "umkm"])
    fields.update(changes)
    kim = Kim(**fields)
    kim.tags = [KimTag(tag=t) for t in tags]
    return kim
