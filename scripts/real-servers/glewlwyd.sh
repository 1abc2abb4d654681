#!/usr/bin/env bash
# A real Glewlwyd 2.7 OAuth 2 / OpenID Connect server on loopback, for automated tests.
#
#   glewlwyd.sh install            install the Debian packages (root; idempotent)
#   glewlwyd.sh start DIR PORT     fresh instance in DIR on 127.0.0.1:PORT; prints the issuer URL
#   glewlwyd.sh stop DIR           end the instance of DIR and wait until it is gone
#
# What `start` sets up (see glewlwyd-notes.md beside this file for the measured behaviour):
#   issuer           http://127.0.0.1:PORT/api/oidc
#                    (discovery: ISSUER/.well-known/openid-configuration)
#   OIDC plugin      `oidc`: RS256 (RSA key made with openssl), access tokens GLEWLWYD_ACCESS_TTL
#                    seconds (default 60), refresh tokens 3600 s, one-time-use refresh tokens
#                    (GLEWLWYD_REFRESH_ONE_USE=always|never, default always); grants: code with
#                    PKCE S256 (required of public clients), refresh_token, client_credentials,
#                    device_code (codes last GLEWLWYD_DEVICE_TTL s, default 600; poll interval
#                    GLEWLWYD_DEVICE_INTERVAL s, default 5); introspection, revocation, JWKS on.
#   scopes           openid (shipped), profile, offline_access, reports
#   user             alice / alice-password, scopes openid profile offline_access, and her consent
#                    to client `tokenvault` for those scopes already given (no consent prompt)
#   clients          tokenvault: public (no secret), code + refresh_token + device_authorization,
#                      redirect URIs: exact strings only (Glewlwyd does not ignore the loopback
#                      port): http://127.0.0.1:8400/callback, http://localhost:8400/callback,
#                      http://127.0.0.1/callback, plus each URI in GLEWLWYD_REDIRECT_URIS
#                      (space-separated)
#                    reporting / reporting-secret: confidential, client_credentials, scope
#                      `reports`, client_secret_basic and client_secret_post
#   admin            admin / password (from the package's init.sqlite3.sql)
#
# Files in DIR: glewlwyd.conf, glewlwyd.db, key.pem, pub.pem, webapp/ (login pages), log, pid.
#
# Two things a test must know (details in glewlwyd-notes.md): the authorization endpoint
# always sends the browser to the login page unless the query carries `g_continue` (which the
# login page's Continue button adds), and it wants a `nonce` whenever the scope has `openid`.
set -euo pipefail

ADMIN_USER="admin"
ADMIN_PASSWORD="password"
PACKAGES=(glewlwyd dbconfig-no-thanks sqlite3 openssl curl jq)

