#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a throwaway, unlocked
# gnome-keyring and XDG directories in a temporary folder, so tests use a real
# Secret Service without touching the user's own keyring or data.
#   usage: scripts/with-test-session.sh COMMAND [ARGS...]
set -euo pipefail

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  exec dbus-run-session -- env TOKENVAULT_IN_TEST_SESSION=1 "$0" "$@"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-test.XXXXXX")
export XDG_DATA_HOME="$scratch/data" XDG_CACHE_HOME="$scratch/cache" \
  XDG_CONFIG_HOME="$scratch/config" XDG_RUNTIME_DIR="$scratch/run" \
  TOKENVAULT_HOME="$scratch/tokenvault"
mkdir -p "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$TOKENVAULT_HOME"
chmod 700 "$XDG_RUNTIME_DIR"

# An empty password makes the keyring prompt, and every call then fails: use a real one.
# In the foreground, so this session's daemon, and only it, is stopped at the end.
printf %s "throwaway-test-keyring" |
  gnome-keyring-daemon --foreground --unlock --components=secrets >"$scratch/keyring.out" 2>&1 &
keyring_pid=$!

cleanup() {
  kill "$keyring_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

# Wait until the daemon owns the Secret Service name, so no call starts another one.
for _ in $(seq 1 100); do
  if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q true; then
    break
  fi
  sleep 0.05
done

"$@"
