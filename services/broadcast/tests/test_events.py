"""The broadcast service's own events, built by services/broadcast/events.py,
carry their contracts' fields as they always have."""
from datetime import date

from services.broadcast import events
from services.broadcast.models import Broadcast, Delivery
from services.common.contracts import BroadcastPublished, DeliveryAcknowledged, DeliveryRelayed, read
from services.common.events import make_envelope

TARGET = {"regions": ["14.71"], "tags": ["pemuda"], "classifications": [], "include_vakum": False}


def test_the_broadcast_events_carry_their_fields():
    broadcast = Broadcast(id="B1", recipients=12, target=TARGET, category="program", priority="high")
    delivery = Delivery(id=7, broadcast_id="B1", kim_id="KIM-1")
    published = events.broadcast_published(broadcast)
    assert published.wire() == {"broadcast_id": "B1", "recipients": 12, "target": TARGET, "category": "program",
                                "priority": "high"}
    acknowledged = events.delivery_acknowledged(delivery)
    assert acknowledged.wire() == {"broadcast_id": "B1", "kim_id": "KIM-1", "delivery_id": 7}
    relayed = events.delivery_relayed(delivery, 40, "whatsapp", date(2026, 2, 3))
    assert relayed.wire() == {"broadcast_id": "B1", "kim_id": "KIM-1", "delivery_id": 7, "reached": 40,
                              "channel": "whatsapp", "date": "2026-02-03"}
    for payload, contract in ((published, BroadcastPublished), (acknowledged, DeliveryAcknowledged),
                              (relayed, DeliveryRelayed)):
        assert read(make_envelope("broadcast", contract.TYPE, payload.wire()), contract) == payload
