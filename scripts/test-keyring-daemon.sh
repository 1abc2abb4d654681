#!/usr/bin/env bash
# The throwaway keyring of scripts/with-test-session.sh, as D-Bus activation starts it:
# unlocked with a fixed password (an empty one makes the keyring prompt, and every call
# then fails), on the keyring files of the session's scratch folder.
#   usage: scripts/test-keyring-daemon.sh SCRATCH
set -euo pipefail
scratch=$1
echo $$ >>"$scratch/keyring.pids"
# In the foreground, so this session's daemon, and only it, is stopped at the end.
exec gnome-keyring-daemon --foreground --unlock --components=secrets \
  >>"$scratch/keyring.out" 2>&1 < <(printf %s "throwaway-test-keyring")
