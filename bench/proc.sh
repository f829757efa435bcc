#!/usr/bin/env bash
# proc.sh - threadprof's /proc-only snapshot timed beside a plain C /proc loop.
#
# For each thread count N it starts its own copy of target.c, then runs, in
# turn and several times each (interleaved, so drift hits every tool alike):
#   c3      proc-baseline PID          stat, comm, wchan per thread (the floor
#                                      the goal is measured against)
#   c5      proc-baseline PID 1 same   the five files threadprof reads:
#                                      stat, status, syscall, wchan, stack
#   text    threadprof snapshot PID                 (text to /dev/null)
#   json    threadprof snapshot --format json PID   (to /dev/null)
#   nokst   threadprof snapshot --no-kernel-stack PID (text, 4 files)
# Every time is wall time around the whole process, startup included.
# Prints medians, us per thread and ratios; asserts nothing.
#
# Knobs: NS="4000 10000"  RUNS=7  BUDGET_S=600
#        THREADPROF=/path/to/threadprof (default: the release build, built
#        here with 'swift build -c release' when missing)
# Safety: only the targets this script started are signalled, by PID.
set -u

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NS=${NS:-"4000 10000"}
RUNS=${RUNS:-7}
BUDGET_S=${BUDGET_S:-600}
THREADPROF=${THREADPROF:-$ROOT/.build/release/threadprof}
DEADLINE=$(( $(date +%s) + BUDGET_S ))
WORK=$(mktemp -d /tmp/bench-proc.XXXXXX)
RAW="$WORK/raw.tsv"
TARGET_PID=""
SINK="$RAW"

log() { echo "[$(date +%T)] $*" >&2; }

cleanup() {
  if [ -n "$TARGET_PID" ] && kill -0 "$TARGET_PID" 2>/dev/null; then
    kill -KILL "$TARGET_PID" 2>/dev/null
    wait "$TARGET_PID" 2>/dev/null
  fi
  TARGET_PID=""
}
trap 'cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

if [ ! -x "$THREADPROF" ]; then
  log "building threadprof (release)"
  (cd "$ROOT" && swift build -c release --product threadprof >&2) || exit 1
fi
gcc -O2 -g -pthread -o "$WORK/target" "$HERE/target.c" || exit 1
gcc -O2 -o "$WORK/proc-baseline" "$HERE/proc-baseline.c" || exit 1

median() {
  sort -n | awk '{a[NR]=$1} END{ if (NR==0) print "NA";
    else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2 }'
}

run_once() { # tool n -> appends "n tool wall_us rc seen" to RAW
  local tool=$1 n=$2 out="$WORK/out" t0 t1 rc seen
  local -a cmd
  case $tool in
    c3) cmd=("$WORK/proc-baseline" "$TARGET_PID") ;;
    c5) cmd=("$WORK/proc-baseline" "$TARGET_PID" 1 same) ;;
    text) cmd=("$THREADPROF" snapshot "$TARGET_PID") ;;
    json) cmd=("$THREADPROF" snapshot --format json "$TARGET_PID") ;;
    nokst) cmd=("$THREADPROF" snapshot --no-kernel-stack "$TARGET_PID") ;;
  esac
  t0=$(date +%s%N)
  "${cmd[@]}" >"$out" 2>"$WORK/err"
  rc=$?
  t1=$(date +%s%N)
  case $tool in
    c3 | c5) seen=$(sed -n 's/^threads=\([0-9]*\).*/\1/p' "$out") ;;
    json) seen=$(grep -c '"tid" :' "$out") ;;
    *) seen=$(sed -n 's/^[^0-9]*\([0-9][0-9]*\) threads.*/\1/p' "$out" | head -n 1) ;;
  esac
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$tool" $(( (t1 - t0) / 1000 )) "$rc" "${seen:-?}" >>"$SINK"
}

TOOLS="c3 c5 text json nokst"
: >"$RAW"
for n in $NS; do
  if [ "$(date +%s)" -ge "$DEADLINE" ]; then log "budget spent before N=$n"; break; fi
  "$WORK/target" "$n" $(( DEADLINE - $(date +%s) + 30 )) >"$WORK/target.out" 2>/dev/null &
  TARGET_PID=$!
  for _ in $(seq 1200); do [ -s "$WORK/target.out" ] && break; sleep 0.1; done
  if [ "$(head -n 1 "$WORK/target.out")" != "$TARGET_PID" ]; then
    log "target N=$n did not come up"; cleanup; continue
  fi
  log "N=$n: target $TARGET_PID has $(ls /proc/$TARGET_PID/task | wc -l) threads"
  SINK="$WORK/warmup.tsv"  # one warm-up round, discarded
  for tool in $TOOLS; do run_once "$tool" "$n"; done
  SINK="$RAW"
  for r in $(seq "$RUNS"); do
    [ "$(date +%s)" -ge "$DEADLINE" ] && { log "budget spent in N=$n"; break; }
    for tool in $TOOLS; do run_once "$tool" "$n"; done
  done
  cleanup
done

echo
echo "threadprof: $THREADPROF ($("$THREADPROF" --version 2>/dev/null))"
echo "machine: $(nproc) vCPU, $(uname -r), $(date -u +%F)"
echo
echo "| N | tool | runs | wall ms median (min-max) | us/thread | x c3 | x c5 | rc | threads seen |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $NS; do
  c3=$(awk -F'\t' -v n="$n" '$1==n && $2=="c3"{print $3}' "$RAW" | median)
  c5=$(awk -F'\t' -v n="$n" '$1==n && $2=="c5"{print $3}' "$RAW" | median)
  for tool in $TOOLS; do
    rows=$(awk -F'\t' -v n="$n" -v t="$tool" '$1==n && $2==t' "$RAW")
    [ -z "$rows" ] && continue
    med=$(echo "$rows" | cut -f3 | median)
    mn=$(echo "$rows" | cut -f3 | sort -n | head -n 1)
    mx=$(echo "$rows" | cut -f3 | sort -n | tail -n 1)
    rcs=$(echo "$rows" | cut -f4 | sort -u | tr '\n' ',' | sed 's/,$//')
    seen=$(echo "$rows" | cut -f5 | sort -u | tr '\n' '/' | sed 's,/$,,')
    awk -v n="$n" -v t="$tool" -v c=$(echo "$rows" | wc -l) -v m="$med" -v lo="$mn" \
      -v hi="$mx" -v c3="$c3" -v c5="$c5" -v rc="$rcs" -v s="$seen" 'BEGIN{
      printf "| %s | %s | %d | %.1f (%.1f-%.1f) | %.2f | %.2f | %.2f | %s | %s |\n",
        n, t, c, m/1000, lo/1000, hi/1000, m/n, m/c3, m/c5, rc, s }'
  done
done
echo
echo "goal: 'text' <= 1.2x c3 (the C loop, startup included)"
