#!/usr/bin/env bash
# Checks the Linux installers the way a user meets them:
#   1. the .deb and the .rpm carry the app, the `tokenvault` CLI, the desktop entry, icons at
#      every size, the licence, and the metadata (name, version, description, dependencies);
#   2. the .deb installs with apt into a clean Debian root (debootstrap, nothing else in it),
#      so the dependencies it declares are the only ones it gets;
#   3. there, the installed CLI logs in to the demo API (running on this machine's loopback)
#      and prints a token, with its secrets in the encrypted file (a server has no keyring);
#   4. there, the installed app opens its window, with its icon, on this machine's X display;
#   5. `apt-get remove` takes it all away again;
#   6. the command line alone (tokenvault-cli .deb and .rpm) needs no WebKit: the .deb installs
#      into another clean root without it, its manual page reads with `man`, bash completes
#      its commands, and its agent's user unit runs the installed binary.
#
#   scripts/check-packages.sh BUNDLE_DIR      e.g. target/release/bundle or target/debug/bundle
#
# Needs root (debootstrap, chroot); the clean root is cached as a tarball under target/pkgroot/.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle_dir=${1:?usage: scripts/check-packages.sh BUNDLE_DIR}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
deb=$(find "$bundle_dir/deb" -maxdepth 1 -name "*_${version}_*.deb" | head -n1)
rpm=$(find "$bundle_dir/rpm" -maxdepth 1 -name "*-${version}-*.rpm" | head -n1)
[ -n "$deb" ] || { echo "no .deb of version $version in $bundle_dir/deb" >&2; exit 1; }
[ -n "$rpm" ] || { echo "no .rpm of version $version in $bundle_dir/rpm" >&2; exit 1; }

work=target/pkgroot
root=$work/root
mkdir -p "$work"
# shellcheck source=scripts/lib/checks.sh
source scripts/lib/checks.sh

cleanup() {
  [ -n "${app_pid:-}" ] && kill -KILL "$app_pid" 2>/dev/null
  [ -n "${xvfb_pid:-}" ] && kill "$xvfb_pid" 2>/dev/null
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT

icon_sizes=(16x16 24x24 32x32 48x48 64x64 128x128 256x256 512x512)

echo "==> $deb" >&2
fields=$(dpkg-deb --field "$deb")
check "package name tokenvault" has_line "$fields" "Package: tokenvault"
check "version $version (the workspace's)" has_line "$fields" "Version: $version"
check "a description" has_text "$fields" "Description: Fresh API tokens"
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libayatana-appindicator3-1 libdbus-1-3; do
  check "depends on $dep" has_text "$(sed -n 's/^Depends: //p' <<<"$fields")" "$dep"
done
files=$(dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's#^\./##')
for f in usr/bin/tokenvault usr/bin/tokenvault-desktop usr/share/applications/Tokenvault.desktop \
  usr/share/doc/tokenvault/copyright usr/share/man/man1/tokenvault.1.gz \
  usr/share/bash-completion/completions/tokenvault usr/lib/systemd/user/tokenvault-agent.service; do
  check "holds /$f" has_line "$files" "$f"
done
for size in "${icon_sizes[@]}"; do
  check "holds the ${size} icon" has_line "$files" "usr/share/icons/hicolor/$size/apps/tokenvault-desktop.png"
done
entry=$(mktemp --suffix=.desktop)
dpkg-deb --fsys-tarfile "$deb" | tar -xO usr/share/applications/Tokenvault.desktop >"$entry"
check "the desktop entry passes desktop-file-validate" desktop-file-validate "$entry"
rm -f "$entry"

echo "==> $rpm" >&2
query=$(rpm -qp --queryformat '%{NAME}|%{VERSION}|%{LICENSE}|%{SUMMARY}' "$rpm" 2>/dev/null)
check "name, version $version, licence and summary" test "$query" = \
  "tokenvault|$version|MIT OR Apache-2.0|Fresh API tokens for every login dialect"
requires=$(rpm -qp --requires "$rpm" 2>/dev/null)
for dep in 'libwebkit2gtk-4.1.so.0()(64bit)' 'libgtk-3.so.0()(64bit)' dbus-libs; do
  check "requires $dep" has_line "$requires" "$dep"
done
rpm_files=$(rpm -qlp "$rpm" 2>/dev/null)
for f in /usr/bin/tokenvault /usr/bin/tokenvault-desktop /usr/share/applications/Tokenvault.desktop \
  /usr/share/licenses/tokenvault/LICENSE-MIT /usr/share/icons/hicolor/512x512/apps/tokenvault-desktop.png; do
  check "holds $f" has_line "$rpm_files" "$f"
done

echo "==> install the .deb into a clean Debian root" >&2
base=$work/bookworm-minbase.tar
if [ ! -f "$base" ]; then
  echo "  making the clean root once (debootstrap, about a minute)" >&2
  rm -rf "$work/base"
  debootstrap --variant=minbase bookworm "$work/base" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  chroot "$work/base" apt-get update -q >>"$work/debootstrap.log" 2>&1
  tar -C "$work/base" -cf "$base.partial" . && mv "$base.partial" "$base"
  rm -rf "$work/base"
fi
rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
cp "$deb" "$root/tmp/tokenvault.deb"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }
if in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/tokenvault.deb' \
  >"$work/install.log" 2>&1; then
  ok "apt-get installs it with its dependencies ($(grep -c '^Setting up' "$work/install.log") packages set up)"
