"""Run one nameko service as a process: logging, migrations, start-up work,
its metrics port, and a clean stop on SIGTERM/SIGINT.

The caller (`services/<name>/__main__.py`) has already called
eventlet.monkey_patch() before importing anything else.
"""
import logging
import signal
from collections.abc import Callable
from pathlib import Path

import eventlet
from nameko.runners import ServiceRunner

from services.common import logs, metrics, migrations
from services.common.settings import ServiceSettings

log = logging.getLogger(__name__)


def run_service(service_cls, settings: ServiceSettings, migrations_dir: Path,
                before_start: Callable[[ServiceSettings], None] | None = None):
    logs.configure_logging(settings.service_name, settings.log_level, settings.log_format)
    migrations.upgrade(settings.db_url, migrations_dir)
    if before_start is not None:
        before_start(settings)
    metrics.serve_metrics(settings.metrics_port)

    runner = ServiceRunner(settings.nameko_config())
    runner.add_service(service_cls)

    def shutdown(signum, _frame):
        log.info("stopping %s on signal %s", settings.service_name, signum)
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("%s started (metrics on port %s)", settings.service_name, settings.metrics_port or "-")
    runner.wait()
    log.info("%s stopped", settings.service_name)
