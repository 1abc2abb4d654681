#!/usr/bin/env bash
# Windows and macOS from this Linux machine (DESIGN.md, "Platforms"). rustup's toolchain
# here has only Linux's standard library and cannot download others; Debian's own Rust
# (rustc-web, with rust-web-src) builds any target's standard library from source, and
# scripts/install-deps.sh installs it with mingw, Wine, NSIS and clang.
#
#   scripts/cross.sh windows [PACKAGE...]  debug builds for x86_64-pc-windows-gnu, rustc
#                                          warnings denied (default: the CLI, the demo API
#                                          and the app), in target/cross/; clippy for the
#                                          core, the agent and the CLI
#   scripts/cross.sh wine-test [TEST...]   the CLI's test suites (default: cli, hygiene, agent, exec, proxy,
#                                          from_curl),
#                                          run against tokenvault.exe under Wine
#   scripts/cross.sh installer             the NSIS installer of those builds (makensis,
#                                          offline), then scripts/check-windows-installer.sh
#   scripts/cross.sh macos                 clippy (-D warnings) for aarch64- and
#                                          x86_64-apple-darwin, as far as no SDK allows
set -euo pipefail
cd "$(dirname "$0")/.."

WINDOWS=x86_64-pc-windows-gnu
MACOS=(aarch64-apple-darwin x86_64-apple-darwin)
export CARGO_TARGET_DIR="$PWD/target/cross"

# Debian's cargo calls the first rustc and cargo-clippy on PATH (rustup's): put Debian's
# first. -Zbuild-std is unstable, and RUSTC_BOOTSTRAP lets this stable compiler take it.
debian_cargo() {
  PATH="/usr/bin:$PATH" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 /usr/bin/cargo "$@"
}

windows() {
  local packages=("$@")
  ((${#packages[@]})) || packages=(tokenvault-cli tokenvault-demo-api tokenvault-desktop)
  local args=()
  for package in "${packages[@]}"; do args+=(-p "$package"); done
  # The app embeds ui/dist; `./dev` builds it first.
  [ -d ui/dist ] || (cd ui && npm run --silent build)
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUSTFLAGS="-D warnings" \
    debian_cargo build --locked -Zbuild-std=std,panic_abort --target "$WINDOWS" "${args[@]}"
  # Clippy too, for the code only Windows compiles (the agent's pipe, the keyring's parts).
  CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc \
    debian_cargo clippy --locked -Zbuild-std=std,panic_abort --target "$WINDOWS" \
    -p tokenvault-core -p tokenvault-agent -p tokenvault-proxy -p tokenvault-cli -- -D warnings
  local out="$CARGO_TARGET_DIR/$WINDOWS/debug"
  if [ ! -f "$out/bcryptprimitives.dll" ] || [ scripts/cross/bcryptprimitives.c -nt "$out/bcryptprimitives.dll" ]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$out/bcryptprimitives.dll" \
      scripts/cross/bcryptprimitives.c -lbcrypt
  fi
  ls -l "$out"/*.exe >&2
}

# Ends this prefix's wineserver, and with it every Wine process of the prefix.
wine_cleanup() {
  /usr/lib/wine/wineserver -k 2>/dev/null || true
  rm -rf "$WINE_SCRATCH"
}

wine_test() {
  local suites=("$@")
  ((${#suites[@]})) || suites=(cli hygiene agent exec proxy from_curl)
  local exe="$CARGO_TARGET_DIR/$WINDOWS/debug/tokenvault.exe"
  [ -f "$exe" ] || windows tokenvault-cli
  WINE_SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-wine.XXXXXX")
  local scratch=$WINE_SCRATCH
  export WINEPREFIX="$scratch/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  trap 'wine_cleanup' EXIT
  # A persistent wineserver spares each call its start; the first call makes the prefix.
  mkdir -p "$WINEPREFIX"
  /usr/lib/wine/wineserver -p
  /usr/lib/wine/wine64 wineboot --init >/dev/null 2>&1
  local tests=()
  for suite in "${suites[@]}"; do tests+=(--test "$suite"); done
  mkdir -p "$scratch/home"
  TOKENVAULT_TEST_WINE=/usr/lib/wine/wine64 TOKENVAULT_TEST_EXE="$exe" \
    TOKENVAULT_TEST_WINEPREFIX="$WINEPREFIX" TOKENVAULT_TEST_WINESERVER=/usr/lib/wine/wineserver \
    TOKENVAULT_IN_TEST_SESSION="$scratch" TOKENVAULT_HOME="$scratch/home" \
    CARGO_TARGET_DIR="$PWD/target" \
    cargo test --locked -p tokenvault-cli "${tests[@]}"
}

# The installer is made by Debian's makensis from packaging/windows/installer.nsi: Tauri's
# bundler would download its NSIS plugins from GitHub first, which this machine cannot.
installer() {
  local out="$CARGO_TARGET_DIR/$WINDOWS/debug"
  [ -f "$out/tokenvault-desktop.exe" ] && [ -f "$out/tokenvault.exe" ] || windows
  local version
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n1)
  mkdir -p "$CARGO_TARGET_DIR/bundle/nsis"
  local setup="$CARGO_TARGET_DIR/bundle/nsis/Tokenvault_${version}_x64-setup.exe"
  # Debug builds: zlib packs them in seconds where LZMA takes minutes.
  makensis -V2 -DVERSION="$version" -DBINARIES="$out" -DOUTFILE="$setup" -DQUICK \
    packaging/windows/installer.nsi
  ls -l "$setup" >&2
  scripts/check-windows-installer.sh "$setup" tokenvault-dev
}

macos() {
  local targets=()
  for target in "${MACOS[@]}"; do
    targets+=(--target "$target")
    # ring's C needs a few SDK headers; the stubs are enough for a check, which links nothing.
    export "CC_${target//-/_}=clang"
    export "CFLAGS_${target//-/_}=-ffreestanding -nostdlibinc -I$PWD/scripts/cross/macos-sdk-stubs"
  done
  # The app's dependency mac-notification-sys compiles Objective-C against Cocoa, which
  # needs the SDK: the app is checked on ci.yml's macOS runner only.
  debian_cargo clippy --locked -Zbuild-std=std,panic_abort "${targets[@]}" \
    -p tokenvault-core -p tokenvault-agent -p tokenvault-proxy -p tokenvault-cli -p tokenvault-demo-api -p tokenvault-tests \
    --all-targets -- -D warnings
}

case "${1:-}" in
  windows) windows "${@:2}" ;;
  wine-test) wine_test "${@:2}" ;;
  installer) installer ;;
  macos) macos ;;
  *)
    sed -n '7,15p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
