"""Starting a nameko service prints no EventletDeprecationWarning: nameko 2.14
needs eventlet, and every start repeating its deprecation notice hides the
warnings that matter."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("service", ["registry", "broadcast", "aspirations"])
def test_a_service_starts_without_eventlets_deprecation_warning(service):
    # importing the module runs what `python -m` runs before serving: the monkey patch and the imports
    started = subprocess.run([sys.executable, "-W", "default", "-c", f"import services.{service}.__main__"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    assert "Eventlet is deprecated" not in started.stderr, started.stderr


def test_only_that_warning_is_filtered():
    shown = subprocess.run([sys.executable, "-c",
                            "from services.common import green; green.monkey_patch(); import warnings; "
                            "warnings.warn('another eventlet warning', UserWarning)"],
                           cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0 and "another eventlet warning" in shown.stderr, shown.stderr
    assert "Eventlet is deprecated" not in shown.stderr


def test_the_gateway_on_postgresql_does_not_import_eventlet():
    # the gateway runs on asyncio: asking whether eventlet patched psycopg2 must not import it
    started = subprocess.run([sys.executable, "-W", "default", "-c",
                              "import services.gateway.__main__, sys; from services.common.db import make_engine; "
                              "make_engine('postgresql://postgres@localhost/kim_never_connected'); "
                              "print('eventlet' in sys.modules)"],
                             cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "False" and "Eventlet is deprecated" not in started.stderr, started.stderr
