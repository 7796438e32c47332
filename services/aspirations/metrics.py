"""The aspirations service's own metrics."""
from prometheus_client import Counter, Gauge

ASPIRATIONS = Gauge("kim_aspirations", "Aspirations by status.", ["status"])
OVERDUE = Gauge("kim_aspirations_overdue", "Open aspirations past their deadline, by responsible regency.",
                ["regency"])

# issue 15: the hoax clarification loop, by regency and by verdict (never by group or person)
HOAX_REPORTS = Counter("kim_hoax_reports_total", "Reports of claims circulating, by the regency they were seen in.",
                       ["regency"])
HOAX_CASES_LABELLED = Counter("kim_hoax_cases_labelled_total", "Hoax cases given a verdict, by label.", ["label"])
