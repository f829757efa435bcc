#!/bin/sh
# Measures the /proc reader against C loops on a target with THREADS
# threads (default 4,000): CPU microseconds per thread (perf stat
# task-clock, median of ROUNDS runs of 10 passes each), which a busy shared
# machine disturbs far less than wall time.
# usage: bench/proc-cpu.sh [THREADS] [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
n=${1:-4000}
rounds=${2:-7}
out=$(mktemp -d)
gcc -O2 -pthread -o "$out/target" bench/target.c
gcc -O2 -o "$out/baseline" bench/proc-baseline.c
gcc -O2 -o "$out/same" bench/proc-same-files.c
swiftc -O -module-name ProcBench -o "$out/proc-bench" \
  Sources/ThreadprofCore/Proc/*.swift Sources/ThreadprofCore/Model/*.swift \
  Sources/ThreadprofCore/ThreadprofError.swift Sources/ThreadprofCore/SystemError.swift \
  Sources/ThreadprofCore/Threadprof.swift bench/proc-cpu-main.swift
"$out/target" "$n" 600 > "$out/pid" &
tpid=$!
while [ ! -s "$out/pid" ]; do sleep 0.2; done
threads=$(ls "/proc/$tpid/task" | wc -l)

# cpu_us CMD...: CPU microseconds per thread per pass of CMD (10 passes).
cpu_us() {
  perf stat -x, -e task-clock "$@" 2>&1 >/dev/null |
    awk -F, -v t="$threads" '/task-clock/ { printf "%.2f\n", $1 * 1000 / (10 * t) }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

for kind in baseline same same-n swift swift-n; do
  : > "$out/$kind.txt"
done
i=0
while [ "$i" -lt "$rounds" ]; do
  cpu_us "$out/baseline" "$tpid" 10 >> "$out/baseline.txt"
  cpu_us "$out/same" "$tpid" 10 >> "$out/same.txt"
  cpu_us "$out/same" "$tpid" 10 -n >> "$out/same-n.txt"
  cpu_us "$out/proc-bench" "$tpid" 10 >> "$out/swift.txt"
  cpu_us "$out/proc-bench" "$tpid" 10 --no-stacks >> "$out/swift-n.txt"
  i=$((i + 1))
done
echo "threads: $threads; CPU us per thread, median of $rounds rounds"
echo "C proc-baseline (stat, comm, wchan):             $(median < "$out/baseline.txt")"
echo "C same files (stat, status, syscall, wchan, stack): $(median < "$out/same.txt")"
echo "ProcReader.scan:                                   $(median < "$out/swift.txt")"
echo "C same files without stack:                        $(median < "$out/same-n.txt")"
echo "ProcReader.scan(kernelStacks: false):              $(median < "$out/swift-n.txt")"
kill "$tpid"
wait "$tpid" 2>/dev/null || true
[ -n "${KEEP:-}" ] && echo "kept $out" || rm -rf "$out"
