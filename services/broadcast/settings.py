from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class BroadcastSettings(ServiceSettings):
    service_name: ClassVar[str] = "broadcast"

    database_url: str | None = Field(None, validation_alias="BROADCAST_DATABASE_URL")
    metrics_port: int = Field(9102, validation_alias="BROADCAST_METRICS_PORT")
    fanout_batch_size: int = Field(5000, validation_alias="KIM_FANOUT_BATCH_SIZE")
    fanout_check_seconds: float = Field(0.5, validation_alias="KIM_FANOUT_CHECK_SECONDS")
    webhook_check_seconds: float = Field(0.5, validation_alias="KIM_WEBHOOK_CHECK_SECONDS")
    # a push is tried this many times, waiting backoff, 2x backoff, 4x ... in between, then `failed`
    webhook_max_attempts: int = Field(5, validation_alias="KIM_WEBHOOK_MAX_ATTEMPTS")
    webhook_backoff_seconds: float = Field(2.0, validation_alias="KIM_WEBHOOK_BACKOFF_SECONDS")
    # one push's total deadline: connecting, sending and the answer together
    webhook_timeout_seconds: float = Field(5.0, validation_alias="KIM_WEBHOOK_TIMEOUT_SECONDS")
    # pushes in flight at once per service process
    webhook_concurrency: int = Field(50, ge=1, validation_alias="KIM_WEBHOOK_CONCURRENCY")
    # webhooks on addresses that are not globally routable are refused unless this is set
    webhook_allow_private: bool = Field(False, validation_alias="KIM_WEBHOOK_ALLOW_PRIVATE")
    # tests only: a hosts-style file whose names answer before DNS, read at every resolution
    webhook_test_hosts: str | None = Field(None, validation_alias="KIM_WEBHOOK_TEST_HOSTS")
    deliveries_gauge_seconds: float = Field(15, validation_alias="KIM_DELIVERIES_GAUGE_SECONDS")
    # a broadcast without expires_at still reaches groups that appear in its target for this long
    broadcast_open_days: float = Field(30, validation_alias="KIM_BROADCAST_OPEN_DAYS")
    # the `sender` of the CAP 1.2 alerts of darurat broadcasts (issue 16)
    cap_sender: str = Field("diskominfo@kim.go.id", validation_alias="KIM_CAP_SENDER")