else
  tail -20 "$work/install.log" >&2
  bad "apt-get install"
  exit 1
fi
check "tokenvault --version says $version" test "$(in_root tokenvault --version)" = "tokenvault $version"
check "every library of the app resolves" sh -c "! chroot '$root' ldd /usr/bin/tokenvault-desktop | grep -q 'not found'"
check "every library of the CLI resolves" sh -c "! chroot '$root' ldd /usr/bin/tokenvault | grep -q 'not found'"

echo "==> the installed CLI against the demo API" >&2
api_log=$work/demo-api.log
target/debug/tokenvault-demo-api --port 0 >"$api_log" 2>&1 &
api_pid=$!
for _ in $(seq 50); do grep -q '^listening on' "$api_log" && break; sleep 0.1; done
api=$(sed -n 's/^listening on //p' "$api_log")
[ -n "$api" ] || { cat "$api_log" >&2; bad "the demo API did not start"; exit 1; }
passphrase="pkg-check-passphrase"
password="prive-demo-password"
cli() { in_root TOKENVAULT_HOME=/root/vault TOKENVAULT_PASSPHRASE="$passphrase" tokenvault "$@"; }
if printf '%s\n' "$password" | cli account add demo --preset prive --base-url "$api/prive" \
  --username advisor@prive.demo --password-stdin >"$work/cli.log" 2>&1; then
  ok "account add logs in to the demo API"
else
  cat "$work/cli.log" >&2
  bad "account add"
fi
token=$(cli token demo 2>>"$work/cli.log" || true)
check "token prints a JWT" grep -qE '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$' <<<"$token"
check "status names the account" has_text "$(cli status 2>&1)" "demo"
check "the secrets went to the encrypted file" test -s "$root/root/vault/secrets.enc"
check "no file of the vault holds the password or the token in plain text" \
  sh -c "! grep -rqF -e '$password' -e '${token:-no token}' '$root/root/vault'"

echo "==> the installed app on a virtual display" >&2
display_fd=$work/display
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp 3>"$display_fd" >/dev/null 2>&1 &
xvfb_pid=$!
for _ in $(seq 50); do [ -s "$display_fd" ] && break; sleep 0.1; done
display=":$(tr -d '[:space:]' <"$display_fd")"
# Its own mount and process namespaces: /proc for WebKit, gone with the app.
unshare --mount --pid --fork --kill-child=KILL --mount-proc="$root/proc" \
  chroot "$root" env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 DISPLAY="$display" \
  tokenvault-desktop --demo >"$work/app.log" 2>&1 &
app_pid=$!
window=""
for _ in $(seq 100); do
  window=$(DISPLAY=$display xdotool search --onlyvisible --name '^Tokenvault$' 2>/dev/null | head -n1 || true)
  [ -n "$window" ] && break
  sleep 0.2
done
if [ -n "$window" ]; then
  ok "the window opens"
  icon=$(DISPLAY=$display xprop -len 16 -id "$window" -notype 32c _NET_WM_ICON || true)
  check "the window carries the 256x256 icon" has_text "$icon" "_NET_WM_ICON = 256, 256"
  shot=$work/installed-app.png
  painted=""
  for _ in $(seq 40); do
    DISPLAY=$display /usr/bin/import -silent -window "$window" "$shot"
    painted=$(/usr/bin/convert "$shot" -format %k info:)
    [ "$painted" -gt 200 ] && break
    sleep 0.25
  done
  check "the window paints the demo accounts ($painted colours in $shot)" test "$painted" -gt 200
else
  tail -20 "$work/app.log" >&2
  bad "the window opens"
