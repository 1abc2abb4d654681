#!/usr/bin/env bash
# A real Directus 11.3.5 server on loopback, with TOTP two-factor login, for automated tests.
#
#   directus.sh install           install the pinned Directus into the cache (skipped when done)
#   directus.sh start DIR PORT    fresh instance in DIR on 127.0.0.1:PORT; once it is ready, prints
#                                 two lines: the base URL and the editor's TOTP secret (base32)
#   directus.sh stop DIR          end the instance of DIR and wait until it is gone
#   directus.sh totp SECRET       print the current 6-digit code for SECRET (for shell checks)
#
# The install (npm ci of directus/package-lock.json beside this file; it compiles sqlite3 and
# isolated-vm from source: minutes of both cores, ~470 MB) goes OUTSIDE the checkout, so that
# fresh clones on the same machine reuse it:
#   ${TOKENVAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenvault}/directus-11.3.5
# It counts as complete when its stamp (written last) matches the pinned package files and the
# Node ABI; one installer at a time (flock). `start` installs first if needed (on stderr).
#
# What `start` sets up (see directus-notes.md beside this file for the measured behaviour):
#   base URL      http://127.0.0.1:PORT (bound to 127.0.0.1 only)
#   database      SQLite DIR/data.db, a copy of a database that `directus bootstrap` made once
#                 (bootstrapping took 7-30 s here; the copy is kept beside the install)
#   admin         admin@example.com / admin-password (Directus refuses a `.test` address)
#   editor        editor@example.com / editor-password, role "Editor" whose policy has app
#                 access and may update its own user (needed to enable two-factor); TOTP
#                 two-factor enabled (RFC 6238, SHA1, 6 digits, 30 s): /auth/login then
#                 wants an `otp` field. A new secret each start, printed on stdout line 2 and
#                 kept in DIR/tfa-secret.
#   tokens        access tokens live DIRECTUS_ACCESS_TTL (default 60 = 60 s; whole seconds or
#                 a Directus duration such as 90s, 5m), refresh tokens DIRECTUS_REFRESH_TTL
#                 (default 7d); refresh tokens rotate.
#   other knobs   DIRECTUS_LOGIN_STALL_MS (default 500, Directus's own default: every login
#                 takes at least this long), DIRECTUS_LOG_LEVEL (default info),
#                 DIRECTUS_START_TIMEOUT (seconds, default 120).
#   off           telemetry (TELEMETRY=false), the CLI's npm update check (the server is run
#                 through @directus/api's CLI entry, not the `directus` wrapper that does it),
#                 marketplace (MARKETPLACE_REGISTRY points at a closed loopback port), e-mail
#                 transport check at start-up.
#
# Files in DIR: data.db, directus.env (the server's whole configuration; Directus reads it
# through CONFIG_PATH and the server gets no other environment), log, pid, tfa-secret,
# uploads/, extensions/, tmp/.
set -euo pipefail

VERSION=11.3.5
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PIN="$HERE/directus"   # package.json + package-lock.json that pin the install
CACHE_ROOT="${TOKENVAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenvault}"
INSTALL="$CACHE_ROOT/directus-$VERSION"
STAMP="$INSTALL/.installed"
RUN_JS="$INSTALL/node_modules/@directus/api/dist/cli/run.js"

ADMIN_EMAIL="admin@example.com"
ADMIN_PASSWORD="admin-password"
EDITOR_EMAIL="editor@example.com"
EDITOR_PASSWORD="editor-password"

