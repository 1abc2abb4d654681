# Shared by the installer checks (scripts/check-packages.sh, scripts/check-windows-installer.sh):
# a line per check, ok or FAIL, and the count of failures in $failures.
# shellcheck shell=bash
failures=0
ok() { printf '  \033[32mok\033[0m   %s\n' "$*" >&2; }
bad() {
  printf '  \033[31mFAIL\033[0m %s\n' "$*" >&2
  failures=$((failures + 1))
}
check() { # check DESCRIPTION COMMAND...: ok when the command succeeds
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi
}
has_line() { grep -qxF -- "$2" <<<"$1"; }
has_text() { grep -qF -- "$2" <<<"$1"; }
lacks_text() { ! grep -qiF -- "$2" <<<"$1"; }
