#!/usr/bin/env bash
# Launches the built app on the demo under a virtual display and saves a PNG of its
# window.   usage: scripts/screenshot.sh [OUT.png] [SECONDS_TO_WAIT]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/screenshot.png}
wait_s=${2:-6}
app=${TOKENVAULT_APP:-target/debug/tokenvault-desktop}

if [ -z "${TOKENVAULT_IN_DISPLAY:-}" ]; then
  exec dbus-run-session -- env TOKENVAULT_IN_DISPLAY=1 \
    xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

export WEBKIT_DISABLE_DMABUF_RENDERER=1
"$app" ${TOKENVAULT_APP_ARGS---demo} >/tmp/tokenvault-screenshot.log 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT

window=""
for _ in $(seq 1 100); do
  window=$(xwininfo -root -tree 2>/dev/null | awk '/"Tokenvault"/ {print $1; exit}')
  [ -n "$window" ] && break
  sleep 0.1
done
if [ -z "$window" ]; then
  echo "screenshot: the Tokenvault window did not appear; app log:" >&2
  cat /tmp/tokenvault-screenshot.log >&2
  exit 1
fi
sleep "$wait_s"
mkdir -p "$(dirname "$out")"
/usr/bin/import -silent -window "$window" "$out"
echo "saved $out"
