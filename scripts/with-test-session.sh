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
# It may print GNOME_KEYRING_CONTROL=...; export whatever it prints (and nothing else).
while IFS='=' read -r name value; do
  [ -n "$name" ] && [ -n "$value" ] && export "$name=$value"
done < <(printf %s "throwaway-test-keyring" | gnome-keyring-daemon --unlock --components=secrets)

cleanup() {
  pkill -u "$(id -u)" -f "gnome-keyring-daemon.*--components=secrets" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

"$@"
