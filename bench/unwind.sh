#!/usr/bin/env bash
# bench-unwind.sh - time StackCollector (through threadprof-unwind-probe)
# against eu-stack -p on the same N-thread bench/target.c, same run.
#
# usage: bench/unwind.sh [N] [RUNS]     (defaults 1000, 3)
# Needs a release probe: swift build -c release --product threadprof-unwind-probe
# Prints per build (fp, nofp) and run: the probe's collect time per thread
# (listing excluded), its longest single-thread hold, frames read, the
# probe's whole wall time (exec, preflight and one collect), eu-stack's
# wall time, and the target's longest heartbeat gap. Only processes this
# script started are signalled, by pid.
set -eu
N=${1:-1000}
RUNS=${2:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PROBE=$ROOT/.build/release/threadprof-unwind-probe
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
now() { date +%s%N; }

# The target's longest heartbeat gap since the last call (SIGUSR1 makes it
# print and reset it).
gap() {
  local before
  before=$(wc -l <"$WORK/gaps")
  kill -USR1 "$tpid"
  while [ "$(wc -l <"$WORK/gaps")" -le "$before" ]; do sleep 0.01; done
  tail -1 "$WORK/gaps" | sed 's/.*max_us=//'
}
field() { echo "$1" | sed "s/.*$2=\([0-9]*\).*/\1/"; }

for variant in fp nofp; do
  flag=-fno-omit-frame-pointer
  [ "$variant" = nofp ] && flag=-fomit-frame-pointer
  gcc -O2 -g "$flag" -pthread -o "$WORK/target-$variant" "$ROOT/bench/target.c"
  rm -f "$WORK/pid" "$WORK/gaps"
  "$WORK/target-$variant" "$N" 600 >"$WORK/pid" 2>"$WORK/gaps" &
  tpid=$!
  while [ ! -s "$WORK/pid" ]; do sleep 0.05; done
  threads=$(ls /proc/$tpid/task | wc -l)
  for run in $(seq "$RUNS"); do
    gap >/dev/null
    t0=$(now)
    line=$("$PROBE" "$tpid" --once | grep '^scan')
    t1=$(now)
    g1=$(gap)
    frz=$("$PROBE" "$tpid" --freeze --once | grep '^scan')
    g2=$(gap)
    t2=$(now)
    eu-stack -p "$tpid" >/dev/null 2>&1 || true
    t3=$(now)
    g3=$(gap)
    c=$(field "$line" collect_us)
    printf '%-4s run %d: %d threads, %d frames: collect %.1f us/thread, longest hold %d us, ' \
      "$variant" "$run" "$threads" "$(field "$line" frames)" "$(echo "$c / $threads" | bc -l)" \
      "$(field "$line" pause_us)"
    printf 'probe wall %.1f ms, hb gap %d us | freeze: collect %.1f ms, hold %d us, hb gap %d us' \
      "$(echo "($t1 - $t0) / 1000000" | bc -l)" "$g1" \
      "$(echo "$(field "$frz" collect_us) / 1000" | bc -l)" "$(field "$frz" pause_us)" "$g2"
    printf ' | eu-stack %.1f ms, hb gap %d us | probe/eu %.3f\n' \
      "$(echo "($t3 - $t2) / 1000000" | bc -l)" "$g3" "$(echo "($t1 - $t0) / ($t3 - $t2)" | bc -l)"
    case "$line" in *truncated=*) echo "  truncated: ${line##*truncated=}" ;; esac
  done
  grep -h TracerPid /proc/$tpid/task/*/status | sort | uniq -c | sed 's/^/  after: /'
  grep -h State /proc/$tpid/task/*/status | cut -c1-9 | sort | uniq -c | sed 's/^/  after: /'
  kill $tpid
  wait $tpid 2>/dev/null || true
done
