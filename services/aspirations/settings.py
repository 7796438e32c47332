from typing import ClassVar

from pydantic import Field

from services.common.settings import ServiceSettings


class AspirationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "aspirations"

    database_url: str | None = Field(None, validation_alias="ASPIRATIONS_DATABASE_URL")
    metrics_port: int = Field(9103, validation_alias="ASPIRATIONS_METRICS_PORT")
    # SP4N deadlines in working days: verified and forwarded within 3 each, a first
    # response within 5 of forwarding, closed 10 after an undisputed response
    verify_days: int = Field(3, validation_alias="KIM_ASPIRATION_VERIFY_DAYS")
    forward_days: int = Field(3, validation_alias="KIM_ASPIRATION_FORWARD_DAYS")
    response_days: int = Field(5, validation_alias="KIM_ASPIRATION_RESPONSE_DAYS")
    close_days: int = Field(10, validation_alias="KIM_ASPIRATION_CLOSE_DAYS")
    # public holidays (YYYY-MM-DD, comma separated) skipped like weekends
    holidays: str = Field("", validation_alias="KIM_HOLIDAYS")
    deadline_check_seconds: float = Field(60, validation_alias="KIM_DEADLINE_CHECK_SECONDS")
    metrics_refresh_seconds: float = Field(15, validation_alias="KIM_METRICS_REFRESH_SECONDS")

    # UU 27/2022: a submitter's contact is erased this many days after its aspiration was closed or rejected

    # a new hoax report joins the most similar case of its province when the similarity
    # (services/aspirations/hoaxes.py `similarity`, 0..100) reaches this; below it, it opens a case of its own
    hoax_match_threshold: int = Field(80, ge=1, le=100, validation_alias="KIM_HOAX_MATCH_THRESHOLD")

    @property
    def holiday_dates(self) -> set:
        from datetime import date
        return {date.fromisoformat(d.strip()) for d in self.holidays.split(",") if d.strip()}
