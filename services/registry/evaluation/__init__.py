"""The activity index and the evaluation of groups (issue 15, docs/evaluation.md):

- figures.py: what each group did, per month, and the registry's own share of it
  (activities; posts once they exist), merged with the other services' shares;
- index.py: the formula, a pure function of one group's figures;
- criteria.py: the criteria for moving up a classification, stored per region;
- report.py: the report of a province or regency: ranked, at risk, ready to move up.

The gateway asks the broadcast and aspirations services for their figures of the
region and hands them to `evaluate` here (docs/architecture.md, *Evaluation*).
"""
from services.registry.evaluation.criteria import DEFAULT_CRITERIA, criteria_of, set_criteria
from services.registry.evaluation.report import dormancy_risk_by_regency, evaluate

__all__ = ["DEFAULT_CRITERIA", "criteria_of", "dormancy_risk_by_regency", "evaluate", "set_criteria"]
