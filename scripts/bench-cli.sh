#!/usr/bin/env bash
# Measures the whole-process time of `tokenvault token` (with no agent, then through a
# running `tokenvault agent`) against `secret-tool lookup` and against the floor of the agent
# path (bench/agent-client.c: a static C program doing the same one round trip on the agent's
# socket), and of a forced refresh against the same request made with curl, in one run, on
# release builds, inside a throwaway keyring session. Prints hyperfine's tables and the
# shared libraries `tokenvault` loads.
#   usage: scripts/bench-cli.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  command -v hyperfine >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q hyperfine >/dev/null
  cargo build --release --locked -p tokenvault-cli -p tokenvault-demo-api >&2
  mkdir -p target/release
  cc -O2 -static -o target/release/agent-client bench/agent-client.c
  exec scripts/with-test-session.sh "$0" "$@"
fi

bin=target/release
"$bin/tokenvault-demo-api" --port 0 --access-ttl 3600 >"$TOKENVAULT_HOME/demo.out" &
demo=$!
trap 'kill $demo 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do grep -q listening "$TOKENVAULT_HOME/demo.out" && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$TOKENVAULT_HOME/demo.out")

tv="$bin/tokenvault --home $TOKENVAULT_HOME/vault"
echo "finvera-demo-password" | $tv account add bench --preset finvera --base-url "$base/finvera" \
  --username analyst@finvera.demo --password-stdin
printf %s "a-secret-of-similar-size-to-a-jwt" | secret-tool store --label=bench service bench account one

# A refresh cookie of the same user (Finvera does not rotate it), from a login made with curl,
# for curl to send the same refresh request the vault sends. The vault's own refresh token is
# in its encrypted token files, not a keyring item.
refresh=$(curl -s -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
  -d '{"email":"analyst@finvera.demo","password":"finvera-demo-password"}' \
  "$base/finvera/kms/api/v1/auth/token" |
  sed -n 's/^[Ss]et-[Cc]ookie: DT_REFRESH_TOKEN=\([^;]*\).*/\1/p' | tr -d '\r')
[ -n "$refresh" ] || { echo "no refresh cookie from the demo API's login" >&2; exit 1; }
curl_refresh="curl -s -o /dev/null -X POST -H 'Cookie: DT_REFRESH_TOKEN=$refresh' $base/finvera/kms/api/v1/auth/refresh"

$bin/tokenvault --home "$TOKENVAULT_HOME/vault" agent 2>"$TOKENVAULT_HOME/agent.err" &
agent=$!
trap 'kill $demo $agent 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do [ -S "$TOKENVAULT_HOME/vault/agent.sock" ] && break; sleep 0.1; done
$tv token bench >/dev/null

# The request `tokenvault token bench` sends, for the C client to send the same.
request='{"version":3,"request":{"run":{"token":{"name":"bench","min_valid":60,"format":"raw","force_refresh":false}}}}'
[ "$($bin/agent-client "$TOKENVAULT_HOME/vault/agent.sock" "$request")" = "$($tv token bench)" ] || {
  echo "the C client's token is not the one tokenvault prints" >&2
  exit 1
}

echo
echo "## shared libraries tokenvault loads"
ldd "$bin/tokenvault" | awk '{print "- " $1}'

echo
echo "## cached token: through the agent, the C client on the same socket, without the agent, one keyring lookup ($runs runs each)"
hyperfine -N --warmup 20 --runs "$runs" --export-markdown "$TOKENVAULT_HOME/cached.md" \
  "$tv token bench" \
  "$bin/agent-client $TOKENVAULT_HOME/vault/agent.sock '$request'" \
  "$tv --no-agent token bench" \
  "secret-tool lookup service bench account one" >&2
cat "$TOKENVAULT_HOME/cached.md"

echo
echo "## forced refresh: through the agent, without it, and the same request with curl ($runs runs each)"
hyperfine -N --warmup 10 --runs "$runs" --export-markdown "$TOKENVAULT_HOME/refresh.md" \
  "$tv token bench --force-refresh" \
  "$tv --no-agent token bench --force-refresh" \
  "$curl_refresh" >&2
cat "$TOKENVAULT_HOME/refresh.md"
