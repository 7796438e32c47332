"""The broadcast service's own metrics (the common ones are in services/common/metrics.py)."""
from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Gauge("kim_deliveries", "Deliveries by push state and receipt.", ["state"])
DELIVERIES_CREATED = Counter("kim_deliveries_created_total", "Deliveries created, by kind.", ["kind"])
FANOUT_DURATION = Histogram("kim_fanout_duration_seconds", "From publish to every delivery recorded.",
                            buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600))
WEBHOOK_DURATION = Histogram("kim_webhook_duration_seconds", "Time of one webhook push.",
                             buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
WEBHOOK_PUSHES = Counter("kim_webhook_pushes_total", "Webhook push attempts by outcome (ok, error, failed).",
                         ["outcome"])
