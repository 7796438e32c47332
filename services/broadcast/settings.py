from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class BroadcastSettings(ServiceSettings):
    service_name: ClassVar[str] = "broadcast"

    database_url: str | None = Field(None, validation_alias="BROADCAST_DATABASE_URL")
    metrics_port: int = Field(9102, validation_alias="BROADCAST_METRICS_PORT")
