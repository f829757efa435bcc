#!/bin/sh
# Measures the /proc reader against the C floor on a 4,000-thread target.
# usage: scripts/bench-proc.sh [THREADS] [REPEATS]
set -eu
cd "$(dirname "$0")/.."
n=${1:-4000}
reps=${2:-10}
out=${TMPDIR:-/tmp}/threadprof-bench-$$
mkdir -p "$out"
gcc -O2 -pthread -o "$out/target" /work/shared/bench/target.c
gcc -O2 -o "$out/baseline" /work/shared/bench/proc-baseline.c
gcc -O2 -o "$out/same" scripts/bench/proc-same-files.c
swiftc -O -parse-as-library -module-name ProcBench -o "$out/proc-bench" \
  Sources/ThreadprofCore/Proc/*.swift Sources/ThreadprofCore/Model/*.swift \
  Sources/ThreadprofCore/ThreadprofError.swift Sources/ThreadprofCore/SystemError.swift \
  Sources/ThreadprofCore/Threadprof.swift scripts/bench/main.swift 2>/dev/null || \
swiftc -O -module-name ProcBench -o "$out/proc-bench" \
  Sources/ThreadprofCore/Proc/*.swift Sources/ThreadprofCore/Model/*.swift \
  Sources/ThreadprofCore/ThreadprofError.swift Sources/ThreadprofCore/SystemError.swift \
  Sources/ThreadprofCore/Threadprof.swift scripts/bench/main.swift
"$out/target" "$n" 300 > "$out/pid" &
tpid=$!
while [ ! -s "$out/pid" ]; do sleep 0.2; done
echo "C baseline (stat+comm+wchan):"
"$out/baseline" "$tpid" "$reps"
echo "C, same files as ProcReader (stat+status+syscall+wchan+stack):"
"$out/same" "$tpid" "$reps"
echo "C, same files without stack:"
"$out/same" "$tpid" "$reps" -n
echo "ProcReader.scan (stat+status+syscall+wchan+stack):"
"$out/proc-bench" "$tpid" "$reps"
echo "ProcReader.scan without kernel stacks:"
"$out/proc-bench" "$tpid" "$reps" --no-stacks
kill "$tpid"
wait "$tpid" 2>/dev/null || true
rm -rf "$out"
