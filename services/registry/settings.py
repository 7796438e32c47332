from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: ClassVar[str] = "registry"

    database_url: str | None = Field(None, validation_alias="REGISTRY_DATABASE_URL")
    metrics_port: int = Field(9101, validation_alias="REGISTRY_METRICS_PORT")
