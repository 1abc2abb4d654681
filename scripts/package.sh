#!/usr/bin/env bash
# Builds this OS's installers, each holding the app and the `tokenvault` command line.
# On Linux: .deb and .rpm in target/release/bundle/{deb,rpm}/, with the manual page,
# completions and the agent's user unit; and the command line alone (tokenvault-cli, no
# WebKit) in target/release/bundle/cli/ (scripts/package-cli.sh). Windows (MSI, NSIS), macOS
# (.dmg) and the AppImage (whose bundler downloads its runtime) are built the same way by
# .github/workflows/release.yml.
#
#   scripts/package.sh [--debug] [BUNDLES]    BUNDLES: comma-separated, default deb,rpm
#   scripts/package.sh --cli-only [--debug]   only the command line, placed where the
#                                             bundler takes it from (the release workflow),
#                                             and on Linux its own packages
#
# --debug packages the debug build (what `./dev test` has already built) into
# target/debug/bundle/: the same files, metadata and dependencies, minutes sooner. The
# installers that ship are release builds.
set -euo pipefail
cd "$(dirname "$0")/.."

cli_only=false
profile=release
while [ $# -gt 0 ]; do
  case "$1" in
    --cli-only) cli_only=true ;;
    --debug) profile=debug ;;
    -*)
      echo "unknown option $1 (see the top of $0)" >&2
      exit 2
      ;;
    *) break ;;
  esac
  shift
done
bundles=${1:-deb,rpm}
cargo_profile=()
tauri_profile=()
if [ "$profile" = release ]; then cargo_profile=(--release); else tauri_profile=(--debug); fi

echo "==> the command line, $profile build" >&2
cargo build --locked "${cargo_profile[@]}" -p tokenvault-cli --bin tokenvault
# Tauri ships an "external binary" beside the app (on Linux /usr/bin/tokenvault), named with
# the target triple it was built for; src-tauri/tauri.installer.conf.json points at it.
triple=$(rustc -vV | sed -n 's/^host: //p')
ext=""
case "$triple" in *windows*) ext=".exe" ;; esac
mkdir -p target/installer
cp "target/$profile/tokenvault$ext" "target/installer/tokenvault-$triple$ext"
# On Linux the desktop packages take the manual page, completions and user unit from here.
if [ "$(uname -s)" = Linux ]; then
  echo "==> the command line's own packages (tokenvault-cli), its manual page and completions" >&2
  scripts/package-cli.sh "$profile"
fi
$cli_only && exit 0

echo "==> the UI" >&2
(cd ui && npm run --silent build)

echo "==> the app and its installers: $bundles" >&2
packaging/node_modules/.bin/tauri build --ci "${tauri_profile[@]}" --bundles "$bundles" \
  --config src-tauri/tauri.installer.conf.json
find "target/$profile/bundle" -maxdepth 2 -type f -exec ls -l {} + >&2
