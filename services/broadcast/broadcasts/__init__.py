"""Broadcasts: composing, publishing and reading them with their figures
(compose.py), changing them (changes.py), their CAP alerts and withdrawing
them (alerts.py), fan-out to one delivery per group (fanout.py), the groups'
inboxes and receipts: read, acknowledged, relayed (inbox.py), and how a
broadcast and a delivery look to callers (views.py). Webhook pushes are in
services/broadcast/webhooks.py.

The service, the bench and the tests call the functions below through this
package (`broadcasts.publish`, ...)."""
from services.broadcast.broadcasts.alerts import alert_xml, current_alerts, withdraw
from services.broadcast.broadcasts.changes import change_broadcast
from services.broadcast.broadcasts.compose import (
    create_broadcast,
    get_broadcast,
    list_broadcasts,
    list_deliveries,
    may_read,
    meets,
    publish,
    wrote_or_above,
)
from services.broadcast.broadcasts.fanout import (
    deliver_answer,
    deliver_hoax_outcome,
    deliver_running_broadcasts,
    fanout_step,
    next_scheduled_in,
)
from services.broadcast.broadcasts.inbox import (
    MAX_REACHED_PER_DELIVERY,
    MAX_REACHED_PER_REPORT,
    acknowledge,
    inbox,
    mark_read,
    relay,
)

__all__ = [
    "MAX_REACHED_PER_DELIVERY", "MAX_REACHED_PER_REPORT", "acknowledge", "alert_xml", "change_broadcast",
    "current_alerts",
    "create_broadcast", "deliver_answer",
    "deliver_running_broadcasts", "fanout_step", "get_broadcast", "inbox", "list_broadcasts", "list_deliveries",
    "deliver_hoax_outcome", "next_scheduled_in",
    "mark_read", "may_read", "meets", "publish", "relay", "withdraw", "wrote_or_above",
]
