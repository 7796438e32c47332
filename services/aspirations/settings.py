from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class AspirationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "aspirations"

    database_url: str | None = Field(None, validation_alias="ASPIRATIONS_DATABASE_URL")
    metrics_port: int = Field(9103, validation_alias="ASPIRATIONS_METRICS_PORT")
