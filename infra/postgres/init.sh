#!/bin/sh
# A database and a user per service (the passwords come from the environment).
set -eu
for service in registry broadcast aspirations channels gateway; do
  password_var="$(echo "${service}" | tr a-z A-Z)_DB_PASSWORD"
  eval password="\${${password_var}}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" <<SQL
CREATE USER ${service} WITH PASSWORD '${password}';
CREATE DATABASE ${service} OWNER ${service};
SQL
done
