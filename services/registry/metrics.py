"""The registry's own metrics (the common ones are in services/common/metrics.py)."""
from prometheus_client import Counter, Gauge

IMPORT_ROWS = Counter("kim_import_rows_total", "Rows of imported files processed, by outcome (imported, rejected).",
                      ["outcome"])

# issue 15: by regency, never by group (the evaluation report names the groups)
POSTS_PUBLISHED = Counter("kim_posts_published_total", "Posts the groups published, by regency.", ["regency"])
DORMANCY_RISK = Gauge("kim_groups_dormancy_risk",
                      "Active groups without activity for most of KIM_VAKUM_AFTER_DAYS, by regency.", ["regency"])


def set_dormancy_risk(counts: dict[str, int]):
    """Set the gauge from the timer's count; a regency no longer at risk goes back to 0."""
    for (regency,) in list(DORMANCY_RISK._metrics):  # the label sets seen so far
        if regency not in counts:
            DORMANCY_RISK.labels(regency).set(0)
    for regency, count in counts.items():
        DORMANCY_RISK.labels(regency).set(count)
