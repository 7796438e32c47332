#!/usr/bin/env bash
# The website's browser tests drive Debian's Chromium headless: install it
# when it is missing and we may (root with apt-get), else say how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; }
  exit 0
fi
echo "Chromium is needed by the browser tests: sudo apt-get install chromium" >&2
exit 1
