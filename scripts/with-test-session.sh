#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked
# gnome-keyring and XDG directories in a temporary folder, so tests use a real
# Secret Service without touching the user's own keyring or data.
#   usage: scripts/with-test-session.sh COMMAND [ARGS...]
#
# The keyring is started by D-Bus activation from a service file of this session's own,
# which shadows the system's: gnome-keyring-daemon can abort when a client is killed in
# the middle of a call (an upstream assertion, `gkd_secret_service_get_pkcs11_session:
# assertion 'client' failed`), which is what the crash tests do on purpose. A desktop's
# systemd starts the daemon again; here the next call does, unlocked, on the same keyring
# files, instead of the system's locked one. The run says at the end if that happened.
set -euo pipefail

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-test.XXXXXX")
  # Caches of tools outlive the session (Directus's install takes minutes): where they are
  # is fixed before XDG_CACHE_HOME moves into the scratch folder.
  export TOKENVAULT_CACHE="${TOKENVAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenvault}"
  export XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" \
    XDG_CONFIG_HOME="$scratch/config" XDG_RUNTIME_DIR="$scratch/run" \
    TOKENVAULT_HOME="$scratch/tokenvault"
  mkdir -p "$XDG_DATA_HOME/dbus-1/services" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" \
    "$XDG_RUNTIME_DIR" "$TOKENVAULT_HOME"
  chmod 700 "$XDG_RUNTIME_DIR"
  # The session bus reads its service folders when it starts, $XDG_DATA_HOME's first.
  cat >"$XDG_DATA_HOME/dbus-1/services/org.freedesktop.secrets.service" <<EOF
[D-BUS Service]
Name=org.freedesktop.secrets
Exec=$(cd "$(dirname "$0")" && pwd)/test-keyring-daemon.sh $scratch
EOF
  # Removed once the session bus has gone: removing its service folder while it runs makes
  # it reload and say so.
  trap 'rm -rf "$scratch"' EXIT
  dbus-run-session -- env TOKENVAULT_IN_TEST_SESSION="$scratch" "$0" "$@"
  exit
fi

scratch=$TOKENVAULT_IN_TEST_SESSION

cleanup() {
  local starts=0 pid
  if [ -f "$scratch/keyring.pids" ]; then
    while read -r pid; do
      starts=$((starts + 1))
      kill "$pid" 2>/dev/null || true
    done <"$scratch/keyring.pids"
  fi
  if [ "$starts" -gt 1 ]; then
    echo "note: the test keyring daemon stopped $((starts - 1)) time(s) during this run and" \
      "was started again by the next call; what it printed:" >&2
    grep -v -e '^GNOME_KEYRING_CONTROL=' -e '^dbus-daemon\[' "$scratch/keyring.out" | tail -n 20 >&2 || true
  fi
}
trap cleanup EXIT

# Start it now, so the first tests do not race to activate it; this waits until it owns
# the Secret Service name.
dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
  org.freedesktop.DBus.StartServiceByName string:org.freedesktop.secrets uint32:0 >/dev/null

"$@"
