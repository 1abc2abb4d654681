#!/usr/bin/env bash
# The command line alone, for servers and CI runners: `tokenvault-cli` as a .deb and an .rpm
# that need no WebKit, no GTK and no display, only libdbus (for the Secret Service when there
# is one; without it the CLI keeps secrets in its encrypted file). Each holds:
#   /usr/bin/tokenvault
#   /usr/share/man/man1/tokenvault.1.gz                  (from the clap definitions)
#   bash, zsh and fish completions                       (from the clap definitions)
#   /usr/lib/systemd/user/tokenvault-agent.service       (the agent as a user service)
# and conflicts with the desktop package `tokenvault`, which ships the same files.
#
#   scripts/package-cli.sh [release|debug]   after the CLI is built (scripts/package.sh does it)
#
# Output: target/PROFILE/bundle/cli/tokenvault-cli_VERSION_ARCH.deb and
# tokenvault-cli-VERSION-1.ARCH.rpm. The shared files are also left in target/installer/share/
# for the desktop packages (src-tauri/tauri.installer.conf.json).
set -euo pipefail
cd "$(dirname "$0")/.."
profile=${1:-release}
cli="target/$profile/tokenvault"
[ -x "$cli" ] || { echo "no $cli: build it first (scripts/package.sh)" >&2; exit 1; }
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

share=target/installer/share
rm -rf "$share" && mkdir -p "$share"
"$cli" man-page | gzip -9n >"$share/tokenvault.1.gz"
"$cli" completions bash >"$share/tokenvault.bash"
"$cli" completions zsh >"$share/_tokenvault"
"$cli" completions fish >"$share/tokenvault.fish"
cp contrib/tokenvault-agent.service "$share/tokenvault-agent.service"

out="target/$profile/bundle/cli"
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-cli-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"
root=$work/root
install -Dm755 "$cli" "$root/usr/bin/tokenvault"
install -Dm644 "$share/tokenvault.1.gz" "$root/usr/share/man/man1/tokenvault.1.gz"
install -Dm644 "$share/tokenvault.bash" "$root/usr/share/bash-completion/completions/tokenvault"
install -Dm644 "$share/_tokenvault" "$root/usr/share/zsh/vendor-completions/_tokenvault"
install -Dm644 "$share/tokenvault.fish" "$root/usr/share/fish/vendor_completions.d/tokenvault.fish"
install -Dm644 "$share/tokenvault-agent.service" "$root/usr/lib/systemd/user/tokenvault-agent.service"

summary="Fresh API tokens for scripts, from the command line"
description="Tokenvault keeps the access tokens of API accounts fresh: it performs each API's own
login, refreshes or logs in again before expiry and prints a fresh token for scripts,
curl and CI jobs. This is the command line alone, with its agent; the desktop app is
the package tokenvault."

# The .deb: what the binary links against, and the newest glibc symbol it uses.
arch=$(dpkg --print-architecture)
glibc=$(objdump -T "$cli" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1)
depends="libc6 (>= $glibc)"
for library in $(objdump -p "$cli" | awk '$1 == "NEEDED" {print $2}'); do
  case "$library" in
    libc.so.* | libm.so.* | ld-linux*) ;;
    libgcc_s.so.*) depends+=", libgcc-s1" ;;
    libdbus-1.so.*) depends+=", libdbus-1-3" ;;
    *) echo "package-cli: no Debian package known for $library" >&2; exit 1 ;;
  esac
done
deb_root=$work/deb
cp -a "$root" "$deb_root"
install -Dm644 packaging/linux/copyright "$deb_root/usr/share/doc/tokenvault-cli/copyright"
mkdir -p "$deb_root/DEBIAN"
cat >"$deb_root/DEBIAN/control" <<EOF
Package: tokenvault-cli
Version: $version
Architecture: $arch
Maintainer: The Tokenvault authors <https://github.com/tokenvault/tokenvault/issues>
Installed-Size: $(du -sk "$deb_root/usr" | cut -f1)
Depends: $depends
Conflicts: tokenvault
Replaces: tokenvault
Section: utils
Priority: optional
Homepage: https://github.com/tokenvault/tokenvault
Description: $summary
$(sed 's/^/ /' <<<"$description")
EOF
deb="$out/tokenvault-cli_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$deb_root" "$deb" >/dev/null

# The .rpm: rpmbuild finds the libraries it requires by itself.
rpm_arch=$(uname -m)
mkdir -p "$work/rpmbuild"
cat >"$work/tokenvault-cli.spec" <<EOF
Name: tokenvault-cli
Version: $version
Release: 1
Summary: $summary
License: MIT OR Apache-2.0
URL: https://github.com/tokenvault/tokenvault
Conflicts: tokenvault
%global debug_package %{nil}
%global __strip /bin/true

%description
$description

%install
cp -a "$root/." %{buildroot}/
install -Dm644 LICENSE-MIT %{buildroot}/usr/share/licenses/tokenvault-cli/LICENSE-MIT
install -Dm644 LICENSE-APACHE %{buildroot}/usr/share/licenses/tokenvault-cli/LICENSE-APACHE

%files
/usr/bin/tokenvault
/usr/share/man/man1/tokenvault.1.gz
/usr/share/bash-completion/completions/tokenvault
/usr/share/zsh/vendor-completions/_tokenvault
/usr/share/fish/vendor_completions.d/tokenvault.fish
/usr/lib/systemd/user/tokenvault-agent.service
/usr/share/licenses/tokenvault-cli/LICENSE-MIT
/usr/share/licenses/tokenvault-cli/LICENSE-APACHE
EOF
rpmbuild -bb --quiet --define "_topdir $work/rpmbuild" --define "_build_id_links none" \
  --define "_rpmdir $work/rpms" --build-in-place "$work/tokenvault-cli.spec" >"$work/rpmbuild.log" 2>&1 ||
  { tail -20 "$work/rpmbuild.log" >&2; exit 1; }
cp "$work/rpms/$rpm_arch/tokenvault-cli-$version-1.$rpm_arch.rpm" "$out/"
ls -l "$out" >&2
