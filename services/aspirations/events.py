"""The aspirations service's events, each built by its own function (the
contracts are in services/common/contracts.py). None carries the submitter."""
from services.aspirations.models import Aspiration, HoaxCase
from services.common.contracts import (
    AspirationOverdue,
    AspirationResponded,
    AspirationStatusChanged,
    AspirationSubmitted,
    HoaxCaseLabelled,
)
from services.common.events import as_utc


def aspiration_submitted(aspiration_id: str, tracking_code: str, village_code: str, kim_id: str | None,
                         category: str, kind: str) -> AspirationSubmitted:
    return AspirationSubmitted(aspiration_id=aspiration_id, tracking_code=tracking_code, village_code=village_code,
                               kim_id=kim_id, category=category, kind=kind)


def aspiration_status_changed(a: Aspiration, old: str, new: str) -> AspirationStatusChanged:
    return AspirationStatusChanged(aspiration_id=a.id, old=old, new=new)


def aspiration_responded(a: Aspiration, response: str | None, answer_to_kim: bool) -> AspirationResponded:
    return AspirationResponded(aspiration_id=a.id, tracking_code=a.tracking_code, kim_id=a.kim_id,
                               response=response, answer_to_kim=answer_to_kim)


def aspiration_overdue(a: Aspiration) -> AspirationOverdue:
    return AspirationOverdue(aspiration_id=a.id, status=a.status, due_at=as_utc(a.due_at).isoformat(),
                             regency_code=a.regency_code, escalated_to=a.province_code)


def hoax_case_labelled(case: HoaxCase, kim_ids: list[str]) -> HoaxCaseLabelled:
    return HoaxCaseLabelled(case_id=case.id, label=case.label or "", title=case.title or "",
                            explanation=case.explanation or "", sources=list(case.sources or []),
                            kim_ids=sorted(set(kim_ids)))
