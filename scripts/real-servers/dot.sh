#!/usr/bin/env bash
# Runs a real django-oauth-toolkit (DOT) server on loopback for Tokenvault's tests.
#
#   dot.sh install          make .tools/dot-venv with the pinned packages (skipped if already there)
#   dot.sh start DIR PORT   fresh SQLite database in DIR, seed data, gunicorn on 127.0.0.1:PORT;
#                           prints the base URL once the server answers
#   dot.sh stop DIR         end the instance started in DIR and wait until it is gone
#
# Seeded: user alice / alice-password; public client "tokenvault" (authorization code + PKCE,
# no consent page, redirect http://127.0.0.1:<any port>/callback); public client
# "tokenvault-consent" (same, with the consent page); confidential client "reporting" /
# "reporting-secret" (client credentials, may introspect). Access tokens live DOT_ACCESS_TTL
# seconds (default 60); refresh tokens rotate. Other knobs (DOT_REFRESH_TTL, DOT_REUSE_PROTECTION,
# DOT_SLOW_HASHER, DOT_START_TIMEOUT) are described in dot/dotserver/settings.py and dot-notes.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROJECT="$HERE/dot"
REQS="$PROJECT/requirements.txt"
VENV="${DOT_VENV:-$ROOT/.tools/dot-venv}"
PYTHON="${PYTHON:-python3.11}"

die() { echo "dot.sh: $*" >&2; exit 1; }

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# The venv counts as installed when its stamp holds the same requirements file.
venv_current() {
  [[ -x "$VENV/bin/python" && -f "$VENV/.requirements.txt" ]] \
    && cmp -s "$REQS" "$VENV/.requirements.txt"
}

cmd_install() {
  command -v "$PYTHON" >/dev/null || PYTHON=python3
  mkdir -p "$(dirname "$VENV")"
  # One installer at a time, even when several tests call install together. The lock
  # lives in a subshell so that no server started later inherits it.
  (
    flock 9
    if venv_current; then
      echo "dot.sh: $VENV is up to date"
      exit 0
    fi
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
    "$VENV/bin/python" -c 'import django, oauth2_provider, gunicorn' \
      || die "packages installed but do not import"
    cp "$REQS" "$VENV/.requirements.txt"
    echo "dot.sh: installed into $VENV"
  ) 9>"$VENV.lock"
}

# True if PID is alive and is the gunicorn that was started for data folder DIR.
is_our_server() {
  local pid="$1" dir="$2"
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q gunicorn || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "DOT_DIR=$dir"
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  local dir pid i children alive p
  dir="$(cd "$1" 2>/dev/null && pwd)" || { echo "dot.sh: $1 does not exist; nothing to stop"; return 0; }
  [[ -f "$dir/pid" ]] || { echo "dot.sh: no pid file in $dir; nothing to stop"; return 0; }
  pid="$(cat "$dir/pid")"
  if ! is_our_server "$pid" "$dir"; then
    # Stale pid file: that process is gone or is some other program. Leave it alone.
    rm -f "$dir/pid"
    echo "dot.sh: instance in $dir is not running"
    return 0
  fi
  # Note the worker processes too, so we can wait for them as well.
  children="$(ps -o pid= --ppid "$pid" | tr -d ' ' | tr '\n' ' ' || true)"
  kill -TERM "$pid" 2>/dev/null || true
  # Gunicorn stops gracefully on TERM; give it 10 s, then force it.
  for ((i = 0; i < 100; i++)); do
    alive=0
    for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && break
    sleep 0.1
  done
  if [[ $alive -eq 1 ]]; then
    for p in $pid $children; do kill -KILL "$p" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
      alive=0
      for p in $pid $children; do kill -0 "$p" 2>/dev/null && alive=1; done
      [[ $alive -eq 0 ]] && break
      sleep 0.1
    done
  fi
  rm -f "$dir/pid"
  echo "dot.sh: stopped instance in $dir (pid $pid)"
}

cmd_start() {
  [[ $# -eq 2 ]] || usage
  local dir port id pid
  port="$2"
  [[ "$port" =~ ^[0-9]+$ ]] || die "PORT must be a number"
  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"

  if ! venv_current; then cmd_install >&2; fi

  # Idempotent: an instance already running from this folder is stopped first.
  cmd_stop "$dir" >/dev/null

  # Fail fast if something already listens there (gunicorn would retry for 5 s).
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "127.0.0.1:$port is already in use"
  fi

  : >"$dir/log"   # each start gets a fresh log as well
  id="$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  export DOT_DIR="$dir" DOT_PORT="$port" DOT_INSTANCE_ID="$id"
  export DJANGO_SETTINGS_MODULE=dotserver.settings PYTHONDONTWRITEBYTECODE=1

  # Fresh database: a copy of a migrated and seeded template. Migrating takes seconds,
  # so the template is built once per set of inputs (packages, settings, seed code,
  # hasher choice) and kept beside the venv.
  local key template
  key="$(cat "$REQS" "$PROJECT/dotserver/settings.py" \
    "$PROJECT/dotserver/management/commands/seed.py" <(echo "slow=${DOT_SLOW_HASHER:-}") \
    | sha256sum | cut -c1-16)"
  template="$VENV/db-template-$key.sqlite3"
  if [[ ! -f "$template" ]]; then
    # (Inside "( ... ) || handler" bash ignores set -e, hence the && chain.)
    (
      flock 9 || exit 1
      [[ -f "$template" ]] && exit 0
      tmpdir="$(mktemp -d /tmp/dot-template.XXXXXX)" \
        && cd "$PROJECT" \
        && DOT_DIR="$tmpdir" "$VENV/bin/python" manage.py seed --migrate >/dev/null \
        && mv "$tmpdir/db.sqlite3" "$template.tmp" \
        && rm -rf "$tmpdir" \
        && mv "$template.tmp" "$template"
    ) 9>"$VENV.lock" >>"$dir/log" 2>&1 \
      || { tail -n 20 "$dir/log" >&2; die "migrate/seed failed (log: $dir/log)"; }
  fi
  rm -f "$dir/db.sqlite3" "$dir/db.sqlite3-journal" "$dir/db.sqlite3-wal" "$dir/db.sqlite3-shm"
  cp "$template" "$dir/db.sqlite3"

  # gunicorn: one worker process with a few threads (a browser opens spare connections
  # that would block a single-threaded worker). --no-control-socket: gunicorn 27 otherwise
  # puts one socket at ~/.gunicorn/gunicorn.ctl that every instance would share.
  cd "$PROJECT"
  "$VENV/bin/gunicorn" dotserver.wsgi:application \
    --bind "127.0.0.1:$port" --workers 1 --worker-class gthread --threads 4 \
    --graceful-timeout 3 --no-control-socket \
    --access-logfile - --error-logfile - --capture-output \
    </dev/null >>"$dir/log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"

  # Ready when /healthz answers with this instance's id (not some older server's).
  local deadline=$((SECONDS + ${DOT_START_TIMEOUT:-30}))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$dir/log" >&2
      rm -f "$dir/pid"
      die "gunicorn exited during start (log: $dir/log)"
    fi
    if [[ "$(curl -s --noproxy '*' --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null)" == "$id" ]]; then
      echo "http://127.0.0.1:$port"
      return 0
    fi
    sleep 0.05
  done
  cmd_stop "$dir" >/dev/null
  die "no answer on 127.0.0.1:$port within ${DOT_START_TIMEOUT:-30} s (log: $dir/log)"
}

case "${1:-}" in
  install) shift; [[ $# -eq 0 ]] || usage; cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) usage ;;
esac
