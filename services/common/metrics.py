"""Prometheus metrics shared by all processes. Names are `kim_*`; every
series carries the `service` label so one dashboard serves all services."""
from prometheus_client import Counter, Gauge, Histogram, start_http_server

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)

RPC_REQUESTS = Counter(
    "kim_rpc_requests_total", "RPC calls handled, by method and outcome (ok, error).",
    ["service", "method", "outcome"])
RPC_DURATION = Histogram(
    "kim_rpc_duration_seconds", "Time to handle an RPC call.",
    ["service", "method"], buckets=LATENCY_BUCKETS)

EVENTS_PUBLISHED = Counter(
    "kim_events_published_total", "Events published from the outbox (confirmed by the broker).",
    ["service", "type"])
EVENTS_CONSUMED = Counter(
    "kim_events_consumed_total", "Events handled successfully.", ["service", "handler", "type"])
EVENTS_FAILED = Counter(
    "kim_events_failed_total", "Event handler failures (each attempt).", ["service", "handler", "type"])
EVENTS_RETRIED = Counter(
    "kim_events_retried_total", "Failed events scheduled for a delayed retry.", ["service", "handler"])
EVENTS_DEAD_LETTERED = Counter(
    "kim_events_dead_lettered_total", "Events moved to the dead-letter queue after their last retry.",
    ["service", "handler"])
EVENT_HANDLER_DURATION = Histogram(
    "kim_event_handler_duration_seconds", "Time to handle an event.",
    ["service", "handler"], buckets=LATENCY_BUCKETS)

EVENT_BATCH_SIZE = Histogram(
    "kim_event_batch_size", "Messages a batching handler applied in one transaction.",
    ["service", "handler"], buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000))

OUTBOX_BACKLOG = Gauge("kim_outbox_backlog", "Outbox events not yet published.", ["service"])
DEAD_LETTERS = Gauge("kim_dead_letters", "Messages waiting in the service's dead-letter queue.", ["service"])

HTTP_REQUESTS = Counter(
    "kim_http_requests_total", "HTTP requests by route template, method and status.",
    ["method", "route", "status"])
HTTP_DURATION = Histogram(
    "kim_http_request_duration_seconds", "HTTP request latency by route template.",
    ["method", "route"], buckets=LATENCY_BUCKETS)


def serve_metrics(port: int, addr: str = "0.0.0.0"):
    """Expose /metrics of this process on its own port (0 disables)."""
    if port:
        start_http_server(port, addr=addr)
