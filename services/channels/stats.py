"""A broadcast's figures per channel kind (and per region, at the level of the broadcast's own
figures): queued, sent, delivered, read (where the provider says), failed, acknowledged, reached."""
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from services.channels.models import ChannelDelivery, OutboundMessage

FIGURES = ("queued", "sent", "delivered", "read", "failed", "acknowledged", "reached")


def _columns():
    status = OutboundMessage.status

    def count(*statuses):
        return func.sum(case((status.in_(statuses), 1), else_=0))
    return [count("queued").label("queued"), count("sent", "delivered", "read").label("sent"),
            count("delivered", "read").label("delivered"), count("read").label("read"),
            count("failed").label("failed"), func.count(OutboundMessage.acknowledged_at).label("acknowledged"),
            func.coalesce(func.sum(OutboundMessage.reached), 0).label("reached")]


def by_channel(session: Session, broadcast_id: str, region_length: int | None = None) -> dict:
    base = select(OutboundMessage.kind, *_columns()).join(
        ChannelDelivery, ChannelDelivery.delivery_id == OutboundMessage.delivery_id).where(
        ChannelDelivery.broadcast_id == broadcast_id)
    result = {row.kind: {**{k: int(getattr(row, k) or 0) for k in FIGURES}, "by_region": []}
              for row in session.execute(base.group_by(OutboundMessage.kind)).all()}
    if region_length:
        region = func.substr(ChannelDelivery.village_code, 1, region_length)
        rows = session.execute(select(OutboundMessage.kind, region.label("region"), *_columns()).join(
            ChannelDelivery, ChannelDelivery.delivery_id == OutboundMessage.delivery_id).where(
            ChannelDelivery.broadcast_id == broadcast_id).group_by(OutboundMessage.kind, region)
            .order_by(region)).all()
        for row in rows:
            result[row.kind]["by_region"].append({"region": row.region,
                                                  **{k: int(getattr(row, k) or 0) for k in FIGURES}})
    return result
