#!/usr/bin/env bash
# Runs the libFuzzer targets of fuzz/ for a bounded time each and prints how many inputs
# each one tried.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 20 s each, every target
#
# The seeds in fuzz/corpus/<target>/ are read, never written; inputs the fuzzer finds go to
# target/fuzz-corpus/<target>/, so a longer run on the same machine builds on the last.
# A crash fails the run and leaves its input in fuzz/artifacts/<target>/: turn it into a
# regression test named after what it guards (crates/core/tests/hostile_input.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(token_text profile_file server_answer export_file import_text)
fi
# cargo fuzz passes nightly -Z flags; these machines have the stable toolchain only.
export RUSTC_BOOTSTRAP=1
# No sanitizer: the code under test is safe Rust, so what the fuzzer hunts is panics,
# hangs and runaway memory, which libFuzzer sees by itself; builds are minutes shorter.
fuzz=(cargo fuzz)
for target in "${targets[@]}"; do
  "${fuzz[@]}" build --sanitizer none --release "$target" >/dev/null 2>&1 ||
    "${fuzz[@]}" build --sanitizer none --release "$target"
done
for target in "${targets[@]}"; do
  found="target/fuzz-corpus/$target"
  mkdir -p "$found"
  log=$(mktemp)
  if ! "${fuzz[@]}" run --sanitizer none --release "$target" "$found" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    tail -40 "$log" >&2
    echo "fuzz target $target failed: its input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  corpus=$(find "$found" -type f | wc -l)
  printf '%-14s %10s inputs in %s s, %s in its corpus, no crash\n' "$target" "$runs" "$seconds" "$corpus"
  rm -f "$log"
done
