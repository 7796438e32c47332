"""The activity index of one group over a period (docs/evaluation.md states the
formula; tests/…/test_evaluation.py holds known answers, so a change here fails
it until the documentation and the answers are changed with it).

    points of a month   p = Σ weight(figure) × count + reached / REACH_UNIT
    active month        a month with any of the group's own work (OWN_WORK)
    regularity          r = active months / months of the period
    volume              v = Σ p / months of the period   (points per month)
    index               100 × r × v / (v + HALF_VOLUME), one decimal

The regularity factor is the minimum-volume guard: a group busy in one month of
twelve keeps at most 1/12 of the scale, however busy; a steady group keeps all
of it. The volume saturates (v / (v + HALF_VOLUME)), so the index stays within
0–100 and more of the same adds less and less.
"""
from services.common.vocabulary import EVALUATION_FIGURES

FORMULA = "2026-11"  # named in every report: the version of this formula
WEIGHTS = {"activities": 3, "posts": 2, "hoax_reports": 2, "relays": 2, "aspirations_filed": 2,
           "aspirations_answered": 1, "acknowledged": 1, "reached": 0}
REACH_UNIT = 50  # people reached per point
HALF_VOLUME = 6.0  # points per month at which the volume scores half
# what the group does itself; acknowledging a broadcast and getting an answer do not make a month active
OWN_WORK = ("activities", "posts", "hoax_reports", "relays", "aspirations_filed")
assert set(WEIGHTS) == set(EVALUATION_FIGURES)


def points(figures: dict[str, int]) -> float:
    return sum(WEIGHTS[name] * figures.get(name, 0) for name in WEIGHTS) + figures.get("reached", 0) / REACH_UNIT


def score(per_month: dict[str, dict[str, int]], months: list[str]) -> dict:
    """One group's totals, active months, regularity, volume and index over `months`."""
    inside = {month: per_month.get(month, {}) for month in months}
    totals = {name: sum(figures.get(name, 0) for figures in inside.values()) for name in EVALUATION_FIGURES}
    active = [month for month, figures in inside.items() if any(figures.get(name, 0) for name in OWN_WORK)]
    regularity = len(active) / len(months)
    volume = sum(points(figures) for figures in inside.values()) / len(months)
    index = 100 * regularity * volume / (volume + HALF_VOLUME)
    return {"figures": totals, "active_months": len(active), "months": len(months),
            "regularity": round(regularity, 3), "volume": round(volume, 2), "index": round(index, 1),
            "monthly": [round(points(inside[month]), 2) for month in months]}
