"""The registry's own metrics (the common ones are in services/common/metrics.py)."""
from prometheus_client import Counter

IMPORT_ROWS = Counter("kim_import_rows_total", "Rows of imported files processed, by outcome (imported, rejected).",
                      ["outcome"])
