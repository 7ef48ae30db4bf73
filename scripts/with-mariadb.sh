#!/usr/bin/env bash
# Runs a command against a throwaway MariaDB server: starts it with scripts/mariadb.sh, exports
# its URL as TEST_MYSQL_URL, runs the command, stops the server however the command ends, and
# exits with the command's status. A server that was already running is reused and stopped too.
#
# Usage: scripts/with-mariadb.sh CMD [ARG...]
# Example: scripts/with-mariadb.sh node scripts/run-tests.mjs server
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...]" >&2
  exit 2
fi

mariadb_script="$(dirname "$0")/mariadb.sh"

# The trap is set before the start, so a server that started but failed the test-user step is
# stopped too.
trap 'bash "$mariadb_script" stop || echo "Stopping MariaDB failed" >&2' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TEST_MYSQL_URL=$(bash "$mariadb_script" start)
export TEST_MYSQL_URL

status=0
"$@" || status=$?
exit "$status"
