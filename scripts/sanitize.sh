#!/usr/bin/env bash
# Runs the test suite under AddressSanitizer, then ThreadSanitizer, each in
# its own build directory so the normal build is left alone.
#
# usage: scripts/sanitize.sh [address|thread ...] [-- swift test args]
#   e.g. scripts/sanitize.sh address -- --filter ProcParserFuzzTests
# Knobs: THREADPROF_FUZZ_SECONDS (default here 0.5, to keep the slow
# sanitized runs bounded), SANITIZE_TIMEOUT_S per sanitizer (default 1800).
# Prints one summary line per sanitizer; exits non-zero if any run failed.
set -uo pipefail
cd "$(dirname "$0")/.."

kinds=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do kinds+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)
export THREADPROF_FUZZ_SECONDS=${THREADPROF_FUZZ_SECONDS:-0.5}
# The XCTest runner and Foundation's Process keep a few objects until exit;
# threadprof's own leaks still fail the CLI tests (LeakSanitizer exit code).
export LSAN_OPTIONS="suppressions=$PWD/scripts/lsan.supp:print_suppressions=0"
limit=${SANITIZE_TIMEOUT_S:-1800}

status=0
summary=()
for kind in "${kinds[@]}"; do
  dir=".build/sanitize-$kind"
  log="$dir.log"
  mkdir -p "$dir"
  echo "sanitize: $kind: building into $dir (log: $log)" >&2
  start=$(date +%s)
  if ! swift build --build-tests --sanitize="$kind" --scratch-path "$dir" >"$log" 2>&1; then
    summary+=("$kind: BUILD FAILED (see $log)")
    status=1
    continue
  fi
  # The CLI tests run the binary built with the same sanitizer; tests that
  # find helpers under .build/debug get the sanitized ones when there is no
  # normal build.
  export THREADPROF_BIN="$PWD/$dir/debug/threadprof"
  if [ ! -e .build/debug ] || [[ "$(readlink .build/debug)" == sanitize-* ]]; then
    ln -sfn "sanitize-$kind/debug" .build/debug
  fi
  timeout -k 10 "$limit" swift test --skip-build --sanitize="$kind" --scratch-path "$dir" "$@" \
    >>"$log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - start ))
  reports=$(grep -c -E "ERROR: (AddressSanitizer|LeakSanitizer)|WARNING: ThreadSanitizer" "$log")
  if [ $rc -eq 0 ] && [ "$reports" -eq 0 ]; then
    summary+=("$kind: passed in ${secs}s, no sanitizer reports")
  else
    summary+=("$kind: FAILED in ${secs}s (exit $rc, $reports sanitizer reports; see $log)")
    status=1
  fi
done
printf '%s\n' "${summary[@]}"
exit $status
