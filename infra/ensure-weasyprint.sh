#!/usr/bin/env bash
# The printable evaluation report (PDF) is rendered by WeasyPrint, which needs Debian's Pango
# (libpango-1.0-0, libpangoft2-1.0-0) and HarfBuzz's subsetter (libharfbuzz-subset0): install them
# when missing and we may (root with apt-get), else say how. The fonts are shipped with the gateway
# (services/gateway/web/static/fonts), so no font package is needed.
set -euo pipefail
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
have() { /sbin/ldconfig -p 2>/dev/null | grep -q "$1" || ldconfig -p 2>/dev/null | grep -q "$1"; }
present() { have libpango-1.0.so.0 && have libpangoft2-1.0.so.0 && have libharfbuzz-subset.so.0; }
present && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's $PACKAGES for WeasyPrint (the evaluation report's PDF)"
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null; }
  present && exit 0
fi
echo "WeasyPrint needs Pango for the evaluation PDF: sudo apt-get install $PACKAGES" >&2
exit 1
