#!/usr/bin/env bash
# Measures `tokenvault account add --from-har` on a HAR file of about 200 MB (150 entries of
# 1 MB base64 answers, then a login), made here: its peak resident memory and time, on the
# release build. The file is read as a stream, so the peak stays near one entry's size.
#   usage: scripts/bench-import.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p tokenvault-cli >&2
work=$(mktemp -d "${TMPDIR:-/tmp}/tokenvault-bench-import.XXXXXX")
trap 'rm -rf "$work"' EXIT
python3 - "$work/big.har" <<'PY'
import base64, json, sys
page = json.dumps({"request": {"method": "GET", "url": "https://app.example/asset.js", "headers": []},
    "response": {"status": 200, "headers": [],
                 "content": {"text": base64.b64encode(b"x" * 1_000_000).decode(), "encoding": "base64"}}})
login = json.dumps({"startedDateTime": "2026-12-07T08:00:00.000Z",
    "request": {"method": "POST", "url": "https://app.example/auth/token",
                "headers": [{"name": "content-type", "value": "application/json"}],
                "postData": {"mimeType": "application/json", "text": json.dumps({"login": "ana", "password": "pw"})}},
    "response": {"status": 200, "headers": [],
                 "content": {"mimeType": "application/json", "text": json.dumps({"access_token": "opaque", "expires_in": 300})}}})
with open(sys.argv[1], "w") as f:
    f.write('{"log": {"version": "1.2", "creator": {"name": "bench"}, "entries": [')
    f.write((page + ",") * 150 + login + "]}}")
PY
size=$(du -m "$work/big.har" | cut -f1)
/usr/bin/time -v target/release/tokenvault --home "$work/vault" account add big \
  --from-har "$work/big.har" --print-profile >/dev/null 2>"$work/time.txt"
peak=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/time.txt")
took=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time.txt")
echo "a ${size} MB HAR read by \`account add --from-har --print-profile\` (release build): peak resident memory $((peak / 1024)) MiB, $took (m:ss)"