fi
kill -KILL "$app_pid" 2>/dev/null && wait "$app_pid" 2>/dev/null || true
app_pid=""

echo "==> remove it" >&2
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tokenvault' >>"$work/install.log" 2>&1
check "apt-get remove takes the binaries away" sh -c "! test -e '$root/usr/bin/tokenvault' && ! test -e '$root/usr/bin/tokenvault-desktop'"

echo "==> the command line alone: tokenvault-cli" >&2
cli_deb=$(find "$bundle_dir/cli" -maxdepth 1 -name "tokenvault-cli_${version}_*.deb" | head -n1)
cli_rpm=$(find "$bundle_dir/cli" -maxdepth 1 -name "tokenvault-cli-${version}-*.rpm" | head -n1)
[ -n "$cli_deb" ] && [ -n "$cli_rpm" ] || { bad "tokenvault-cli .deb and .rpm of $version in $bundle_dir/cli"; exit 1; }
cli_fields=$(dpkg-deb --field "$cli_deb")
check "package name tokenvault-cli" has_line "$cli_fields" "Package: tokenvault-cli"
check "depends on no WebKit or GTK" lacks_text "$(sed -n 's/^Depends: //p' <<<"$cli_fields")" "gtk"
check "depends on libdbus-1-3" has_text "$(sed -n 's/^Depends: //p' <<<"$cli_fields")" "libdbus-1-3"
check "conflicts with the desktop package, which holds the same CLI" has_line "$cli_fields" "Conflicts: tokenvault"
cli_requires=$(rpm -qp --requires "$cli_rpm" 2>/dev/null)
check "the .rpm requires no WebKit or GTK" lacks_text "$cli_requires" "gtk"
cli_rpm_files=$(rpm -qlp "$cli_rpm" 2>/dev/null)
for f in /usr/bin/tokenvault /usr/share/man/man1/tokenvault.1.gz \
  /usr/share/bash-completion/completions/tokenvault /usr/lib/systemd/user/tokenvault-agent.service; do
  check "the .rpm holds $f" has_line "$cli_rpm_files" "$f"
done
rm -rf "$root" && mkdir -p "$root" && tar -C "$root" -xf "$base"
cp "$cli_deb" "$root/tmp/tokenvault-cli.deb"
# man-db and bash-completion are what a server's user has to read and complete with.
if in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/tokenvault-cli.deb man-db bash-completion' \
  >"$work/install-cli.log" 2>&1; then
  ok "apt-get installs it in a clean root ($(grep -c '^Setting up' "$work/install-cli.log") packages set up)"
else
  tail -20 "$work/install-cli.log" >&2
  bad "apt-get install tokenvault-cli"
  exit 1
fi
check "no WebKit or GTK came with it" sh -c "! chroot '$root' dpkg -l | grep -qiE 'webkit|libgtk'"
check "tokenvault --version says $version" test "$(in_root tokenvault --version)" = "tokenvault $version"
check "man tokenvault shows its manual page" has_text "$(in_root sh -c 'MANWIDTH=200 MANPAGER=cat man tokenvault 2>&1')" "fresh tokens for scripts"
completed=$(in_root bash -c 'source /usr/share/bash-completion/bash_completion
  source /usr/share/bash-completion/completions/tokenvault
  COMP_WORDS=(tokenvault acc); COMP_CWORD=1; COMP_LINE="tokenvault acc"; COMP_POINT=${#COMP_LINE}
  _tokenvault tokenvault acc tokenvault; echo "${COMPREPLY[*]}"' 2>&1)
check "bash completes \`tokenvault acc\` to account ($completed)" has_text " $completed " " account "
unit=$(cat "$root/usr/lib/systemd/user/tokenvault-agent.service")
check "the agent's user unit runs the installed binary" has_line "$unit" "ExecStart=/usr/bin/tokenvault agent --lock-after 8h"
in_root sh -c 'DEBIAN_FRONTEND=noninteractive apt-get remove -y -q tokenvault-cli' >>"$work/install-cli.log" 2>&1
check "apt-get remove takes it away" sh -c "! test -e '$root/usr/bin/tokenvault'"

echo "==> sizes" >&2
ls -l "$deb" "$rpm" "$cli_deb" "$cli_rpm" | awk '{printf "  %s  %.1f MB (%s bytes)\n", $9, $5 / 1000000, $5}' >&2
echo "  installed: $(dpkg-deb --field "$deb" Installed-Size) KiB" >&2

if ((failures)); then
  echo "$failures package check(s) failed" >&2
  exit 1
fi
echo "all package checks passed" >&2
