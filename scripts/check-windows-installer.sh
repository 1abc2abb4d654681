#!/usr/bin/env bash
# Checks the Windows installer the way a user meets it, under Wine in a throwaway prefix:
#   1. `setup.exe /S` installs the app, tokenvault.exe and the uninstaller into
#      %LOCALAPPDATA%\Programs\Tokenvault, with a Start menu shortcut, an Apps & features
#      entry, and the folder on the user's PATH;
#   2. the installed tokenvault.exe, found through that PATH, logs in to the demo API
#      (running natively on loopback) and prints a token, with its secrets in Credential
#      Manager;
#   3. the uninstaller takes it all away again, and leaves the vault alone.
#
#   scripts/check-windows-installer.sh INSTALLER [DATA_FOLDER]
#
# DATA_FOLDER is the vault's folder name in %APPDATA%: tokenvault (the default), or
# tokenvault-dev for an installer of debug builds.
#
# Needs target/debug/tokenvault-demo-api (./dev builds it) and scripts/cross.sh's Wine.
set -euo pipefail
cd "$(dirname "$0")/.."
installer=$(realpath "${1:?usage: scripts/check-windows-installer.sh INSTALLER [DATA_FOLDER]}")
data_folder=${2:-tokenvault}
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)

wine=/usr/lib/wine/wine64
wineserver=/usr/lib/wine/wineserver
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-installer.XXXXXX")
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
api_pid=
cleanup() {
  [ -z "$api_pid" ] || kill "$api_pid" 2>/dev/null || true
  "$wineserver" -k 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/lib/checks.sh
source scripts/lib/checks.sh
# A Windows program in the prefix; Wine's own console tools print CRLF.
win() { "$wine" "$@" 2>/dev/null | tr -d '\r'; }
reg_value() { win reg query "$1" /v "$2" | sed -n "s/^ *$2 *REG_[A-Z_]* *//p"; }

echo "==> a new Wine prefix, as a new Windows user" >&2
mkdir -p "$WINEPREFIX"
# Not a persistent wineserver: `wineserver -w` below waits for every program of the prefix
# to end, the uninstaller's copy in %TEMP% included, and the server with them.
# The first program may come before the prefix is whole: a fresh-clone `./dev test` once
# stopped here with Wine's exit 53 ("not found"), and the same check passed twice when run
# again. So wait for the prefix's set-up to end, see that a program starts, and set it up
# again if not.
for try in 1 2 3; do
  "$wine" wineboot --init >/dev/null 2>&1 || true
  "$wineserver" -w
  if "$wine" cmd /c echo ready >/dev/null 2>&1; then break; fi
  [ "$try" -lt 3 ] || { bad "a new Wine prefix did not start programs after 3 tries"; exit 1; }
  echo "the new Wine prefix starts no program yet (try $try): setting it up again" >&2
done
# Wine 8 lacks the ProcessPrng that Rust programs import (see scripts/cross/): a prefix that
# has it looks like Windows 10 and later to them.
x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/cross/bcryptprimitives.c -lbcrypt
profile=$(win cmd /c echo %LOCALAPPDATA%)
folder="$profile\\Programs\\Tokenvault"
unix_folder=$(win winepath -u "$folder")

echo "==> $(basename "$installer") /S" >&2
check "the silent install ends well" "$wine" "$installer" /S
"$wineserver" -w
for file in tokenvault-desktop.exe tokenvault.exe uninstall.exe; do
  check "$file is installed" test -s "$unix_folder/$file"
done
check "the Start menu has a shortcut" \
  test -f "$(win winepath -u "$(win cmd /c echo %APPDATA%)\\Microsoft\\Windows\\Start Menu\\Programs\\Tokenvault.lnk")"
uninstall_key='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\Tokenvault'
check "Apps & features lists Tokenvault $version" test "$(reg_value "$uninstall_key" DisplayVersion)" = "$version"
check "the install folder is on the user's PATH" has_text "$(reg_value 'HKCU\Environment' Path)" "$folder"
check "tokenvault.exe --version says $version" \
  test "$(win "$unix_folder/tokenvault.exe" --version)" = "tokenvault $version"

echo "==> the installed CLI against the demo API" >&2
api_log=$work/demo-api.log
target/debug/tokenvault-demo-api --port 0 >"$api_log" 2>&1 &
api_pid=$!
for _ in $(seq 50); do grep -q '^listening on' "$api_log" && break; sleep 0.1; done
api=$(sed -n 's/^listening on //p' "$api_log")
[ -n "$api" ] || { cat "$api_log" >&2; bad "the demo API did not start"; exit 1; }
password="prive-demo-password"
# As a terminal would: `tokenvault` found through the PATH the installer set (a new Wine
# session reads the user's environment from the registry, as a new Windows login does).
"$wineserver" -w
cli() { "$wine" cmd /c tokenvault "$@" 2>>"$work/cli.log" | tr -d '\r'; }
printf '%s\n' "$password" >"$work/password"
if "$wine" cmd /c tokenvault account add demo --preset prive --base-url "$api/prive" \
  --username advisor@prive.demo --password-stdin <"$work/password" >>"$work/cli.log" 2>&1; then
  ok "account add logs in to the demo API"
else
  cat "$work/cli.log" >&2
  bad "account add"
fi
token=$(cli token demo || true)
check "token prints a JWT" grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$' <<<"$token"
check "status names the account" has_text "$(cli status)" "demo"
vault=$(win winepath -u "$(win cmd /c echo %APPDATA%)\\$data_folder")
check "the vault is in %APPDATA%\\$data_folder" test -s "$vault/accounts.json"
"$wineserver" -k
"$wineserver" -w
check "the secrets went to Credential Manager" grep -q 'Credential Manager' "$WINEPREFIX/user.reg"
check "no file of the vault or the registry holds the password or the token in plain text" \
  sh -c "! grep -rqF -e '$password' -e '${token:-no token}' '$vault' '$WINEPREFIX'/*.reg"

echo "==> the uninstaller" >&2
check "the silent uninstall ends well" "$wine" "$unix_folder/uninstall.exe" /S
# It copies itself to %TEMP% and runs from there: wait for every program of the prefix.
"$wineserver" -w
check "the install folder is gone" test ! -e "$unix_folder"
check "the Apps & features entry is gone" sh -c "! '$wine' reg query '$uninstall_key' >/dev/null 2>&1"
check "the install folder is off the PATH" lacks_text "$(reg_value 'HKCU\Environment' Path)" "$folder"
check "the vault stays" test -s "$vault/accounts.json"

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) of the Windows installer failed" >&2
  exit 1
fi
echo "the Windows installer: every check passed" >&2