say() { printf 'directus.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
# What the install depends on: the pinned package files and the Node ABI the native modules
# (sqlite3, isolated-vm, argon2) are compiled for.
stamp_text() {
  cat "$PIN/package.json" "$PIN/package-lock.json" | sha256sum | cut -d' ' -f1
  node -p 'process.platform + "-" + process.arch + " node-abi-" + process.versions.modules'
}
installed_current() { [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$(stamp_text)" ]]; }

cmd_install() {
  command -v node >/dev/null || die "node is not installed"
  command -v npm >/dev/null || die "npm is not installed"
  mkdir -p "$CACHE_ROOT"
  # One installer at a time, even when several tests call install together. The lock lives
  # in a subshell, so no server started later inherits it.
  (
    flock 9
    if installed_current; then say "$INSTALL is up to date"; exit 0; fi
    say "installing Directus $VERSION into $INSTALL (compiles sqlite3 and isolated-vm: minutes)"
    rm -rf "$INSTALL"
    mkdir -p "$INSTALL"
    cp "$PIN/package.json" "$PIN/package-lock.json" "$INSTALL/"
    # node-gyp needs Node's headers; it would download them (no network here) unless told
    # where the nodejs package put them.
    if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node_api.h ]]; then
      export npm_config_nodedir=/usr
    fi
    # Not niced: beside CPU-bound work (./dev soak's hogs) a nice-19 compile got 2% of a core
    # and ran for hours; it is the only thing ./dev test runs at this point.
    ( cd "$INSTALL" && npm ci --no-audit --no-fund --foreground-scripts ) \
      >"$INSTALL/npm-install.log" 2>&1 \
      || { tail -n 40 "$INSTALL/npm-install.log" >&2; die "npm ci failed (log: $INSTALL/npm-install.log)"; }
    # sqlite3 is an optional dependency of @directus/api: npm ci succeeds without it if its
    # build fails. Check that the native modules load.
    ( cd "$INSTALL" && node -e 'require("sqlite3"); require("isolated-vm"); require("argon2")' ) \
      || die "installed, but a native module does not load (log: $INSTALL/npm-install.log)"
    [[ -f "$RUN_JS" ]] || die "installed, but $RUN_JS is missing"
    stamp_text >"$STAMP"
    say "installed Directus $VERSION into $INSTALL"
  ) 9>"$INSTALL.lock"
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------
# A Directus duration: whole seconds, or a number with ms/s/m/h/d. (A bare number would be
# taken as milliseconds by Directus's `expires` but as seconds by the JWT `exp`.)
duration() { # NAME VALUE
  case $2 in
    ''|*[!0-9a-z]*) die "$1 takes whole seconds or a duration like 90s, 5m, 7d, not '$2'" ;;
  esac
  if [[ $2 =~ ^[0-9]+$ ]]; then echo "${2}s"
  elif [[ $2 =~ ^[0-9]+(ms|s|m|h|d)$ ]]; then echo "$2"
  else die "$1 takes whole seconds or a duration like 90s, 5m, 7d, not '$2'"
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The server's whole configuration. Values are double-quoted for dotenv; DIR may hold no
# `"`, `,` (Directus would read the value as a list) or newline (checked in cmd_start).
write_env() { # FILE DIR PORT DB
  local file=$1 dir=$2 port=$3 db=$4
  ( umask 077
    cat >"$file" <<EOF
HOST="127.0.0.1"
PORT="$port"
PUBLIC_URL="http://127.0.0.1:$port"
SECRET="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
DB_CLIENT="sqlite3"
DB_FILENAME="$db"
ADMIN_EMAIL="$ADMIN_EMAIL"
ADMIN_PASSWORD="$ADMIN_PASSWORD"
ACCESS_TOKEN_TTL="$ACCESS_TTL"
REFRESH_TOKEN_TTL="$REFRESH_TTL"
LOGIN_STALL_TIME="$LOGIN_STALL"
LOG_LEVEL="$LOG_LEVEL"
LOG_STYLE="raw"
TELEMETRY="false"
MARKETPLACE_TRUST="sandbox"
MARKETPLACE_REGISTRY="http://127.0.0.1:9"
EMAIL_VERIFY_SETUP="false"
CACHE_ENABLED="false"
RATE_LIMITER_ENABLED="false"
WEBSOCKETS_ENABLED="false"
STORAGE_LOCATIONS="local"
STORAGE_LOCAL_ROOT="$dir/uploads"
EXTENSIONS_PATH="$dir/extensions"
EXTENSIONS_AUTO_RELOAD="false"
PACKAGE_FILE_LOCATION="$INSTALL"
TEMP_PATH="$dir/tmp"
MIGRATIONS_PATH="$dir/migrations"
EOF
  )
}

# Directus's CLI with the configuration file and nothing of the caller's environment (a PORT
# or DB_* there would otherwise reach Directus). Through @directus/api's entry, not the
# `directus` package's cli.js, which first asks the npm registry for a newer version.
directus_cli() { # [nice] CONFIG_FILE ARGS...
  local nice=()
  if [[ $1 == nice ]]; then nice=(nice -n 10); shift; fi
  local config=$1; shift
  exec env -i PATH="$PATH" HOME="${HOME:-/root}" LANG=C.UTF-8 CONFIG_PATH="$config" \
    "${nice[@]}" node "$RUN_JS" "$@"
}

# A database that `directus bootstrap` made (schema, migrations, admin user), made once per
# install and admin account and copied by each start: bootstrapping took 7-30 s here.
template_path() {
  local key
  key=$( { cat "$STAMP"; echo "$ADMIN_EMAIL $ADMIN_PASSWORD template-v1"; } | sha256sum | cut -c1-16)
  echo "$INSTALL/templates/bootstrap-$key.db"
}

ensure_template() { # LOGFILE
  local log=$1 tpl
  tpl=$(template_path)
  [[ -f "$tpl" ]] && return 0
  mkdir -p "$INSTALL/templates"
  # (Inside "( ... ) || handler" bash ignores set -e, hence the && chain.)
  (
    flock 9 || exit 1
    [[ -f "$tpl" ]] && exit 0
    tmp=$(mktemp -d "$INSTALL/templates/tmp.XXXXXX") \
      && mkdir -p "$tmp/uploads" "$tmp/extensions" "$tmp/tmp" \
      && write_env "$tmp/directus.env" "$tmp" 0 "$tmp/data.db" \
      && ( cd "$tmp" && directus_cli nice "$tmp/directus.env" bootstrap ) </dev/null \
      && mv "$tmp/data.db" "$tpl.tmp" \
      && mv "$tpl.tmp" "$tpl" \
      && rm -rf "$tmp" \
      || { [[ -n "${tmp:-}" ]] && rm -rf "$tmp"; exit 1; }
  ) 9>"$INSTALL.lock" >>"$log" 2>&1 \
    || { tail -n 20 "$log" >&2; die "directus bootstrap failed (log: $log)"; }
}

# Gives the admin of DIR's (not yet running) database a static API token, so that setting
# up does not depend on the access-token lifetime: with DIRECTUS_ACCESS_TTL of a few seconds a
# login's token can expire before the next call on a busy machine. `provision` removes it.
set_admin_token() { # DB TOKEN
  ( cd "$INSTALL" && node -e '
    const [db, token, email] = process.argv.slice(1);
    const sqlite3 = require("sqlite3");
    const conn = new sqlite3.Database(db);
    conn.run("UPDATE directus_users SET token = ? WHERE email = ?", [token, email], function (err) {
      if (err) throw err;
      if (this.changes !== 1) { console.error("no admin user " + email + " in " + db); process.exit(1); }
      conn.close();
    });' "$1" "$2" "$ADMIN_EMAIL" )
}

# Configures the running server through its API: the editor's policy, role and user, then
# the editor's two-factor enrolment (generate, then enable with a current code), as the Data
# Studio does it. Both use static tokens, removed at the end. Prints the TOTP secret.
provision() { # BASE ADMIN_TOKEN
  BASE=$1 ADMIN_TOKEN=$2 EDITOR_TOKEN=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n') \
  EDITOR_EMAIL=$EDITOR_EMAIL EDITOR_PASSWORD=$EDITOR_PASSWORD \
    node --input-type=module - <<'EOF'
import { createHmac } from 'node:crypto';
const { BASE, ADMIN_TOKEN, EDITOR_TOKEN, EDITOR_EMAIL, EDITOR_PASSWORD } = process.env;

async function api(method, path, body, token) {
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` };
  const res = await fetch(BASE + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) {
    const err = new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    err.body = text;
    throw err;
  }
  return text ? JSON.parse(text).data : null;
}

function totp(secret, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of secret.toUpperCase().replace(/=+$/, '')) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  }
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const h = createHmac('sha1', key).update(msg).digest();
  const o = h[h.length - 1] & 15;
  return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const A = ADMIN_TOKEN;

// App access alone does not let a user update its own row, and enabling two-factor writes
// directus_users.tfa_secret as that user: grant "update own profile" as Directus's editors have.
const policy = await api('POST', '/policies', {
  name: 'Editor', icon: 'badge', app_access: true, admin_access: false, enforce_tfa: false,
  permissions: [{
    collection: 'directus_users', action: 'update',
    permissions: { id: { _eq: '$CURRENT_USER' } },
    fields: ['first_name', 'last_name', 'email', 'password', 'location', 'title', 'description',
      'avatar', 'language', 'appearance', 'theme_light', 'theme_dark', 'theme_light_overrides',
      'theme_dark_overrides', 'tfa_secret'],
  }],
}, A);
const role = await api('POST', '/roles', { name: 'Editor', icon: 'edit', policies: [{ policy: policy.id }] }, A);
const editor = await api('POST', '/users', {
  email: EDITOR_EMAIL, password: EDITOR_PASSWORD, role: role.id, status: 'active',
  first_name: 'Edith', last_name: 'Editor', token: EDITOR_TOKEN,
}, A);

const E = EDITOR_TOKEN;
const { secret } = await api('POST', '/users/me/tfa/generate', { password: EDITOR_PASSWORD }, E);
// Directus accepts the current 30 s step only: keep clear of a step's last seconds.
for (let attempt = 1; ; attempt++) {
  if ((Date.now() / 1000) % 30 > 27) await sleep(3500);
  try {
    await api('POST', '/users/me/tfa/enable', { secret, otp: totp(secret) }, E);
    break;
  } catch (e) {
    if (attempt >= 3 || !String(e.body).includes('"otp" is invalid')) throw e;
  }
}
await api('PATCH', `/users/${editor.id}`, { token: null }, A);
await api('PATCH', '/users/me', { token: null }, A);
console.log(secret);
EOF
}

cmd_start() {
  [[ $# -eq 2 ]] || usage
  local dir port pid i
  port=$2
  [[ $port =~ ^[0-9]+$ ]] && ((port > 0 && port < 65536)) || die "PORT must be a number from 1 to 65535"
  ACCESS_TTL=$(duration DIRECTUS_ACCESS_TTL "${DIRECTUS_ACCESS_TTL:-60}")
  REFRESH_TTL=$(duration DIRECTUS_REFRESH_TTL "${DIRECTUS_REFRESH_TTL:-7d}")
  LOGIN_STALL=${DIRECTUS_LOGIN_STALL_MS:-500}
  [[ $LOGIN_STALL =~ ^[0-9]+$ ]] || die "DIRECTUS_LOGIN_STALL_MS takes whole milliseconds"
  LOG_LEVEL=${DIRECTUS_LOG_LEVEL:-info}
  [[ $LOG_LEVEL =~ ^(fatal|error|warn|info|debug|trace|silent)$ ]] || die "bad DIRECTUS_LOG_LEVEL"
  local timeout=${DIRECTUS_START_TIMEOUT:-120}
  [[ $timeout =~ ^[0-9]+$ ]] || die "DIRECTUS_START_TIMEOUT takes whole seconds"
  command -v curl >/dev/null || die "curl is not installed"

  mkdir -p "$1"
  dir="$(cd "$1" && pwd)"
  case $dir in *[\",]*|*$'\n'*) die "DIR may not contain '\"', ',' or a newline: $dir" ;; esac

  if ! installed_current; then cmd_install; fi

  cmd_stop "$dir" >/dev/null # idempotent: an instance already in DIR is ended first
  port_in_use "$port" && die "127.0.0.1:$port is already in use"

  rm -rf "$dir"/{data.db,data.db-journal,data.db-wal,data.db-shm,directus.env,log,pid,tfa-secret} \
         "$dir"/{uploads,extensions,tmp}
  : >"$dir/log"
  ensure_template "$dir/log"
  cp "$(template_path)" "$dir/data.db"
  local admin_token
  admin_token=$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')
  set_admin_token "$dir/data.db" "$admin_token" 2>>"$dir/log" \
    || { tail -n 5 "$dir/log" >&2; die "could not give the admin a static token (log: $dir/log)"; }
  mkdir -p "$dir/uploads" "$dir/extensions" "$dir/tmp"
  write_env "$dir/directus.env" "$dir" "$port" "$dir/data.db"
  local base="http://127.0.0.1:$port"

  # Start it in the background; its pid in DIR/pid, its output in DIR/log. Run from DIR:
  # Directus resolves a few relative paths against the working directory.
  ( cd "$dir" && directus_cli "$dir/directus.env" start ) </dev/null >>"$dir/log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"
  # From here on, a failure (or an interrupt) ends the instance rather than leave it half set up.
  START_DIR=$dir
  trap 'cmd_stop "$START_DIR" >/dev/null' EXIT

  # Ready when /server/ping answers while our process lives (the port was free before).
  local deadline=$((SECONDS + timeout))
  while :; do
    if ! alive "$pid"; then
      tail -n 20 "$dir/log" >&2
      die "directus exited during start (log: $dir/log)"
    fi
    [[ "$(curl -s --noproxy '*' --max-time 2 "$base/server/ping" 2>/dev/null)" == pong ]] && break
    ((SECONDS < deadline)) || die "no answer on 127.0.0.1:$port within $timeout s (log: $dir/log)"
    sleep 0.1
  done

  local secret
  secret=$(provision "$base" "$admin_token" 2>>"$dir/log") \
    || { tail -n 5 "$dir/log" >&2; die "setting up the editor failed (log: $dir/log)"; }
  [[ $secret =~ ^[A-Z2-7]+=*$ ]] || die "unexpected TOTP secret '$secret'"
  ( umask 077; echo "$secret" >"$dir/tfa-secret" )
  trap - EXIT

  echo "$base"
  echo "$secret"
}

# ---------------------------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------------------------
# A process that exists and is not a zombie (a zombie has ended; only its parent has yet to
# reap it).
alive() { kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

# True if PID is the Directus server started for DIR (pids get reused). Whatever cache it
# runs from: `stop` may be called with another TOKENVAULT_CACHE than `start` was.
is_our_server() { # PID DIR
  [[ -r "/proc/$1/cmdline" ]] || return 1
  tr '\0' '\n' <"/proc/$1/cmdline" 2>/dev/null | grep -qE '/@directus/api/dist/cli/run\.js$' || return 1
  tr '\0' '\n' <"/proc/$1/environ" 2>/dev/null | grep -qxF "CONFIG_PATH=$2/directus.env"
}

# PID's descendants, children first listed after their parent.
descendants() { # PID
  local child
  for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

cmd_stop() {
  [[ $# -eq 1 ]] || usage
  local dir pid procs p i any
  dir="$(cd "$1" 2>/dev/null && pwd)" || { echo "directus.sh: $1 does not exist; nothing to stop"; return 0; }
  [[ -f "$dir/pid" ]] || { echo "directus.sh: no pid file in $dir; nothing to stop"; return 0; }
  pid=$(cat "$dir/pid")
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! is_our_server "$pid" "$dir"; then
    # Stale pid file: that process is gone or is some other program. Leave it alone.
    rm -f "$dir/pid"
    echo "directus.sh: instance in $dir is not running"
    return 0
  fi
  # Note its child processes too (Directus 11.3.5 starts none, but wait for any), then TERM:
  # Directus closes its connections and exits (SERVER_SHUTDOWN_TIMEOUT, 1 s).
  procs="$pid $(descendants "$pid" | tr '\n' ' ')"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    any=0
    for p in $procs; do alive "$p" && any=1; done
    ((any == 0)) && break
    sleep 0.1
  done
  if ((any == 1)); then
    say "instance in $dir did not end on TERM within 15 s; killing it"
    for p in $procs; do kill -KILL "$p" 2>/dev/null || true; done
    for ((i = 0; i < 50; i++)); do
      any=0
      for p in $procs; do alive "$p" && any=1; done
      ((any == 0)) && break
      sleep 0.1
    done
  fi
  rm -f "$dir/pid"
  echo "directus.sh: stopped instance in $dir (pid $pid)"
}

# ---------------------------------------------------------------------------------------------
# totp
# ---------------------------------------------------------------------------------------------
cmd_totp() {
  [[ $# -eq 1 && $1 =~ ^[A-Za-z2-7]+=*$ ]] || die "usage: $0 totp BASE32SECRET"
  node -e '
    const { createHmac } = require("node:crypto");
    const a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const bits = [...process.argv[1].toUpperCase().replace(/=+$/, "")]
      .map((c) => a.indexOf(c).toString(2).padStart(5, "0")).join("");
    const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
    const h = createHmac("sha1", key).update(msg).digest();
    const o = h[h.length - 1] & 15;
    console.log(String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0"));
  ' "$1"
}

case ${1:-} in
  install) shift; [[ $# -eq 0 ]] || usage; cmd_install ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  totp) shift; cmd_totp "$@" ;;
  *) usage ;;
esac