say() { printf 'glewlwyd.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]; }

cmd_install() {
  [ "$(id -u)" = 0 ] || die "install needs root"
  export DEBIAN_FRONTEND=noninteractive
  # Without this answer the package's postinst tries to set a database up and fails,
  # leaving dpkg half-configured.
  echo 'glewlwyd glewlwyd/config_type select No configuration' | debconf-set-selections
  # A package left half-configured by an earlier attempt: finish it with the answer above.
  if [ -n "$(dpkg --audit 2>/dev/null)" ]; then
    dpkg --configure -a
  fi
  local missing=() p
  for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
  if [ "${#missing[@]}" -gt 0 ]; then
    # Read the package lists only when apt does not know the package yet.
    if ! apt-cache show glewlwyd >/dev/null 2>&1; then apt-get update -q; fi
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
      { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  fi
  # Tests run their own instances: the system service must not run (nor start at boot).
  if [ -d /run/systemd/system ]; then
    systemctl disable --now glewlwyd.service >/dev/null 2>&1 || true
  elif command -v systemctl >/dev/null; then
    systemctl disable glewlwyd.service >/dev/null 2>&1 || true # just drops the boot link
  fi
  if [ -x /etc/init.d/glewlwyd ] && [ ! -d /run/systemd/system ]; then
    /etc/init.d/glewlwyd stop >/dev/null 2>&1 || true
    update-rc.d glewlwyd disable >/dev/null 2>&1 || true
  fi
  glewlwyd --help 2>&1 | grep -m1 '^Version' >&2 || die "glewlwyd did not install"
}

# ---------------------------------------------------------------------------------------------
# start
# ---------------------------------------------------------------------------------------------
# The SQL that creates the schema and the admin user; the doc copy may be left out by a
# minimal image (dpkg path-exclude), the dbconfig-common copy lacks only the DROP lines.
init_sql() {
  if [ -f /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz ]; then
    zcat /usr/share/doc/glewlwyd/database/init.sqlite3.sql.gz
  elif [ -f /usr/share/dbconfig-common/data/glewlwyd/install/sqlite3 ]; then
    cat /usr/share/dbconfig-common/data/glewlwyd/install/sqlite3
  else
    die "no init.sqlite3.sql found: run '$0 install'"
  fi
}

write_config() { # DIR PORT
  local dir=$1 port=$2
  # No use_secure_connection key at all: present (even false) without a certificate,
  # glewlwyd refuses to start. No cookie_domain: the session cookie is host-only.
  cat >"$dir/glewlwyd.conf" <<EOF
port=$port
bind_address="127.0.0.1"
external_url="http://127.0.0.1:$port"
login_url="login.html"
api_prefix="api"
static_files_path="$dir/webapp/"
allow_origin="*"
log_mode="console"
log_level="${GLEWLWYD_LOG_LEVEL:-INFO}"
cookie_secure=0
cookie_same_site="lax"
session_expiration=86400
# One cookie name per port: a browser shares cookies across the ports of one host.
session_key="GLEWLWYD_SESSION_$port"
admin_session_authentication="cookie"
profile_session_authentication="cookie"
allow_multiple_user_per_session=true
login_api_enabled=true
admin_scope="g_admin"
profile_scope="g_profile"
user_module_path="/usr/lib/glewlwyd/user"
user_middleware_module_path="/usr/lib/glewlwyd/user_middleware"
client_module_path="/usr/lib/glewlwyd/client"
user_auth_scheme_module_path="/usr/lib/glewlwyd/scheme"
plugin_module_path="/usr/lib/glewlwyd/plugin"
hash_algorithm="SHA512"
database = { type = "sqlite3"; path = "$dir/glewlwyd.db"; };
static_files_mime_types = (
  { extension = ".html";  mime_type = "text/html";                compress = 1; },
  { extension = ".css";   mime_type = "text/css";                 compress = 1; },
  { extension = ".js";    mime_type = "application/javascript";   compress = 1; },
  { extension = ".json";  mime_type = "application/json";         compress = 1; },
  { extension = ".png";   mime_type = "image/png";                compress = 0; },
  { extension = ".ico";   mime_type = "image/x-icon";             compress = 0; },
  { extension = ".ttf";   mime_type = "font/ttf";                 compress = 0; },
  { extension = ".woff";  mime_type = "font/woff";                compress = 0; },
  { extension = ".woff2"; mime_type = "font/woff2";               compress = 0; },
  { extension = ".svg";   mime_type = "image/svg+xml";            compress = 1; }
);
EOF
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# api METHOD PATH COOKIEJAR [JSON]: one admin/user API call; fails loudly on a non-2xx answer.
api() {
  local method=$1 path=$2 jar=$3 body=${4:-} out code
  out=$(mktemp)
  code=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" -b "$jar" -c "$jar" \
    -H 'Content-Type: application/json' ${body:+--data-binary "$body"} "$BASE/api$path") || code=000
  if [ "${code:0:1}" != 2 ]; then
    say "$method /api$path answered $code: $(head -c 500 "$out")"
    rm -f "$out"; return 1
  fi
  rm -f "$out"
}

plugin_json() { # DIR PORT
  local dir=$1 port=$2
  jq -n --arg iss "http://127.0.0.1:$port/api/oidc" \
        --rawfile key "$dir/key.pem" --rawfile cert "$dir/pub.pem" \
        --argjson at "${GLEWLWYD_ACCESS_TTL:-60}" \
        --arg oneuse "${GLEWLWYD_REFRESH_ONE_USE:-always}" \
        --argjson dttl "${GLEWLWYD_DEVICE_TTL:-600}" \
        --argjson dint "${GLEWLWYD_DEVICE_INTERVAL:-5}" '{
    module: "oidc", name: "oidc", display_name: "OpenID Connect", enabled: true,
    parameters: {
      iss: $iss, "oauth-as-iss-id": true, "subject-type": "public",
      "jwt-type": "rsa", "jwt-key-size": "256", key: $key, cert: $cert, "jwks-show": true,
      "access-token-duration": $at, "refresh-token-duration": 3600, "code-duration": 600,
      "refresh-token-rolling": false, "refresh-token-one-use": $oneuse,
      "allow-non-oidc": true,
      "auth-type-code-enabled": true, "auth-type-code-revoke-replayed": false,
      "auth-type-token-enabled": false,
      "auth-type-none-enabled": false, "auth-type-password-enabled": false,
      "auth-type-client-enabled": true, "auth-type-refresh-enabled": true,
      "auth-type-device-enabled": true,
      "device-authorization-expiration": $dttl, "device-authorization-interval": $dint,
      "pkce-allowed": true, "pkce-method-plain-allowed": false,
      "pkce-required-public-client": true,
      "introspection-revocation-allowed": true,
      "introspection-revocation-allow-target-client": true,
      "introspection-revocation-auth-scope": [],
      "scope": [], "claims": [],
      "name-claim": "on-demand", "email-claim": "on-demand", "scope-claim": "on-demand",
      "address-claim": {type: "no"},
      "allowed-scope": ["openid", "profile", "offline_access", "reports"],
      "request-parameter-allow": false, "register-client-allowed": false,
      "session-management-allowed": false
    }}'
}

cmd_start() {
  local dir=${1:?usage: start DIR PORT} port=${2:?usage: start DIR PORT}
  local v
  for v in "$port" "${GLEWLWYD_ACCESS_TTL:-60}" "${GLEWLWYD_DEVICE_TTL:-600}" \
           "${GLEWLWYD_DEVICE_INTERVAL:-5}"; do
    case $v in ''|*[!0-9]*) die "PORT and GLEWLWYD_*_TTL/INTERVAL take whole numbers, not '$v'" ;; esac
  done
  case ${GLEWLWYD_REFRESH_ONE_USE:-always} in
    always|never) ;;
    *) die "GLEWLWYD_REFRESH_ONE_USE is always or never, not '$GLEWLWYD_REFRESH_ONE_USE'" ;;
  esac
  command -v glewlwyd >/dev/null || die "glewlwyd is not installed: run '$0 install'"
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  cmd_stop "$dir" # idempotent: an instance already in DIR is ended first
  port_in_use "$port" && die "127.0.0.1:$port is already in use"
  rm -f "$dir"/{glewlwyd.conf,glewlwyd.db,key.pem,pub.pem,log,pid,admin.cookies,alice.cookies}
  rm -rf "$dir/webapp"
  BASE="http://127.0.0.1:$port"

  # A fresh database with the admin user, an RSA key pair for RS256, the config file.
  # One transaction: statement by statement, SQLite's syncs make this take 2.5 s instead of 0.05.
  { echo 'PRAGMA synchronous=OFF; BEGIN;'; init_sql; echo 'COMMIT;'; } | sqlite3 "$dir/glewlwyd.db"
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/key.pem" 2>/dev/null
  openssl pkey -in "$dir/key.pem" -pubout -out "$dir/pub.pem"
  write_config "$dir" "$port"
  # The login pages, copied with symlinks resolved: glewlwyd serves no file whose real path
  # leaves static_files_path (the package's css/ and js/ are symlinks into other packages), and
  # the package's config.json is a symlink to a directory. Without this the login page shows
  # "Loading..." forever.
  cp -rL /usr/share/glewlwyd/webapp "$dir/webapp"
  rm -rf "$dir/webapp/config.json"
  cp /usr/share/glewlwyd/templates/config.json "$dir/webapp/config.json"

  # Start it in the background; its pid in DIR/pid, its output in DIR/log.
  glewlwyd --config-file="$dir/glewlwyd.conf" </dev/null >"$dir/log" 2>&1 &
  echo $! >"$dir/pid"
  # From here on, a failure ends the instance rather than leave it half set up.
  trap 'cmd_stop "$dir"' ERR

  # Wait until it answers (about 0.1 s), or fail with its log.
  local i
  for i in $(seq 1 200); do
    if ! alive "$(cat "$dir/pid")"; then
      tail -20 "$dir/log" >&2; rm -f "$dir/pid"; die "glewlwyd exited"
    fi
    curl -fsS -o /dev/null "$BASE/config" 2>/dev/null && break
    [ "$i" = 200 ] && { cmd_stop "$dir"; die "glewlwyd did not answer within 20 s"; }
    sleep 0.1
  done

  # Configure it through the admin API, as admin/password.
  local admin="$dir/admin.cookies" alice="$dir/alice.cookies" name uris
  api POST /auth/ "$admin" \
    "$(jq -nc --arg u "$ADMIN_USER" --arg p "$ADMIN_PASSWORD" '{username: $u, password: $p}')"
  # Scopes granted on a password login (openid ships with the database).
  for name in profile offline_access reports; do
    api POST /scope/ "$admin" "$(jq -nc --arg n "$name" \
      '{name: $n, display_name: $n, password_required: true, password_max_age: 0, scheme: {}}')"
  done
  api POST /mod/plugin/ "$admin" "$(plugin_json "$dir" "$port")"
  api POST /user/ "$admin" '{"username": "alice", "password": "alice-password", "name": "Alice",
    "email": "alice@example.test", "enabled": true,
    "scope": ["openid", "profile", "offline_access"]}'
  local extra=()
  read -r -a extra <<<"${GLEWLWYD_REDIRECT_URIS:-}"
  uris=$(printf '%s\n' http://127.0.0.1:8400/callback http://localhost:8400/callback \
           http://127.0.0.1/callback "${extra[@]}" | jq -R . | jq -sc .)
  api POST /client/ "$admin" "$(jq -nc --argjson uris "$uris" '{client_id: "tokenvault",
    name: "Tokenvault", enabled: true, confidential: false, redirect_uri: $uris,
    authorization_type: ["code", "refresh_token", "device_authorization"],
    token_endpoint_auth_method: ["none"], scope: []}')"
  api POST /client/ "$admin" '{"client_id": "reporting", "name": "Reporting service",
    "enabled": true, "confidential": true, "client_secret": "reporting-secret", "redirect_uri": [],
    "authorization_type": ["client_credentials"],
    "token_endpoint_auth_method": ["client_secret_basic", "client_secret_post"],
    "scope": ["reports"]}'
  api DELETE /auth/ "$admin"
  # Alice's consent for tokenvault, given once now so no flow stops at a consent screen.
  # The list is space-separated (API.md says comma-separated; the code splits on spaces).
  api POST /auth/ "$alice" '{"username": "alice", "password": "alice-password"}'
  api PUT /auth/grant/tokenvault "$alice" '{"scope": "openid profile offline_access"}'
  api DELETE /auth/ "$alice"
  rm -f "$admin" "$alice"
  trap - ERR

  echo "$BASE/api/oidc"
}

# ---------------------------------------------------------------------------------------------
# stop
# ---------------------------------------------------------------------------------------------
# A process that exists and is not a zombie (a zombie has ended; only its parent, PID 1 once
# `start` has exited, has yet to reap it).
alive() { kill -0 "$1" 2>/dev/null && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]; }

cmd_stop() {
  local dir=${1:?usage: stop DIR} pid i conf
  [ -f "$dir/pid" ] || return 0
  pid=$(cat "$dir/pid")
  conf="$(cd "$dir" && pwd)/glewlwyd.conf"
  # Only that process, and only if it is still the glewlwyd of this DIR (pids get reused).
  if [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null |
      grep -qF "glewlwyd --config-file=$conf"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then
      say "pid $pid did not end on TERM within 10 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$dir/pid"
}

case ${1:-} in
  install) shift; cmd_install "$@" ;;
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
