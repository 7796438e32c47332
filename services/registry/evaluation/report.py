"""The evaluation report of a province or regency for a period: every group's
figures and index, ranked; the active groups at risk of dormancy; the groups
that meet the criteria of their next classification, with the reasons."""
import math
from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.errors import NotFound
from services.common.figures import Period, check_region, merge
from services.common.scope import Actor, require_region
from services.common.vocabulary import EVALUATION_FIGURES
from services.registry.evaluation import criteria as criteria_rules
from services.registry.evaluation.figures import in_region, registry_figures
from services.registry.evaluation.index import FORMULA, score
from services.registry.models import Kim, Region

# an active group without activity for this share of KIM_VAKUM_AFTER_DAYS is at risk of dormancy
RISK_SHARE = 2 / 3


def risk_after(vakum_after_days: int) -> int:
    return math.ceil(vakum_after_days * RISK_SHARE)


def checks(result: dict, criteria: dict) -> list[dict]:
    """Each criterion of the next classification: what it needs, what the group has, met or not."""
    found = []
    for name in criteria:
        need = criteria_rules.required(criteria, name, result["months"])
        have = (result["index"] if name == "index" else result["regularity"] if name == "active_share"
                else result["figures"][name])
        found.append({"criterion": name, "required": need, "actual": have, "met": have >= need})
    return found


def evaluate(session: Session, actor: Actor, region: str, first: str, last: str, shares: list[dict], *,
             today: date, vakum_after_days: int, timezone: str) -> dict:
    check_region(region)
    require_region(actor, region)
    place = session.get(Region, region)
    if place is None:
        raise NotFound(f"Wilayah {region} tidak ditemukan.", detail_en=f"Region {region} not found.")
    period = Period.of(first, last)
    own, counted = registry_figures(session, region, period, timezone)
    figures = merge(own, *(share["figures"] for share in shares))
    counted = sorted({*counted, *(name for share in shares for name in share["counted"])})
    groups = session.scalars(select(Kim).where(in_region(region), Kim.status != "dissolved")).all()
    names = dict(session.execute(select(Region.code, Region.name).where(
        Region.code.in_({g.regency_code for g in groups} | {g.village_code for g in groups}))).all())
    sets = criteria_rules.stored(session)
    months = period.months
    threshold = risk_after(vakum_after_days)
    rows, at_risk = [], []
    for group in groups:
        result = score(figures.get(group.id, {}), months)
        idle = (today - group.last_activity_on).days
        row = {"kim_id": group.id, "name": group.name, "village_code": group.village_code,
               "village_name": names.get(group.village_code), "regency_code": group.regency_code,
               "regency_name": names.get(group.regency_code), "classification": group.classification,
               "status": group.status, "last_activity_on": group.last_activity_on.isoformat(),
               "days_without_activity": idle, **result}
        upgrade = criteria_rules.NEXT.get(group.classification)
        if upgrade and group.status == "active":
            criteria, source = criteria_rules.effective(sets, group.regency_code)
            row["next"] = {"classification": upgrade, "criteria_from": source,
                           "checks": checks(result, criteria[upgrade])}
            row["next"]["ready"] = all(check["met"] for check in row["next"]["checks"])
        else:
            row["next"] = None
        rows.append(row)
        if group.status == "active" and idle >= threshold:
            at_risk.append({"kim_id": group.id, "days_without_activity": idle,
                            "days_left": max(vakum_after_days - idle, 0)})
    rows.sort(key=lambda r: (-r["index"], -r["active_months"], -r["volume"], r["name"], r["kim_id"]))
    for rank, row in enumerate(rows, 1):
        row["rank"] = rank
    ready = [row["kim_id"] for row in rows if row["next"] and row["next"]["ready"]]  # in rank order
    at_risk.sort(key=lambda r: (r["days_left"], r["kim_id"]))
    return {"region": {"code": place.code, "name": place.name, "level": place.level},
            "period": {"from": period.first, "to": period.last, "months": months},
            "formula": FORMULA, "counted": counted,
            "unavailable": [name for name in EVALUATION_FIGURES if name not in counted],
            "dormancy": {"vakum_after_days": vakum_after_days, "risk_after_days": threshold,
                         "as_of": today.isoformat()},
            "summary": _summary(rows, months, at_risk, ready),
            "regencies": _regencies(rows, at_risk, ready) if place.level == "province" else [],
            "groups": rows, "at_risk": at_risk, "ready": ready}


def _summary(rows: list[dict], months: list[str], at_risk: list, ready: list) -> dict:
    indexes = [row["index"] for row in rows]
    bands = Counter(min(int(index // 20), 4) for index in indexes)
    return {"groups": len(rows), "mean_index": round(sum(indexes) / len(rows), 1) if rows else 0.0,
            "at_risk": len(at_risk), "ready": len(ready),
            "figures": {name: sum(row["figures"][name] for row in rows) for name in EVALUATION_FIGURES},
            # groups per index band 0-20, 20-40, 40-60, 60-80, 80-100 (the console's chart)
            "bands": [bands.get(band, 0) for band in range(5)],
            "monthly": [round(sum(row["monthly"][i] for row in rows), 2) for i in range(len(months))]}


def _regencies(rows: list[dict], at_risk: list, ready: list) -> list[dict]:
    risky, readies = {r["kim_id"] for r in at_risk}, set(ready)
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(row["regency_code"], {"code": row["regency_code"], "name": row["regency_name"],
                                                       "groups": 0, "index_sum": 0.0, "at_risk": 0, "ready": 0})
        entry["groups"] += 1
        entry["index_sum"] += row["index"]
        entry["at_risk"] += row["kim_id"] in risky
        entry["ready"] += row["kim_id"] in readies
    regencies = [{**{k: v for k, v in entry.items() if k != "index_sum"},
                  "mean_index": round(entry["index_sum"] / entry["groups"], 1)} for entry in found.values()]
    return sorted(regencies, key=lambda r: (-r["mean_index"], r["code"]))


def dormancy_risk_by_regency(session: Session, today: date, vakum_after_days: int) -> dict[str, int]:
    """Active groups at risk of dormancy, per regency (the kim_groups_dormancy_risk gauge)."""
    cutoff = date.fromordinal(today.toordinal() - risk_after(vakum_after_days))
    return dict(session.execute(select(Kim.regency_code, func.count()).where(
        Kim.status == "active", Kim.last_activity_on <= cutoff).group_by(Kim.regency_code)).all())
