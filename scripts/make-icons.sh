#!/usr/bin/env bash
# Renders icons/icon.svg, the one source image, into every size the app and installers use.
set -euo pipefail
cd "$(dirname "$0")/../icons"
for size in 32 64 128 256 512; do
  rsvg-convert -w "$size" -h "$size" icon.svg -o "${size}x${size}.png"
done
cp 256x256.png 128x128@2x.png
cp 512x512.png icon.png
# The window's header shows the same image.
cp icon.svg ../ui/public/icon.svg
