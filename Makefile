# make run: install and start the whole platform on its embedded defaults.
# make test: install, lint and run every test (RabbitMQ, SQLite and PostgreSQL).
# make lint: ruff and mypy (ruff.toml, mypy.ini).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# axe-core runs the accessibility checks of the browser tests; fetched from npm, not committed
AXE_VERSION := 4.11.0
AXE := $(VENV)/share/axe-core-$(AXE_VERSION)/axe.min.js
REQUIREMENTS := requirements-dev.txt $(wildcard services/*/requirements.txt)

.PHONY: install run lint test test-services test-gateway bench clean

$(VENV)/.installed: $(REQUIREMENTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

$(AXE): | $(VENV)/.installed
	mkdir -p $(dir $@)
	cd $(dir $@) && npm pack --silent axe-core@$(AXE_VERSION) >/dev/null && tar xzf axe-core-$(AXE_VERSION).tgz \
		&& cp package/axe.min.js . && rm -rf package axe-core-$(AXE_VERSION).tgz

install: $(VENV)/.installed $(AXE)

run: install
	infra/ensure-broker.sh
	$(PY) infra/run_local.py

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# The nameko services run their tests under eventlet; the gateway and the
# end-to-end tests run in plain asyncio. pytest-xdist does not work under
# eventlet (it collects, runs nothing and exits 0), so the services' tests run
# as several pytest processes: a folder each, the slowest files and the
# registry (whose database templates take the longest to build) split further,
# by file or by database backend. They run side by side with the gateway's
# (all mostly wait on processes, the broker and the databases), each one's
# output shown whole when it ends; make fails if any fails. A new test file
# joins its folder's process by itself.
OUTBOX := services/common/tests/test_outbox.py
FANOUT_CRASH := services/broadcast/tests/test_fanout_crash.py
SERVICE_SUITES := services-common services-outbox services-registry-sqlite services-registry-postgresql \
	services-broadcast services-fanout-sqlite services-fanout-postgresql
.PHONY: $(SERVICE_SUITES)

test: install lint
	infra/ensure-broker.sh --management
	infra/ensure-postgres.sh
	infra/ensure-prometheus.sh
	infra/ensure-chromium.sh
	infra/ensure-kannel.sh
	infra/ensure-weasyprint.sh
	$(MAKE) --no-print-directory -j --output-sync=target $(SERVICE_SUITES) test-gateway

test-services:
	$(MAKE) --no-print-directory -j --output-sync=target $(SERVICE_SUITES)

services-common:
	$(PY) -m pytest services/common --ignore=$(OUTBOX)

services-outbox:
	$(PY) -m pytest $(OUTBOX)

# a test without a backend in its id runs with the SQLite ones
services-registry-sqlite:
	$(PY) -m pytest services/registry -k "not postgresql"

services-registry-postgresql:
	$(PY) -m pytest services/registry -k postgresql

services-broadcast:
	$(PY) -m pytest services/broadcast services/aspirations services/channels --ignore=$(FANOUT_CRASH)

services-fanout-sqlite:
	$(PY) -m pytest $(FANOUT_CRASH) -k "not postgresql"

services-fanout-postgresql:
	$(PY) -m pytest $(FANOUT_CRASH) -k postgresql

# four pytest-xdist workers: the work units (each backend's tests, its website's tests, the modules
# with platforms of their own, schemathesis) start longest first (tests/conftest.py schedules them)
test-gateway:
	$(PY) -m pytest -n 4 services/gateway tests

bench: install
	infra/ensure-broker.sh --management
	infra/ensure-postgres.sh
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) bench/foundation.py
	$(PY) bench/registry.py
	$(PY) bench/import_kims.py
	$(PY) bench/public_reads.py
	$(PY) bench/broadcast.py
	$(PY) bench/aspirations.py
	$(PY) bench/web.py
	infra/ensure-kannel.sh
	$(PY) bench/channels.py

clean:
	rm -rf var
