"""The broadcast service's events, each built by its own function (the
contracts are in services/common/contracts.py)."""
from datetime import date

from services.broadcast.models import Broadcast, Delivery
from services.common.contracts import BroadcastPublished, DeliveryAcknowledged, DeliveryRelayed


def broadcast_published(broadcast: Broadcast) -> BroadcastPublished:
    return BroadcastPublished(broadcast_id=broadcast.id, recipients=broadcast.recipients, target=broadcast.target,
                              category=broadcast.category, priority=broadcast.priority)


def delivery_acknowledged(delivery: Delivery) -> DeliveryAcknowledged:
    return DeliveryAcknowledged(broadcast_id=delivery.broadcast_id, kim_id=delivery.kim_id,
                                delivery_id=delivery.id)


def delivery_relayed(delivery: Delivery, reached: int, channel: str, held_on: date) -> DeliveryRelayed:
    return DeliveryRelayed(broadcast_id=delivery.broadcast_id, kim_id=delivery.kim_id, delivery_id=delivery.id,
                           reached=reached, channel=channel, date=held_on.isoformat())
