"""The criteria a group must meet to move up a classification (tumbuh →
berkembang → maju → mandiri). Set by regulation and different between regions,
so the national admin sets them for the country (`ID`), a province or a
regency; a group is judged by the most specific set (its regency's, else its
province's, else the country's, else DEFAULT_CRITERIA, docs/evaluation.md).

A set names, per classification to reach, minimums of: the index, the share of
active months, and any figure (counted per 12 months: pro-rata to the period)."""
import math
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.errors import InvalidInput, NotFound, OutOfScope
from services.common.events import utcnow
from services.common.scope import Actor
from services.common.vocabulary import EVALUATION_CRITERIA, EVALUATION_FIGURES, KIM_CLASSIFICATIONS
from services.registry.models import EvaluationCriteria, Region

COUNTRY = "ID"
LEVELS = KIM_CLASSIFICATIONS[1:]  # the classifications one can move up to
NEXT = dict(zip(KIM_CLASSIFICATIONS[:-1], KIM_CLASSIFICATIONS[1:], strict=True))
CRITERIA_REGION = re.compile(r"^(ID|\d{2}(\.\d{2})?)$")

DEFAULT_CRITERIA = {
    "berkembang": {"index": 15, "active_share": 0.5, "activities": 6},
    "maju": {"index": 30, "active_share": 0.75, "activities": 12, "relays": 6, "aspirations_filed": 2},
    "mandiri": {"index": 45, "active_share": 0.9, "activities": 18, "relays": 12, "aspirations_filed": 4,
                "posts": 12},
}


def required(criteria: dict, criterion: str, months: int) -> float:
    """A criterion's minimum for a period of `months`: figures are stated per 12 months."""
    minimum = criteria[criterion]
    return math.ceil(minimum * months / 12) if criterion in EVALUATION_FIGURES else minimum


def _chain(regency_code: str) -> list[str]:
    return [regency_code, regency_code.split(".")[0], COUNTRY]


def stored(session: Session) -> dict[str, dict]:
    return {row.region_code: row.criteria for row in session.scalars(select(EvaluationCriteria))}


def effective(sets: dict[str, dict], regency_code: str) -> tuple[dict, str]:
    """The criteria a regency's groups are judged by, and the region that set them ("default": nobody)."""
    for code in _chain(regency_code):
        if code in sets:
            return sets[code], code
    return DEFAULT_CRITERIA, "default"


def criteria_of(session: Session, actor: Actor, region_code: str) -> dict:
    _check_region(session, region_code)
    if not actor.is_office:
        raise OutOfScope("Hanya kantor Diskominfo yang boleh melihat kriteria.",
                         detail_en="Only a Diskominfo office may see the criteria.")
    sets = stored(session)
    if region_code == COUNTRY:
        criteria, source = (sets[COUNTRY], COUNTRY) if COUNTRY in sets else (DEFAULT_CRITERIA, "default")
    else:
        chain = [region_code, *([region_code.split(".")[0]] if "." in region_code else []), COUNTRY]
        source = next((code for code in chain if code in sets), "default")
        criteria = sets.get(source, DEFAULT_CRITERIA)
    return {"region": region_code, "source": source, "criteria": criteria, "defaults": DEFAULT_CRITERIA}


def set_criteria(session: Session, actor: Actor, region_code: str, criteria: dict | None) -> dict:
    """Store a region's criteria (None: remove them, the region then follows the one above)."""
    if actor.role != "admin" or actor.scope_region is not None:
        raise OutOfScope("Hanya admin nasional yang boleh mengubah kriteria.",
                         detail_en="Only the national admin may change the criteria.")
    _check_region(session, region_code)
    row = session.get(EvaluationCriteria, region_code)
    if criteria is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return criteria_of(session, actor, region_code)
    checked = _checked(criteria)
    if row is None:
        row = EvaluationCriteria(region_code=region_code)
        session.add(row)
    row.criteria, row.updated_by, row.updated_at = checked, actor.label, utcnow()
    session.flush()
    return criteria_of(session, actor, region_code)


def _check_region(session: Session, code: str):
    if not CRITERIA_REGION.match(code or ""):
        raise InvalidInput("Kriteria berlaku untuk ID, provinsi atau kabupaten/kota.",
                           detail_en="Criteria apply to ID, a province or a regency/city.",
                           errors=[{"field": "region", "message": "ID, a province or a regency code"}])
    if code != COUNTRY and session.get(Region, code) is None:
        raise NotFound(f"Wilayah {code} tidak ditemukan.", detail_en=f"Region {code} not found.")


def _checked(criteria: dict) -> dict:
    problems = []
    if not isinstance(criteria, dict) or set(criteria) != set(LEVELS):
        raise InvalidInput("Kriteria harus menyebut berkembang, maju dan mandiri.",
                           detail_en="The criteria must name berkembang, maju and mandiri.",
                           errors=[{"field": "criteria", "message": f"exactly {', '.join(LEVELS)}"}])
    checked = {}
    for level in LEVELS:
        minimums = criteria[level]
        if not isinstance(minimums, dict):
            problems.append({"field": level, "message": "an object of minimums"})
            continue
        for name, value in minimums.items():
            top = 100 if name == "index" else 1 if name == "active_share" else 100_000
            if name not in EVALUATION_CRITERIA:
                problems.append({"field": f"{level}.{name}", "message": f"one of {', '.join(EVALUATION_CRITERIA)}"})
            elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= top:
                problems.append({"field": f"{level}.{name}", "message": f"a number from 0 to {top}"})
        checked[level] = {name: minimums[name] for name in EVALUATION_CRITERIA if name in minimums}
    if problems:
        raise InvalidInput("Kriteria tidak valid.", detail_en="Invalid criteria.", errors=problems)
    return checked
