from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class RegistrySettings(ServiceSettings):
    service_name: ClassVar[str] = "registry"

    database_url: str | None = Field(None, validation_alias="REGISTRY_DATABASE_URL")
    metrics_port: int = Field(9101, validation_alias="REGISTRY_METRICS_PORT")
    # an active group with no activity for this long becomes vakum
    vakum_after_days: int = Field(180, validation_alias="KIM_VAKUM_AFTER_DAYS")
    vakum_check_seconds: float = Field(3600, validation_alias="KIM_VAKUM_CHECK_SECONDS")
    # an import processes this many rows per transaction; the timer looks for work this often
    import_batch_size: int = Field(2000, ge=1, le=10_000, validation_alias="KIM_IMPORT_BATCH_SIZE")
    import_check_seconds: float = Field(0.5, validation_alias="KIM_IMPORT_CHECK_SECONDS")
    # a removed member's name and phone are erased this many days after its removal (issue 16, UU 27/2022)
