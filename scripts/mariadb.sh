#!/usr/bin/env bash
# Starts, stops or reports a throwaway MariaDB server for the test suites. It listens on
# 127.0.0.1 only, keeps every file under one data folder, and reads no /etc/mysql config.
#
# Usage: scripts/mariadb.sh start | stop [--purge] | status
#   start   initializes the data folder on first use, starts mariadbd unless it is already
#           running, makes sure the test user exists, and prints the server URL (without a
#           database) on stdout, ready for TEST_MYSQL_URL.
#   stop    shuts the server down; --purge also deletes the data folder.
#   status  prints the server status, or exits with 1 when it is not running.
#
# Environment:
#   MARIADB_TEST_DIR       data folder (default /tmp/lw-mariadb)
#   MARIADB_TEST_PORT      TCP port on 127.0.0.1 (default 3307)
#   MARIADB_TEST_USER      test user (default lw_test)
#   MARIADB_TEST_PASSWORD  test user's password (default lw_test)
#
# The test user may create, use and drop only databases whose names start with lw_test_,
# which is how the test harness names the database of each test server.
# Requires the Debian packages mariadb-server and mariadb-client. Runs as root (mariadbd then
# needs --user=root) or as any other user that can write the data folder.
set -euo pipefail

data_root=${MARIADB_TEST_DIR:-/tmp/lw-mariadb}
port=${MARIADB_TEST_PORT:-3307}
test_user=${MARIADB_TEST_USER:-lw_test}
test_password=${MARIADB_TEST_PASSWORD:-lw_test}
start_timeout_s=30

data_dir=$data_root/data
socket=$data_root/mariadb.sock
pid_file=$data_root/mariadb.pid
error_log=$data_root/error.log
os_user=$(id -un)

# Both values go into SQL string literals and into the URL, so they are kept to plain characters.
for value in "$test_user" "$test_password"; do
  if ! [[ $value =~ ^[A-Za-z0-9_]+$ ]]; then
    echo "Invalid MARIADB_TEST_USER or MARIADB_TEST_PASSWORD '$value':" \
      "use only letters, digits and _" >&2
    exit 2
  fi
done

usage() {
  echo "usage: $0 start | stop [--purge] | status" >&2
  exit 2
}

# mariadb-install-db with socket authentication lets the OS user who ran it sign in as the
# database user of the same name over the Unix socket, without a password.
admin() {
  mariadb-admin --no-defaults --protocol=socket --socket="$socket" --user="$os_user" \
    --connect-timeout=2 "$@"
}

client() {
  mariadb --no-defaults --protocol=socket --socket="$socket" --user="$os_user" "$@"
}

is_running() {
  admin ping >/dev/null 2>&1
}

# Succeeds when the pid file names a live mariadbd. PID 1 in some containers reaps orphans
# late, so a zombie (state Z) counts as stopped.
server_process_alive() {
  [ -f "$pid_file" ] || return 1
  local pid state
  pid=$(cat "$pid_file")
  [ -n "$pid" ] || return 1
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = mariadbd ] || return 1
  state=$(ps -o stat= -p "$pid" 2>/dev/null || true)
  [ -n "$state" ] && [ "${state:0:1}" != Z ]
}

require_command() {
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "$1 is not installed. Install it with:" >&2
    echo "  apt-get install -y --no-install-recommends mariadb-server mariadb-client" >&2
    exit 1
  fi
}

initialize() {
  [ -d "$data_dir/mysql" ] && return 0
  echo "Initializing a new MariaDB data folder in $data_dir" >&2
  mkdir -p "$data_root"
  if ! mariadb-install-db --no-defaults --user="$os_user" --datadir="$data_dir" \
    --auth-root-authentication-method=socket --skip-test-db >"$data_root/install.log" 2>&1; then
    echo "mariadb-install-db failed; its output is in $data_root/install.log:" >&2
    tail -n 20 "$data_root/install.log" >&2
    exit 1
  fi
}

