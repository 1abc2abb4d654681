#!/usr/bin/env bash
# Measures `tokenvault proxy` against the demo API on loopback, in one run, on release builds,
# inside a throwaway keyring session, and prints the figures as Markdown tables:
#   - requests per second and median latency with wrk, through the proxy (no credentials
#     sent) and straight to the demo API (the token sent by wrk), for a small answer
#     (GET /users/me), a 1 MiB answer (GET /data/1048576) and a 1 MiB request body
#     (POST /upload), with 1 and 32 connections;
#   - the proxy's peak resident memory (VmHWM) after a 1 GiB download through it, first thing;
#   - the same small answer through nginx set up as a keep-alive reverse proxy adding the
#     token, for reference: what a proxy written for speed reaches on the same machine;
#   - `tokenvault exec NAME -- true` against `true` (hyperfine), through the agent and not.
#   usage: scripts/bench-proxy.sh [SECONDS per wrk run, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}

if [ -z "${TOKENVAULT_IN_TEST_SESSION:-}" ]; then
  for tool in wrk hyperfine nginx; do
    command -v "$tool" >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$tool" >/dev/null
  done
  cargo build --release --locked -p tokenvault-cli -p tokenvault-demo-api >&2
  exec scripts/with-test-session.sh "$0" "$@"
fi

bin=target/release
work=$TOKENVAULT_HOME
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; [ ! -s "$work/nginx.pid" ] || kill "$(cat "$work/nginx.pid")" 2>/dev/null || true' EXIT

"$bin/tokenvault-demo-api" --port 0 --access-ttl 36000 >"$work/demo.out" &
pids+=($!)
for _ in $(seq 1 100); do grep -q listening "$work/demo.out" && break; sleep 0.1; done
api=$(sed -n 's/^listening on //p' "$work/demo.out")/prive

tv="$bin/tokenvault --home $work/vault"
echo "prive-demo-password" | $tv account add bench --preset prive --base-url "$api" \
  --username advisor@prive.demo --password-stdin >&2
token=$($tv token bench)

$tv proxy bench --port 0 >"$work/proxy.out" 2>"$work/proxy.err" &
proxy_pid=$!
pids+=($proxy_pid)
for _ in $(seq 1 100); do [ -s "$work/proxy.out" ] && break; sleep 0.1; done
proxy=$(head -n1 "$work/proxy.out")
[ -n "$proxy" ] || { cat "$work/proxy.err" >&2; exit 1; }

cat >"$work/upload.lua" <<'LUA'
wrk.method = "POST"
wrk.body = string.rep("x", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
LUA

# wrk's "Requests/sec" and its 50% latency, in milliseconds.
measure() {
  local connections=$1 url=$2
  shift 2
  local threads=$((connections < 2 ? 1 : 2))
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency "$@" "$url")
  local rps median
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  median=$(awk '$1 == "50%" {print $2}' <<<"$out")
  # 850.00us, 1.23ms, 2.01s: into milliseconds.
  median=$(awk -v m="$median" 'BEGIN {
    if (m ~ /us$/) { sub(/us$/, "", m); printf "%.3f", m / 1000 }
    else if (m ~ /ms$/) { sub(/ms$/, "", m); printf "%.3f", m }
    else if (m ~ /s$/) { sub(/s$/, "", m); printf "%.3f", m * 1000 }
    else print m }')
  echo "$rps $median"
}

echo "## a 1 GiB download through a proxy that has served nothing else"
echo
download=$(curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' "$proxy/data/1073741824")
read -r code size took <<<"$download"
peak=$(awk '/^VmHWM:/ {print $2}' "/proc/$proxy_pid/status")
awk -v c="$code" -v s="$size" -v t="$took" -v p="$peak" 'BEGIN {
  printf "HTTP %s, %d bytes in %.2f s (%.0f MiB/s); the proxy'"'"'s peak resident memory: %.1f MiB\n\n", c, s, t, s / t / 1048576, p / 1024 }'

echo "## tokenvault proxy against the demo API, $seconds s per run ($(nproc) CPUs; $(date -u '+%Y-%m-%d %H:%M UTC'))"
echo
echo "| what | connections | direct: req/s | proxy: req/s | proxy / direct | direct: median ms | proxy: median ms | added median ms |"
echo "|------|------|------|------|------|------|------|------|"
for case in "small answer:/users/me" "1 MiB answer:/data/1048576" "1 MiB request body:/upload"; do
  label=${case%%:*}
  path=${case#*:}
  extra=()
  [ "$path" = /upload ] && extra=(-s "$work/upload.lua")
  for connections in 1 32; do
    read -r direct_rps direct_ms < <(measure "$connections" "$api$path" -H "Authorization: Bearer $token" "${extra[@]}")
    read -r proxy_rps proxy_ms < <(measure "$connections" "$proxy$path" "${extra[@]}")
    awk -v l="$label" -v c="$connections" -v dr="$direct_rps" -v pr="$proxy_rps" -v dm="$direct_ms" -v pm="$proxy_ms" \
      'BEGIN { printf "| %s | %d | %.0f | %.0f | %.0f%% | %.3f | %.3f | %.3f |\n", l, c, dr, pr, 100 * pr / dr, dm, pm, pm - dm }'
  done
done

echo
awk '/^VmHWM:/ { printf "The proxy'"'"'s peak resident memory after all of the above: %.1f MiB\n", $2 / 1024 }' "/proc/$proxy_pid/status"

echo
echo "## for reference: nginx as a keep-alive reverse proxy adding the same token"
echo
origin=${api%/prive}
nginx_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  upstream demo { server ${origin#http://}; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://demo/prive/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $token";
      proxy_buffering off;
    }
  }
}
CONF
nginx -c "$work/nginx.conf"
for _ in $(seq 1 50); do [ -s "$work/nginx.pid" ] && break; sleep 0.1; done
echo "| small answer | connections | direct: req/s | nginx: req/s | tokenvault proxy: req/s | nginx / direct | tokenvault / direct | tokenvault / nginx | median ms: direct, nginx, tokenvault |"
echo "|------|------|------|------|------|------|------|------|------|"
for connections in 1 32; do
  read -r direct_rps direct_ms < <(measure "$connections" "$api/users/me" -H "Authorization: Bearer $token")
  read -r nginx_rps nginx_ms < <(measure "$connections" "http://127.0.0.1:$nginx_port/users/me")
  read -r proxy_rps proxy_ms < <(measure "$connections" "$proxy/users/me")
  awk -v c="$connections" -v dr="$direct_rps" -v nr="$nginx_rps" -v pr="$proxy_rps" -v dm="$direct_ms" -v nm="$nginx_ms" -v pm="$proxy_ms" \
    'BEGIN { printf "| GET /users/me | %d | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %.0f%% | %.3f, %.3f, %.3f |\n", c, dr, nr, pr, 100 * nr / dr, 100 * pr / dr, 100 * pr / nr, dm, nm, pm }'
done

echo
echo "## tokenvault exec against the command alone"
echo
$bin/tokenvault --home "$work/vault" agent 2>"$work/agent.err" &
pids+=($!)
for _ in $(seq 1 100); do [ -S "$work/vault/agent.sock" ] && break; sleep 0.1; done
hyperfine -N --warmup 10 --runs 200 --export-markdown "$work/exec.md" \
  "true" \
  "$tv exec bench -- true" \
  "$tv --no-agent exec bench -- true" >&2
cat "$work/exec.md"
