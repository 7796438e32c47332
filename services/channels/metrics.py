"""The channels service's metrics (the shared ones are in services/common/metrics.py)."""
from prometheus_client import Counter, Gauge, Histogram

MESSAGES = Counter("kim_channel_messages_total", "Messages to channels by kind and outcome (sent, retry, failed)",
                   ["kind", "outcome"])
SEND_SECONDS = Histogram("kim_channel_send_seconds", "A provider call, by channel kind", ["kind"],
                         buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
QUEUED = Gauge("kim_channel_queued", "Messages waiting to be sent, by channel kind", ["kind"])
FAILING = Gauge("kim_channel_paused_failing", "Channels paused because their messages kept failing, by kind",
                ["kind"])
INBOUND = Counter("kim_channel_inbound_total", "Replies and provider reports taken from channels.inbound",
                  ["kind", "what"])
