#!/usr/bin/env bash
# A real Directus 11.3.5 server on loopback, for automated tests.
set -euo pipefail

VERSION=11.3.5
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PIN="$HERE/directus"   # package.json + package-lock.json that pin the install
CACHE_ROOT="${TOKENVAULT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tokenvault}"
INSTALL="$CACHE_ROOT/directus-$VERSION"
STAMP="$INSTALL/.installed"

say() { printf 'directus.sh: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

stamp_text() {
  { sha256sum <"$PIN/package-lock.json"; node -p 'process.version + " " + process.arch'; } | tr -s ' \n' ' '
}
installed_current() { [[ -f "$STAMP" ]] && [[ "$(cat "$STAMP")" == "$(stamp_text)" ]]; }

cmd_install() {
  command -v node >/dev/null || die "node is not installed"
  command -v npm >/dev/null || die "npm is not installed"
  mkdir -p "$CACHE_ROOT"
  (
    flock 9
    if installed_current; then say "$INSTALL is up to date"; exit 0; fi
    say "installing Directus $VERSION into $INSTALL (compiles native modules: minutes)"
    rm -rf "$INSTALL"
    mkdir -p "$INSTALL"
    cp "$PIN/package.json" "$PIN/package-lock.json" "$INSTALL/"
    if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node_api.h ]]; then
      export npm_config_nodedir=/usr
    fi
    ( cd "$INSTALL" && nice -n 19 npm ci --no-audit --no-fund --foreground-scripts ) \
      >"$INSTALL/npm-install.log" 2>&1 \
      || { tail -n 40 "$INSTALL/npm-install.log" >&2; die "npm ci failed (log: $INSTALL/npm-install.log)"; }
    ( cd "$INSTALL" && node -e 'require("sqlite3"); require("isolated-vm"); require("argon2")' ) \
      || die "installed, but a native module does not load (log: $INSTALL/npm-install.log)"
    stamp_text >"$STAMP"
    say "installed Directus $VERSION into $INSTALL"
  ) 9>"$INSTALL.lock"
}

case ${1:-} in
  install) shift; cmd_install "$@" ;;
  *) echo "usage: $0 install | start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
