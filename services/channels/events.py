"""The channels service's events, each built by its own function (the contracts are in
services/common/contracts.py)."""
from datetime import date

from services.channels.models import Channel, ChannelDelivery
from services.common.contracts import ChannelAcknowledged, ChannelRelayReported


def channel_acknowledged(delivery: ChannelDelivery, channel: Channel) -> ChannelAcknowledged:
    return ChannelAcknowledged(delivery_id=delivery.delivery_id, kim_id=delivery.kim_id, channel=channel.kind)


def channel_relay_reported(delivery: ChannelDelivery, channel: Channel, reached: int, how: str | None,
                           held_on: date) -> ChannelRelayReported:
    return ChannelRelayReported(delivery_id=delivery.delivery_id, kim_id=delivery.kim_id, reached=reached,
                                channel=how or channel.kind, date=held_on.isoformat())
