#!/usr/bin/env bash
# Renders icons/icon.svg, the one source image, into every size the app and installers use:
# PNGs for the window, tray and Linux packages (hicolor sizes), icon.ico for Windows and
# icon.icns for macOS (through the Tauri CLI in packaging/node_modules).
set -euo pipefail
cd "$(dirname "$0")/../icons"
for size in 16 24 32 48 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "${size}x${size}.png"
done
cp 512x512.png icon.png
set_dir=$(mktemp -d)
trap 'rm -rf "$set_dir"' EXIT
if ! out=$(../packaging/node_modules/.bin/tauri icon icon.svg -o "$set_dir" 2>&1); then
  echo "$out" >&2
  exit 1
fi
cp "$set_dir/icon.ico" "$set_dir/icon.icns" .
# The window's header shows the same image.
cp icon.svg ../ui/public/icon.svg
