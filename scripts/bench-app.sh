#!/usr/bin/env bash
# The desktop app against a bare Tauri app (bench/bare-tauri: one static page, the same tauri
# version and release profile), in one run: launch to painted window, PSS of the process tree,
# idle CPU with the window shown and hidden, for a vault of 6 accounts and one of 1,000, all
# fresh (the demo API's tokens live a day, so nothing renews while it is measured). Release
# builds, a throwaway keyring session, a virtual display. Prints a Markdown table.
#   usage: scripts/bench-app.sh [ROUNDS] [IDLE_SECONDS]      (defaults: 5 rounds, 60 s)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-5}
idle=${2:-60}

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  (cd ui && npm run --silent build)
  cargo build --release --locked -p tokenvault-desktop -p tokenvault-bench-bare \
    -p tokenvault-cli -p tokenvault-demo-api >&2
  exec scripts/with-test-session.sh xvfb-run -a -s "-screen 0 1280x800x24" "$0" "$@"
fi

bin=$PWD/target/release
work=$TOKENVAULT_IN_TEST_SESSION
# As in the end-to-end tests: WebKit's DMA-BUF renderer does not work on a virtual display.
export WEBKIT_DISABLE_DMABUF_RENDERER=1
"$bin/tokenvault-demo-api" --port 0 --access-ttl 86400 >"$work/demo.out" &
demo=$!
trap 'kill $demo 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q listening "$work/demo.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/demo.out")

# Two vaults: 6 accounts, and 1,000 in four environments.
add_accounts() {
  local home=$1 count=$2 i environments=(UAT Staging Production Demo)
  for i in $(seq 1 "$count"); do
    echo "finvera-demo-password" | "$bin/tokenvault" --home "$home" account add \
      "$(printf 'Account %04d' "$i")" --preset finvera --base-url "$base/finvera" \
      --env "${environments[i % 4]}" --username analyst@finvera.demo \
      --password-stdin >/dev/null
  done
}
echo "adding 6 and 1,000 accounts (each logs in once)..." >&2
add_accounts "$work/six" 6
add_accounts "$work/many" 1000

python3 scripts/lib/app_bench.py <<EOF
{
  "rounds": $rounds,
  "idle_seconds": $idle,
  "settle_seconds": 10,
  "apps": [
    {"label": "bare Tauri app", "command": ["$bin/tokenvault-bench-bare"], "accounts": 0},
    {"label": "Tokenvault, 6 accounts", "command": ["$bin/tokenvault-desktop"],
     "env": {"TOKENVAULT_HOME": "$work/six"}, "accounts": 6},
    {"label": "Tokenvault, 1,000 accounts", "command": ["$bin/tokenvault-desktop"],
     "env": {"TOKENVAULT_HOME": "$work/many"}, "accounts": 1000}
  ]
}
EOF
