#!/usr/bin/env bash
# Teams at scale, through the command line on the OS keyring (a throwaway session) against a
# real OpenBao dev server: a first sync of 1,000 shared accounts, then a sync with nothing
# changed, each with the requests it made to the engine. Release builds. Prints figures.
#   usage: scripts/bench-teams.sh [ACCOUNTS]      (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000}

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  cargo build --release --locked -p tokenvault-cli >&2
  exec scripts/with-test-session.sh "$0" "$@"
fi

bao=${TOKENVAULT_BAO:-$PWD/.tools/bin/bao}
work=$TOKENVAULT_IN_TEST_SESSION
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
addr="http://127.0.0.1:$port"
"$bao" server -dev -dev-root-token-id=root -dev-listen-address="127.0.0.1:$port" \
  -dev-no-store-token >"$work/bao.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf -o /dev/null "$addr/v1/sys/health" && break; sleep 0.1; done

echo "writing $count shared accounts into the engine..." >&2
seq 0 $((count - 1)) | xargs -P 4 -I{} sh -c '
  printf "{\"data\": {\"format\": \"tokenvault-shared-account/1\", \"account\": {\"name\": \"Shared %04d\", \"environment\": \"UAT\", \"profile\": \"finvera\", \"base_url\": \"https://finvera.example\", \"identity\": \"analyst@finvera.example\"}, \"secrets\": {\"password\": \"not-a-real-password\"}, \"shared_by\": \"bench\"}}" {} |
    curl -sf -o /dev/null -H "X-Vault-Token: root" -X POST --data-binary @- "'"$addr"'/v1/secret/data/tokenvault/bench/$(printf "shared-%04d" {})"'

tv="target/release/tokenvault --home $work/vault"
printf root | $tv team connect bench --addr "$addr" --token-stdin >/dev/null 2>&1
for what in "first sync of $count shared accounts" "sync of $count with nothing changed"; do
  start=$(date +%s%N)
  out=$($tv team sync --json)
  took=$(( ($(date +%s%N) - start) / 1000000 ))
  python3 - "$what" "$took" "$out" <<'PY'
import json, sys
what, took, out = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3])[0]
print(f"- {what}: {took / 1000:.2f} s, {out['requests']} requests to the engine "
      f"({len(out['added'])} added, {out['unchanged']} unchanged, {len(out['skipped'])} skipped)")
PY
done
