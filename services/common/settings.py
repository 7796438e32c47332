"""Settings read once from the environment, one object per service.

Every field names its environment variable; defaults are the embedded
defaults `make run` uses (SQLite under ./var, RabbitMQ on localhost).
"""
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.common import broker


class CommonSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # one broker URL, or the addresses of a cluster's nodes separated by `;` (or `,`), tried in turn;
    # kept in kombu's `;` form (see services/common/broker.py)
    amqp_uri: str = Field("amqp://guest:guest@localhost:5672/", validation_alias="AMQP_URI")
    # the type of every durable queue of accepted work: quorum (replicated, the default) or classic
    # (only for a broker still holding an older release's classic queues, until they are migrated)
    queue_type: Literal["quorum", "classic"] = Field("quorum", validation_alias="KIM_QUEUE_TYPE")
    data_dir: Path = Field(Path("./var"), validation_alias="KIM_DATA_DIR")
    log_level: str = Field("INFO", validation_alias="KIM_LOG_LEVEL")
    # "json" for machines (default), "text" for a person at a terminal
    log_format: str = Field("json", validation_alias="KIM_LOG_FORMAT")
    # what "today" means (activity and decree dates, the vakum timer, working days) and the
    # zone the website shows and reads times in
    timezone: str = Field("Asia/Jakarta", validation_alias="KIM_TIMEZONE")
    # personal data (issue 16, UU 27/2022): an aspiration's contact is erased this many days after it
    # was closed, a removed member's name and phone this many days after the removal; the services'
    # timers erase, the website's privacy page (/privasi) states the same figures
    retention_contact_days: int = Field(365, ge=0, validation_alias="KIM_RETENTION_CONTACT_DAYS")
    retention_member_days: int = Field(90, ge=0, validation_alias="KIM_RETENTION_MEMBER_DAYS")

    @field_validator("amqp_uri")
    @classmethod
    def _broker_addresses(cls, value: str) -> str:
        return broker.kombu_uri(value)

    @property
    def amqp_addresses(self) -> list[str]:
        return broker.addresses(self.amqp_uri)


class ServiceSettings(CommonSettings):
    """Settings of a nameko service. Subclasses set `service_name` and the
    two per-service variables `<SERVICE>_DATABASE_URL` and `<SERVICE>_METRICS_PORT`."""

    service_name: ClassVar[str] = ""

    database_url: str | None = None
    metrics_port: int = 0
    max_workers: int = Field(10, validation_alias="KIM_MAX_WORKERS")
    # seconds to wait before each retry of a failing event handler; after the
    # last one the event goes to the service's dead-letter queue
    retry_delays: str = Field("1,5,30", validation_alias="KIM_RETRY_DELAYS")
    # the most messages a batching handler applies in one transaction (its prefetch is twice that)
    event_batch_size: int = Field(500, ge=1, validation_alias="KIM_EVENT_BATCH_SIZE")
    outbox_poll_seconds: float = Field(0.5, validation_alias="KIM_OUTBOX_POLL_SECONDS")
    # how often a timer that is woken for its work (the fan-out, the webhook pushes) looks for work
    # nobody told it of: another instance's, or what a crash left behind
    idle_check_seconds: float = Field(5.0, gt=0, validation_alias="KIM_IDLE_CHECK_SECONDS")
    outbox_batch_size: int = Field(500, validation_alias="KIM_OUTBOX_BATCH_SIZE")
    # sent outbox rows are kept this long for inspection, then pruned
    outbox_retention_hours: float = Field(168, validation_alias="KIM_OUTBOX_RETENTION_HOURS")
    # how often a service's timer erases personal data whose retention ended (KIM_RETENTION_*_DAYS)
    retention_check_seconds: float = Field(3600, gt=0, validation_alias="KIM_RETENTION_CHECK_SECONDS")

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{self.service_name}.db').resolve()}"

    @property
    def retry_delay_seconds(self) -> list[float]:
        return [float(part) for part in self.retry_delays.split(",") if part.strip()]

    def nameko_config(self) -> dict:
        """The nameko container config: the broker plus this settings object,
        which the common extensions read under the key ``KIM``."""
        return {
            "AMQP_URI": self.amqp_uri,
            "max_workers": self.max_workers,
            "serializer": "json",
            SETTINGS_KEY: self,
        }


SETTINGS_KEY = "KIM"
