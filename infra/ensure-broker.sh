#!/usr/bin/env bash
# Make sure RabbitMQ answers on AMQP_URI's host:port; start a local one if it
# is installed but not running. With --management also enable and wait for
# the management API (the tests create a virtual host per run through it).
set -euo pipefail
uri="${AMQP_URI:-amqp://guest:guest@localhost:5672/}"

up() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# AMQP_URI may name several nodes (`;`, or `,` before the next amqp://): the first that answers
# will do; when none does, the first is the one to start locally
host="" port=""
while read -r address; do
  [ -n "$address" ] || continue
  hostport="${address#*://}"; hostport="${hostport#*@}"; hostport="${hostport%%/*}"
  h="${hostport%%:*}"; p="${hostport##*:}"; [ "$p" = "$h" ] && p=5672
  [ -n "$host" ] || { host="$h"; port="$p"; }
  if up "$h" "$p"; then host="$h"; port="$p"; break; fi
done < <(printf '%s\n' "$uri" | sed -E 's/,[[:space:]]*(amqps?:\/\/)/;\1/g' | tr ';' '\n')

if ! up "$host" "$port"; then
  if [ "$host" = localhost ] || [ "$host" = 127.0.0.1 ]; then
    if command -v rabbitmq-server >/dev/null 2>&1; then
      echo "RabbitMQ is not running; starting it (rabbitmq-server -detached)"
      rabbitmq-server -detached || true
      for _ in $(seq 1 60); do up "$host" "$port" && break; sleep 1; done
    fi
  fi
fi
if ! up "$host" "$port"; then
  cat >&2 <<MSG
RabbitMQ is not reachable at $host:$port.
  Debian/Ubuntu: sudo apt-get install -y rabbitmq-server && sudo rabbitmq-server -detached
  Docker:        docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3.13-management
  Or point AMQP_URI at a running broker.
MSG
  exit 1
fi

if [ "${1:-}" = "--management" ] && ! up "$host" 15672; then
  if command -v rabbitmq-plugins >/dev/null 2>&1; then
    echo "enabling the RabbitMQ management plugin"
    rabbitmq-plugins enable rabbitmq_management >/dev/null
    for _ in $(seq 1 60); do up "$host" 15672 && break; sleep 1; done
  fi
  if ! up "$host" 15672; then
    echo "The RabbitMQ management API is not reachable at $host:15672: run 'rabbitmq-plugins enable rabbitmq_management'." >&2
    exit 1
  fi
fi
