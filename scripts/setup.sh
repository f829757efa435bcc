#!/usr/bin/env bash
# Installs the Debian packages threadprof builds, tests and benchmarks with,
# skipping those already present. Needs root (or sudo) only when something
# is missing. The Swift toolchain itself must already be on PATH.
set -euo pipefail

# libunwind-dev: remote unwinding over ptrace; libdw-dev/libelf-dev: symbols
# and lines (elfutils); zlib1g-dev: gzip for pprof files; liblzma-dev: what
# libunwind links for MiniDebugInfo; gcc: builds the test targets;
# elfutils (eu-stack) and gdb: peers in the benchmark and tests; golang-go:
# the real `go tool pprof` that checks our pprof files.
PACKAGES=(libunwind-dev libdw-dev libelf-dev zlib1g-dev liblzma-dev gcc g++ make
  elfutils gdb golang-go procps util-linux)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

command -v swift >/dev/null || {
  echo "setup: no 'swift' on PATH; install the Swift 6 toolchain from swift.org first" >&2
  exit 1
}
