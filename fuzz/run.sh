#!/bin/sh
# Runs one libFuzzer target for a bounded time; ctest's fuzz.<target> entries call it.
#
#   fuzz/run.sh <binary> <seed corpus dir> <seconds> [libFuzzer flags...]
#
# CONVENE_FUZZ_SECONDS, when set, replaces <seconds>. The seed corpus is copied to a temporary working
# corpus (the repository is never written to). libFuzzer first runs every seed, so the crash inputs
# kept in fuzz/corpus/ are regression checks, then mutates until the time is up. A property violation,
# a sanitizer report, an input taking over 10 s or the process going over 2 GB fails the run: the
# input is saved as test-artifacts/fuzz/<target>-crash-<sha1> (or -timeout-, -oom-, -leak-), the
# whole log as test-artifacts/fuzz/<target>.log. Replay an input with: <binary> <that file>.
set -eu

if [ $# -lt 3 ]; then
  echo "usage: $0 <binary> <seed corpus dir> <seconds> [libFuzzer flags...]" >&2
  exit 2
fi
binary=$1
seeds=$2
seconds=${CONVENE_FUZZ_SECONDS:-$3}
shift 3
name=$(basename "$binary")
repo=$(cd "$(dirname "$0")/.." && pwd)
artifacts="$repo/test-artifacts/fuzz"
[ -x "$binary" ] || { echo "$binary: not built" >&2; exit 2; }
[ -d "$seeds" ] || { echo "$seeds: no seed corpus" >&2; exit 2; }

mkdir -p "$artifacts"
work=$(mktemp -d "${TMPDIR:-/tmp}/convene-fuzz-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/corpus"
cp -R "$seeds/." "$work/corpus/"

# fuzz/<target>.dict: tokens the mutations splice in (routes, zone names, UTF-8 sequences...).
dict="$repo/fuzz/$name.dict"
if [ -f "$dict" ]; then set -- "-dict=$dict" "$@"; fi

# Readable stack traces: the sanitizers need llvm-symbolizer (Debian's llvm-16 has it).
if [ -z "${ASAN_SYMBOLIZER_PATH:-}" ]; then
  for candidate in /usr/lib/llvm-16/bin/llvm-symbolizer "$(command -v llvm-symbolizer-16 || true)" \
                   "$(command -v llvm-symbolizer || true)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then
      ASAN_SYMBOLIZER_PATH=$(readlink -f "$candidate")
      export ASAN_SYMBOLIZER_PATH
      break
    fi
  done
fi
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

log="$artifacts/$name.log"
echo "fuzzing $name for ${seconds}s from $(find "$seeds" -type f | wc -l) seeds (log: $log)"
status=0
# libFuzzer stops itself after -max_total_time; `timeout` is the backstop should it ever not.
timeout --kill-after=30 $((seconds + 600)) \
  "$binary" "$work/corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
  -artifact_prefix="$artifacts/$name-" "$@" >"$log" 2>&1 || status=$?

# The figures: coverage once the seeds ran, and at the end.
grep -E '^#[0-9]+[[:space:]]+INITED' "$log" | tail -n 1 || true
grep -E '^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)' "$log" | tail -n 1 || true
grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
if [ "$status" -ne 0 ]; then
  echo "FAILED: $name exited with status $status; the end of its log:"
  tail -n 80 "$log"
  echo "inputs saved in $artifacts:"
  ls -1 "$artifacts" | grep -E "^$name-(crash|timeout|oom|leak|slow-unit)-" || true
  exit 1
fi
echo "$name: no failures"
