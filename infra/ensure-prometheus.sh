#!/usr/bin/env bash
# The operations tests run promtool and a real Prometheus: install Debian's
# package when it is missing and we may (root with apt-get), else say how.
set -euo pipefail
command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's prometheus (promtool and the server) for the operations tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
  exit 0
fi
echo "Prometheus is needed by the operations tests: sudo apt-get install prometheus" >&2
exit 1
