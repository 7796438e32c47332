#!/usr/bin/env bash
# The SMS tests run a real Kannel (bearerbox and smsbox in /usr/sbin, the fake SMSC
# fakesmsc from kannel-extras in /usr/lib/kannel/test): install Debian's packages when a binary is missing and we may (root with
# apt-get), else say how. Nothing is started here: each test run starts its own boxes
# on free ports (tests/kannel.py).
set -euo pipefail
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ] || [ -x "/usr/lib/kannel/test/$1" ]; }
have bearerbox && have smsbox && have fakesmsc && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's kannel and kannel-extras for the SMS tests"
  # the package's init script would start a system-wide bearerbox: keep it from starting
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d added=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; added=1; fi
  trap 'if [ -n "$added" ]; then rm -f "$policy"; fi' EXIT
  apt-get install -y -qq --no-install-recommends kannel kannel-extras >/dev/null \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends kannel kannel-extras >/dev/null; }
  have bearerbox && have smsbox && have fakesmsc && exit 0
fi
echo "Kannel is needed by the SMS tests: sudo apt-get install kannel kannel-extras" >&2
exit 1
