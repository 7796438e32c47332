#!/usr/bin/env bash
# The tests run on PostgreSQL as well as SQLite: make sure the server at
# KIM_TEST_POSTGRES_URL (default postgresql://postgres@localhost:5432/postgres)
# answers, starting a local Debian cluster if one is installed but stopped.
set -euo pipefail
up() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
if ! up localhost 5432 && [ -z "${KIM_TEST_POSTGRES_URL:-}" ]; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    echo "PostgreSQL is not running; starting cluster $version/main"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do up localhost 5432 && break; sleep 1; done
  fi
  if ! up localhost 5432; then
    cat >&2 <<MSG
PostgreSQL is not reachable on localhost:5432; the test suite needs it.
  Debian/Ubuntu: sudo apt-get install -y postgresql && sudo pg_ctlcluster 15 main start
  Or set KIM_TEST_POSTGRES_URL=postgresql://user@host:port/postgres (a user that may create databases).
MSG
    exit 1
  fi
fi
