#!/usr/bin/env bash
# A team on a real OpenBao, seen in the app (`./dev team-demo`). On loopback it starts the demo
# API and an OpenBao dev server whose userpass members are `lead` (may write the team's
# accounts) and `you` (may only read them). The lead's vault adds one account per preset and
# shares each in team `support`; your vault connects as `you`, syncs, and the app opens it: the
# accounts carry the team's badge and log in with the passwords the team keeps.
# Everything lives in a throwaway folder and keyring and stops with the app.
#   usage: scripts/team-demo.sh          (after the binaries are built: ./dev team-demo does it)
#   TOKENVAULT_TEAM_DEMO_NO_APP=1 sets it all up, prints the team's status and stops (a check);
#   TOKENVAULT_TEAM_DEMO_APP=COMMAND runs COMMAND instead of the app (TOKENVAULT_HOME is set).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  exec scripts/with-test-session.sh "$0" "$@"
fi
work=$TOKENVAULT_IN_TEST_SESSION
bin=$PWD/target/debug
bao=${TOKENVAULT_BAO:-$PWD/.tools/bin/bao}
prefix=tokenvault/support

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
started=()
stop() {
  [ ${#started[@]} -eq 0 ] && return
  kill "${started[@]}" 2>/dev/null || true
  wait "${started[@]}" 2>/dev/null || true
}
trap stop EXIT

bao_port=$(free_port)
export BAO_ADDR="http://127.0.0.1:$bao_port" BAO_TOKEN=root
"$bao" server -dev -dev-root-token-id=root -dev-listen-address="127.0.0.1:$bao_port" \
  -dev-no-store-token >"$work/bao.log" 2>&1 &
started+=($!)
"$bin/tokenvault-demo-api" --lively >"$work/demo-api.out" 2>"$work/demo-api.log" &
started+=($!)
api=
for _ in $(seq 1 300); do
  api=$(sed -n 's/^listening on //p' "$work/demo-api.out")
  if [ -n "$api" ] && curl -sf -o /dev/null "$BAO_ADDR/v1/sys/health"; then break; fi
  sleep 0.1
done
if [ -z "$api" ] || ! curl -sf -o /dev/null "$BAO_ADDR/v1/sys/health"; then
  echo "team-demo: the demo API or OpenBao did not start (logs: $work/demo-api.log, $work/bao.log)" >&2
  exit 1
fi

# The team's members and what their policies let them do (docs/teams.md explains each path).
member() { # NAME DATA-CAPABILITIES METADATA-CAPABILITIES
  "$bao" policy write "$1" - >/dev/null <<EOF
path "secret/data/$prefix/*"              { capabilities = $2 }
path "secret/metadata/$prefix/*"          { capabilities = $3 }
path "secret/metadata/$prefix"            { capabilities = ["list"] }
path "secret/detailed-metadata/$prefix/*" { capabilities = ["list"] }
path "secret/detailed-metadata/$prefix"   { capabilities = ["list"] }
EOF
  "$bao" write "auth/userpass/users/$1" password="$1-pass" token_policies="$1" \
    token_ttl=1h >/dev/null
}
"$bao" auth enable userpass >/dev/null
member lead '["create", "update", "read", "delete"]' '["read", "list", "delete"]'
member you '["read"]' '["read", "list"]'

lead=("$bin/tokenvault" --no-agent --home "$work/lead")
you=("$bin/tokenvault" --no-agent --home "$work/you")
echo lead-pass | "${lead[@]}" team connect support --addr "$BAO_ADDR" --userpass lead --password-stdin
"$bin/tokenvault-demo-api" --users | while IFS=$'\t' read -r preset name identity password totp; do
  add=("${lead[@]}" account add "$name" --preset "$preset" --base-url "$api/$preset" --env Demo)
  if [ "$preset" = oauth2-client-credentials ]; then
    echo "$password" | "${add[@]}" --client-id "$identity" --client-secret-stdin
  elif [ "$totp" != - ]; then
    printf '%s\n%s\n' "$password" "$totp" |
      "${add[@]}" --username "$identity" --password-stdin --otp totp --totp-secret-stdin
  else
    echo "$password" | "${add[@]}" --username "$identity" --password-stdin
  fi
  "${lead[@]}" team share "$name" --team support
done
echo you-pass | "${you[@]}" team connect support --addr "$BAO_ADDR" --userpass you --password-stdin
"${you[@]}" team sync support

echo >&2
echo "team-demo: OpenBao at $BAO_ADDR (root token: root), the demo API at $api" >&2
echo "team-demo: what the team keeps: BAO_ADDR=$BAO_ADDR BAO_TOKEN=root \\" >&2
echo "             $bao kv get -mount=secret $prefix/finvera-analyst" >&2
if [ "${TOKENVAULT_TEAM_DEMO_NO_APP:-0}" = 1 ]; then
  "${you[@]}" team status
  exit 0
fi
export TOKENVAULT_HOME=$work/you
if [ -n "${TOKENVAULT_TEAM_DEMO_APP:-}" ]; then
  bash -c "$TOKENVAULT_TEAM_DEMO_APP"
elif [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "team-demo: no display found: the app runs under a virtual display (Xvfb)" >&2
  xvfb-run -a -s "-screen 0 1280x800x24" "$bin/tokenvault-desktop"
else
  "$bin/tokenvault-desktop"
fi
