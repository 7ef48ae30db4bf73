#!/usr/bin/env bash
# Runs a command with a throwaway OpenSSH server on 127.0.0.1: new host and client keys in a
# temporary directory, a free port, key login for the current user only. The command gets
#   TEST_SSH_HOST, TEST_SSH_PORT, TEST_SSH_USER, TEST_SSH_KEY_FILE (the client's private key),
#   TEST_SSH_HOST_KEY_FILE (the server's public host key) and TEST_SSH_DIR.
# The server is stopped by its PID and the directory removed however the command ends; the script
# exits with the command's status.
#
# Usage: scripts/with-sshd.sh CMD [ARG...]
#        scripts/with-sshd.sh --hold
# With --hold it prints the variables as NAME=VALUE lines and then `ready`, and keeps the server
# until standard input closes. Each `rotate-host-key` line read meanwhile gives the server a new
# host key (sshd rereads its keys on SIGHUP), and the script then prints `rotated`. The test helper
# server/src/testing/sshd.ts uses this mode when the tests do not run under this script.
#
# Needs openssh-server (/usr/sbin/sshd) and openssh-client (ssh-keygen).
set -euo pipefail

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARG...] | $0 --hold" >&2
  exit 2
fi
if [ ! -x /usr/sbin/sshd ]; then
  echo "/usr/sbin/sshd is missing; install it with: apt-get install openssh-server" >&2
  exit 1
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/lw-sshd.XXXXXX")
chmod 700 "$dir"
sshd_pid=""

stop_sshd() {
  if [ -n "$sshd_pid" ]; then
    kill "$sshd_pid" 2>/dev/null || true
    wait "$sshd_pid" 2>/dev/null || true
    sshd_pid=""
  fi
}
cleanup() {
  stop_sshd
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ssh-keygen -q -t ed25519 -N '' -C lw-test-host -f "$dir/host_ed25519"
ssh-keygen -q -t ed25519 -N '' -C lw-test-client -f "$dir/client_key"
cp "$dir/client_key.pub" "$dir/authorized_keys"
chmod 600 "$dir/authorized_keys"
user=$(id -un)

# Asks the kernel for a free port by binding port 0; another process may take it before sshd
# does, so the start below is retried with a new port.
free_port() {
  node -e "const s = require('net').createServer();
s.listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });"
}

write_config() {
  cat >"$dir/sshd_config" <<CONFIG
Port $1
ListenAddress 127.0.0.1
HostKey $dir/host_ed25519
PidFile none
AuthorizedKeysFile $dir/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
# The key files live under the world-writable temporary directory.
StrictModes no
UsePAM no
X11Forwarding no
AllowTcpForwarding no
PrintMotd no
MaxStartups 50:30:100
MaxSessions 50
Subsystem sftp internal-sftp
LogLevel VERBOSE
CONFIG
}

# Waits until the port sends an SSH banner, or sshd exits.
wait_for_banner() {
  local port=$1
  for _ in $(seq 1 50); do
    if ! kill -0 "$sshd_pid" 2>/dev/null; then
      return 1
    fi
    if { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then
      local banner=""
      read -r -t 2 banner <&3 || true
      exec 3>&- 3<&-
      case $banner in SSH-2.0-*) return 0 ;; esac
    fi
    sleep 0.1
  done
  return 1
}

if [ "$(id -u)" = 0 ]; then
  # sshd running as root needs its privilege separation directory.
  mkdir -p /run/sshd
  chmod 755 /run/sshd
fi

port=""
for _ in 1 2 3 4 5; do
  candidate=$(free_port)
  write_config "$candidate"
  /usr/sbin/sshd -t -f "$dir/sshd_config"
  /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >/dev/null 2>&1 &
  sshd_pid=$!
  if wait_for_banner "$candidate"; then
    port=$candidate
    break
  fi
  stop_sshd
done
if [ -z "$port" ]; then
  echo "sshd did not start; its log:" >&2
  tail -20 "$dir/sshd.log" >&2 || true
  exit 1
fi

export TEST_SSH_HOST=127.0.0.1
export TEST_SSH_PORT=$port
export TEST_SSH_USER=$user
export TEST_SSH_KEY_FILE=$dir/client_key
export TEST_SSH_HOST_KEY_FILE=$dir/host_ed25519.pub
export TEST_SSH_DIR=$dir

if [ "$1" = "--hold" ]; then
  for name in TEST_SSH_HOST TEST_SSH_PORT TEST_SSH_USER TEST_SSH_KEY_FILE \
    TEST_SSH_HOST_KEY_FILE TEST_SSH_DIR; do
    echo "$name=${!name}"
  done
  echo ready
  while read -r line; do
    if [ "$line" = "rotate-host-key" ]; then
      rm -f "$dir/host_ed25519" "$dir/host_ed25519.pub"
      ssh-keygen -q -t ed25519 -N '' -C lw-test-host -f "$dir/host_ed25519"
      kill -HUP "$sshd_pid"
      # After SIGHUP sshd executes itself again, under the same PID, and listens anew.
      sleep 0.2
      wait_for_banner "$port" || { echo "sshd did not come back after SIGHUP" >&2; exit 1; }
      echo rotated
    fi
  done
  exit 0
fi

status=0
"$@" || status=$?
exit "$status"
