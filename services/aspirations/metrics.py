"""The aspirations service's own metrics."""
from prometheus_client import Gauge

ASPIRATIONS = Gauge("kim_aspirations", "Aspirations by status.", ["status"])
OVERDUE = Gauge("kim_aspirations_overdue", "Open aspirations past their deadline, by responsible regency.",
                ["regency"])
