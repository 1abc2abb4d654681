#!/usr/bin/env bash
# The suite on a busy machine: `./dev test` on RUNS fresh clones of HEAD (as it was at the start), one after another, each
# with HOGS CPU-bound processes running beside it. A run counts as passed when `./dev test`
# exits 0, its own leftover check ended nothing, and no process carrying the clone's path is
# alive after it. Stops at the first run that does not pass; the logs stay in the soak folder.
#
# The first run builds everything from nothing. The runs after it keep Cargo's build folders
# (target/ and fuzz/target/, linked into each clone from the soak folder), as a CI cache does:
# the dependencies are compiled once, the project's own crates again in every clone, whose
# files are all new. TOKENVAULT_SOAK_COLD=1 builds every run from nothing.
#
#   scripts/soak.sh [RUNS] [HOGS]     (defaults: 5 runs, 2 hogs)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
hogs=${2:-2}
rev=$(git rev-parse --short HEAD)
soak=${TOKENVAULT_SOAK_DIR:-${TMPDIR:-/tmp}/tokenvault-soak-$rev}
mkdir -p "$soak"
summary="$soak/summary.txt"
cache="build folders kept between runs"
[ "${TOKENVAULT_SOAK_COLD:-0}" != 1 ] || cache="every run built from nothing"
echo "soak of $rev: $runs runs, $hogs CPU-bound processes beside each ($(nproc) CPUs), $cache" | tee -a "$summary"

hog_pids=()
stop_hogs() {
  [ ${#hog_pids[@]} -eq 0 ] || kill "${hog_pids[@]}" 2>/dev/null || true
  hog_pids=()
}
trap stop_hogs EXIT

# Processes whose environment names the clone: anything the run started, however detached.
alive_from() {
  local clone=$1 environ pid
  for environ in /proc/[0-9]*/environ; do
    pid=${environ#/proc/}
    pid=${pid%/environ}
    if tr '\0' '\n' 2>/dev/null <"$environ" | grep -q -- "$clone"; then
      echo "$pid $(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")"
    fi
  done
}

for run in $(seq 1 "$runs"); do
  clone="$soak/clone-$run"
  log="$soak/run-$run.log"
  rm -rf "$clone"
  git clone --quiet "$PWD" "$clone"
  git -C "$clone" checkout --quiet --detach "$rev"
  if [ "${TOKENVAULT_SOAK_COLD:-0}" != 1 ]; then
    mkdir -p "$soak/cache/target" "$soak/cache/fuzz-target"
    ln -s "$soak/cache/target" "$clone/target"
    ln -s "$soak/cache/fuzz-target" "$clone/fuzz/target"
  fi
  for _ in $(seq 1 "$hogs"); do
    yes >/dev/null &
    hog_pids+=($!)
  done
  start=$(date +%s)
  rc=0
  (cd "$clone" && CI=true ./dev test) >"$log" 2>&1 || rc=$?
  took=$(($(date +%s) - start))
  stop_hogs
  left=$(grep -c '^leftover process' "$log" || true)
  alive=$(alive_from "$clone")
  if [ "$rc" -eq 0 ] && [ "$left" -eq 0 ] && [ -z "$alive" ]; then
    echo "run $run: passed in $took s, no process left" | tee -a "$summary"
    rm -rf "$clone"
  else
    echo "run $run: FAILED (exit $rc after $took s; $left leftovers ended by ./dev; alive after: ${alive:-none}); log: $log" | tee -a "$summary"
    exit 1
  fi
done
echo "all $runs runs passed" | tee -a "$summary"
