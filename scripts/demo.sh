#!/usr/bin/env bash
# Installs what is missing, builds threadprof, starts the bundled leaky demo
# service and shows threadprof catching its leak: a snapshot with stacks,
# then a short watch whose verdict names the growing cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
swift build
BIN=$(swift build --show-bin-path)

"$BIN/threadprof-demo" --lifetime 120 >/tmp/threadprof-demo.$$ &
DEMO=$!
cleanup() {
  local rc=$?
  kill "$DEMO" 2>/dev/null || true
  wait "$DEMO" 2>/dev/null || true
  rm -f /tmp/threadprof-demo.$$
  exit "$rc"
}
trap cleanup EXIT
# The demo prints its pid once its fixed threads are up; then give the leak
# a few seconds to become the biggest group (at least 24 threads).
for _ in $(seq 100); do [ -s /tmp/threadprof-demo.$$ ] && break; sleep 0.05; done
for _ in $(seq 200); do
  [ "$(ls /proc/$DEMO/task | wc -l)" -ge 24 ] && break
  sleep 0.05
done

echo "== threadprof-demo (pid $DEMO) leaks two threads every 300 ms"
echo "== threadprof snapshot --stacks --top 3 $DEMO"
"$BIN/threadprof" snapshot --stacks --top 3 "$DEMO"
echo
echo "== threadprof watch $DEMO --interval 1s --count 10 --fail-on-growth"
set +e
"$BIN/threadprof" watch "$DEMO" --interval 1s --count 10 --fail-on-growth
rc=$?
set -e
echo
if [ "$rc" -eq 3 ]; then
  echo "== watch exited 3: it found the growing cluster (the leaked rpc pool)"
else
  echo "== watch exited $rc: expected 3 (a growing cluster)" >&2
  exit 1
fi
