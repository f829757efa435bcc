#!/usr/bin/env bash
# soak.sh - threadprof watch on a leaking target for minutes: does its own
# memory stay flat?
#
# Starts threadprof-demo (the package's leaky demo: worker pools that are
# never shut down, up to DEMO_MAX threads) and runs
#   threadprof watch <pid> --interval $INTERVAL --duration <SOAK_MINUTES>m
# beside it, sampling /proc/<watch pid>/status (VmRSS, VmHWM) every second.
# Prints threadprof's peak RSS at 1, 5 and 10 minutes (those within the run)
# and at the end, the watch's exit code and how many lines it printed.
# Prints, never asserts.
#
# Knobs: SOAK_MINUTES=10 (may be fractional, e.g. 0.5)   INTERVAL=100ms
#        DEMO_MAX=3000  DEMO_INTERVAL_MS=200
#        THREADPROF / DEMO: binaries (default: the release builds, built with
#        'swift build -c release' when missing)
# Safety: only the demo and the watch this script started are signalled, by
# PID; the demo also ends itself after its --lifetime.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SOAK_MINUTES=${SOAK_MINUTES:-10}
INTERVAL=${INTERVAL:-100ms}
DEMO_MAX=${DEMO_MAX:-3000}
DEMO_INTERVAL_MS=${DEMO_INTERVAL_MS:-200}
THREADPROF=${THREADPROF:-$ROOT/.build/release/threadprof}
DEMO=${DEMO:-$ROOT/.build/release/threadprof-demo}
SECONDS_TOTAL=$(awk -v m="$SOAK_MINUTES" 'BEGIN{ printf "%d", m * 60 }')
WORK=$(mktemp -d /tmp/bench-soak.XXXXXX)
DEMO_PID=""
WATCH_PID=""

log() { echo "[$(date +%T)] $*" >&2; }

cleanup() {
  for p in "$WATCH_PID" "$DEMO_PID"; do
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
      kill -KILL "$p" 2>/dev/null
      wait "$p" 2>/dev/null
    fi
  done
  WATCH_PID=""
  DEMO_PID=""
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [ ! -x "$THREADPROF" ] || [ ! -x "$DEMO" ]; then
  log "building (release)"
  (cd "$ROOT" && swift build -c release >&2) || exit 1
fi
if ! "$THREADPROF" watch --help >/dev/null 2>&1; then
  echo "soak: this threadprof has no 'watch' command; nothing to soak"
  exit 0
fi

"$DEMO" --interval-ms "$DEMO_INTERVAL_MS" --max-threads "$DEMO_MAX" \
  --lifetime $((SECONDS_TOTAL + 120)) >"$WORK/demo.out" 2>/dev/null &
DEMO_PID=$!
for _ in $(seq 200); do [ -s "$WORK/demo.out" ] && break; sleep 0.05; done
[ "$(head -n 1 "$WORK/demo.out")" = "$DEMO_PID" ] || { log "demo did not start"; exit 1; }

"$THREADPROF" watch "$DEMO_PID" --interval "$INTERVAL" --duration "${SECONDS_TOTAL}s" \
  >"$WORK/watch.out" 2>"$WORK/watch.err" &
WATCH_PID=$!
log "demo $DEMO_PID, watch $WATCH_PID, ${SECONDS_TOTAL}s at $INTERVAL"

kb() { awk -v k="$1" '$1==k":"{print $2}' "/proc/$WATCH_PID/status" 2>/dev/null; }
: >"$WORK/rss.tsv"
start=$(date +%s)
deadline=$((start + SECONDS_TOTAL + 60))
while kill -0 "$WATCH_PID" 2>/dev/null; do
  t=$(($(date +%s) - start))
  rss=$(kb VmRSS)
  hwm=$(kb VmHWM)
  [ -n "$rss" ] && printf '%s\t%s\t%s\t%s\n' "$t" "$rss" "$hwm" \
    "$(ls "/proc/$DEMO_PID/task" 2>/dev/null | wc -l)" >>"$WORK/rss.tsv"
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "watch overran its duration by 60 s; killing it"
    kill -KILL "$WATCH_PID"
    break
  fi
  sleep 1
done
wait "$WATCH_PID"
rc=$?
WATCH_PID=""

echo "threadprof: $THREADPROF ($("$THREADPROF" --version 2>/dev/null))"
echo "machine: $(nproc) vCPU, $(uname -r), $(date -u +%F)"
echo "watch --interval $INTERVAL for ${SECONDS_TOTAL}s on threadprof-demo (leaks to $DEMO_MAX threads)"
echo
echo "| at | watch VmRSS MB | watch VmHWM (peak) MB | demo threads |"
echo "|---|---|---|---|"
for m in 1 5 10; do
  [ $((m * 60)) -gt "$SECONDS_TOTAL" ] && continue
  awk -F'\t' -v s=$((m * 60)) -v m="$m" '$1<=s{r=$2; h=$3; n=$4}
    END{ if (h!="") printf "| %d min | %.1f | %.1f | %s |\n", m, r/1024, h/1024, n }' "$WORK/rss.tsv"
done
awk -F'\t' 'END{ if (NR) printf "| end (%d s) | %.1f | %.1f | %s |\n", $1, $2/1024, $3/1024, $4 }' \
  "$WORK/rss.tsv"
echo
echo "watch exit code: $rc; lines printed: $(wc -l <"$WORK/watch.out")"
echo "last lines of the watch:"
tail -n 3 "$WORK/watch.out" | cut -c1-160
[ -s "$WORK/watch.err" ] && { echo "stderr:"; tail -n 5 "$WORK/watch.err"; }
