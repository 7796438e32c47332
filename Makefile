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
# end-to-end tests run in plain asyncio; hence two pytest processes. They run
# side by side (both mostly wait on processes, the broker and the databases),
# each one's output shown whole when it ends; make fails if either fails.
test: install lint
	infra/ensure-broker.sh --management
	infra/ensure-postgres.sh
	infra/ensure-prometheus.sh
	infra/ensure-chromium.sh
	$(MAKE) --no-print-directory -j2 --output-sync=target test-services test-gateway

test-services:
	$(PY) -m pytest services/common services/registry services/broadcast services/aspirations

# two pytest-xdist workers, one per database backend (tests/conftest.py schedules them)
test-gateway:
	$(PY) -m pytest -n 2 services/gateway tests

bench: install
	infra/ensure-broker.sh --management
	infra/ensure-postgres.sh
	command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) bench/foundation.py
	$(PY) bench/registry.py
	$(PY) bench/public_reads.py
	$(PY) bench/broadcast.py
	$(PY) bench/aspirations.py
	$(PY) bench/web.py

clean:
	rm -rf var