launch() {
  # setsid puts the server in its own session, so Ctrl-C in the terminal that runs the tests
  # does not reach it and the caller's trap can still shut it down cleanly. The InnoDB
  # settings trade crash durability for speed, which is fine for throwaway test data.
  setsid mariadbd --no-defaults --user="$os_user" --datadir="$data_dir" \
    --bind-address=127.0.0.1 --port="$port" --socket="$socket" --pid-file="$pid_file" \
    --log-error="$error_log" --skip-name-resolve --skip-log-bin \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
    </dev/null >/dev/null 2>&1 &
  local launched_pid=$! deadline=$((SECONDS + start_timeout_s))
  local failure=''
  until is_running; do
    if ! kill -0 "$launched_pid" 2>/dev/null; then
      failure="mariadbd exited before accepting connections on 127.0.0.1:$port"
    elif [ "$SECONDS" -ge "$deadline" ]; then
      failure="MariaDB timed out: no connections accepted within ${start_timeout_s}s"
    fi
    if [ -n "$failure" ]; then
      echo "$failure. The end of $error_log:" >&2
      tail -n 15 "$error_log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
}

# Creates the test user, or resets its password when it already exists, and grants it every
# privilege on the lw_test_* databases. The backslashes make _ a literal in the grant pattern.
ensure_test_user() {
  client <<SQL
CREATE USER IF NOT EXISTS '$test_user'@'127.0.0.1' IDENTIFIED BY '$test_password';
ALTER USER '$test_user'@'127.0.0.1' IDENTIFIED BY '$test_password';
GRANT ALL PRIVILEGES ON \`lw\\_test\\_%\`.* TO '$test_user'@'127.0.0.1';
SQL
}

start() {
  require_command mariadbd
  require_command mariadb-install-db
  require_command mariadb-admin
  require_command mariadb
  if is_running; then
    echo "MariaDB is already running on 127.0.0.1:$port (data in $data_root)" >&2
  else
    initialize
    local started_ms
    started_ms=$(date +%s%3N)
    launch
    echo "MariaDB started on 127.0.0.1:$port in $(($(date +%s%3N) - started_ms)) ms" \
      "(pid $(cat "$pid_file"), data in $data_root)" >&2
  fi
  ensure_test_user
  echo "mysql://$test_user:$test_password@127.0.0.1:$port"
}

stop() {
  local pid=''
  if server_process_alive; then
    pid=$(cat "$pid_file")
  fi

  # SIGTERM starts the same clean shutdown as mariadb-admin shutdown, which took about a second
  # longer to return (MariaDB 10.11 on Debian 12).
  if [ -n "$pid" ]; then
    kill -TERM "$pid" 2>/dev/null || true
  elif is_running; then
    admin shutdown >/dev/null 2>&1 || true
  else
    echo "MariaDB is not running (data in $data_root)" >&2
    purge_if_requested "${1:-}"
    return 0
  fi

  local deadline=$((SECONDS + start_timeout_s))
  while { server_process_alive || is_running; } && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 0.1
  done
  if [ -n "$pid" ] && server_process_alive; then
    echo "MariaDB (pid $pid) did not stop within ${start_timeout_s}s; sending SIGKILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  if is_running; then
    echo "MariaDB on socket $socket is still running after the shutdown request." \
      "Stop it with: mariadb-admin --no-defaults --socket=$socket --user=$os_user shutdown" >&2
    exit 1
  fi

  echo "MariaDB stopped" >&2
  purge_if_requested "${1:-}"
}

purge_if_requested() {
  if [ "$1" = --purge ]; then
    rm -rf "$data_root"
    echo "Deleted $data_root" >&2
  fi
}

status() {
  if is_running; then
    echo "MariaDB on 127.0.0.1:$port (data in $data_root): $(admin status)"
  else
    echo "MariaDB is not running on socket $socket"
    exit 1
  fi
}

case "${1:-}" in
start) start ;;
stop)
  case "${2:-}" in
  '' | --purge) stop "${2:-}" ;;
  *) usage ;;
  esac
  ;;
status) status ;;
*) usage ;;
esac
