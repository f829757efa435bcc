#!/bin/bash
# Recreates Fixtures/proc/<case>/ from real processes started here (and
# kthreadd, pid 2, which is only read). Run as root from anywhere; each
# started target is killed by its pid when its capture is done.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fixtures=$repo/Fixtures/proc

swift build --product threadprof
threadprof=$repo/.build/debug/threadprof
for t in parked names zombie; do
  gcc -O1 -g -pthread -o "$work/$t" "Tests/Targets/$t.c"
done
javac -d "$work" Tests/Targets/java/ParkedPool.java

# start NAME CMD...: runs CMD with stdout to a file, waits for "ready".
start() {
  local name=$1
  shift
  "$@" > "$work/$name.out" &
  pid=$!
  for _ in $(seq 1 600); do
    grep -q '^ready' "$work/$name.out" 2>/dev/null && return 0
    sleep 0.1
  done
  kill -9 "$pid"
  echo "capture-fixtures: $name never printed ready" >&2
  exit 1
}

# capture CASE PID: a fresh capture into Fixtures/proc/CASE.
capture() {
  rm -rf "${fixtures:?}/$1"
  "$threadprof" capture "$2" "$fixtures/$1"
}

stop() {
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
}

start parked "$work/parked" 2 2 2
capture parked "$pid"
capture vanished "$pid"
stop
# The vanished case: one thread's stat removed after the capture, as if
# the thread had exited between listing task/ and reading it.
victim=$(ls "$fixtures/vanished/"*/task | sort -n | tail -1)
rm "$fixtures/vanished/"*/task/"$victim"/stat

start names "$work/names"
capture names "$pid"
stop

start zombie "$work/zombie"
# Wait until the main task is a zombie (its pthread_exit has run).
for _ in $(seq 1 100); do
  s=$(sed 's/.*) //' "/proc/$pid/task/$pid/stat" | cut -c1)
  [ "$s" = Z ] && break
  sleep 0.05
done
capture zombie "$pid"
stop

start jvm java -Xss256k -XX:+UseSerialGC -cp "$work" ParkedPool
capture jvm "$pid"
stop

start python python3 Tests/Targets/pool.py
capture python "$pid"
stop

capture kthread 2
# Trees stay small: maps only where the reader or a test uses them.
du -sh "$fixtures"
