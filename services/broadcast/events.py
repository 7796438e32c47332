"""The broadcast service's events, each built by its own function (the
contracts are in services/common/contracts.py)."""
from datetime import date

from services.broadcast.models import Broadcast, Delivery
from services.common.contracts import (
    BroadcastPublished,
    CreatedDelivery,
    DeliveredMessage,
    DeliveriesCreated,
    DeliveryAcknowledged,
    DeliveryRelayed,
)

# the category a channel shows an aspiration's answer under (no broadcast category)
ANSWER_CATEGORY = "jawaban_aspirasi"
# the category a channel shows a hoax case's outcome under (issue 15): the clarification's
CLARIFICATION_CATEGORY = "klarifikasi"


def broadcast_published(broadcast: Broadcast) -> BroadcastPublished:
    return BroadcastPublished(broadcast_id=broadcast.id, recipients=broadcast.recipients, target=broadcast.target,
                              category=broadcast.category, priority=broadcast.priority)


def delivery_acknowledged(delivery: Delivery) -> DeliveryAcknowledged:
    return DeliveryAcknowledged(broadcast_id=delivery.broadcast_id, kim_id=delivery.kim_id,
                                delivery_id=delivery.id)


def delivery_relayed(delivery: Delivery, reached: int, channel: str, held_on: date) -> DeliveryRelayed:
    return DeliveryRelayed(broadcast_id=delivery.broadcast_id, kim_id=delivery.kim_id, delivery_id=delivery.id,
                           reached=reached, channel=channel, date=held_on.isoformat())


def broadcast_deliveries_created(broadcast: Broadcast, created: list) -> DeliveriesCreated:
    """`created`: (delivery id, kim id, village code) rows of one batch."""
    return DeliveriesCreated(
        broadcast_id=broadcast.id, kind="broadcast",
        message=DeliveredMessage(title=broadcast.title, body=broadcast.body, category=broadcast.category,
                                 priority=broadcast.priority),
        deliveries=[CreatedDelivery(delivery_id=row[0], kim_id=row[1], village_code=row[2]) for row in created])


def answer_delivery_created(delivery: Delivery) -> DeliveriesCreated:
    message = delivery.message or {}
    code = message.get("tracking_code")
    return DeliveriesCreated(
        broadcast_id=None, kind="aspiration_answer",
        message=DeliveredMessage(title=f"Jawaban aspirasi {code}", body=message.get("response") or "",
                                 category=ANSWER_CATEGORY, priority="high", tracking_code=code),
        deliveries=[CreatedDelivery(delivery_id=delivery.id, kim_id=delivery.kim_id,
                                    village_code=delivery.village_code)])


def hoax_outcome_deliveries_created(deliveries: list[Delivery]) -> DeliveriesCreated:
    """The outcome of one hoax case, one delivery per group that reported it (same message)."""
    message = deliveries[0].message or {}
    return DeliveriesCreated(
        broadcast_id=None, kind="hoax_outcome",
        message=DeliveredMessage(title=f"Hasil laporan: {message.get('title', '')}",
                                 body=message.get("explanation") or "", category=CLARIFICATION_CATEGORY,
                                 priority="high"),
        deliveries=[CreatedDelivery(delivery_id=d.id, kim_id=d.kim_id, village_code=d.village_code)
                    for d in deliveries])


def withdrawal_deliveries_created(broadcast: Broadcast, deliveries: list[Delivery]) -> DeliveriesCreated:
    """A broadcast withdrawn by its office (issue 16), one delivery per group that had it. No broadcast id:
    the channels count these messages apart from the broadcast's own figures (as the delivery rows do)."""
    return DeliveriesCreated(
        broadcast_id=None, kind="withdrawal",
        message=DeliveredMessage(title=f"DIBATALKAN: {broadcast.title}",
                                 body="Siaran ini ditarik oleh kantor yang mengirimnya. Abaikan isinya.",
                                 category=broadcast.category, priority=broadcast.priority),
        deliveries=[CreatedDelivery(delivery_id=d.id, kim_id=d.kim_id, village_code=d.village_code)
                    for d in deliveries])


def update_deliveries_created(broadcast: Broadcast, deliveries: list[Delivery]) -> DeliveriesCreated:
    """A published broadcast changed by its office (issue 16), one delivery per group that had it, with the new
    text. No broadcast id, as for a withdrawal: the broadcast's own figures count its first deliveries only."""
    return DeliveriesCreated(
        broadcast_id=None, kind="update",
        message=DeliveredMessage(title=f"DIPERBARUI: {broadcast.title}", body=broadcast.body,
                                 category=broadcast.category, priority=broadcast.priority),
        deliveries=[CreatedDelivery(delivery_id=d.id, kim_id=d.kim_id, village_code=d.village_code)
                    for d in deliveries])
