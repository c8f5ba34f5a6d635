#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang and runs each for a bounded time on a
# copy of its seed corpus, so the committed corpus/ is never modified.
#
# Usage: tests/fuzz/run.sh [RUNS]     (RUNS inputs per target, default 20000)
#
#   index_fuzz  pki::parse_index (index.txt), plus the format_index round trip
#   csr_fuzz    pki::load_csr (PEM CSR, OpenSSL)
#
# Environment:
#   FUZZ_BUILD_DIR  build directory (default: build/fuzz of this repository)
#
# Each target runs with -runs=RUNS -max_total_time=60 -timeout=5 -rss_limit_mb=2048; the two run
# side by side (one per core), so the whole script stays well under two minutes. A crash, leak,
# timeout or sanitizer report is copied to tests/fuzz/crashes/ and its log tail is printed.
# Exit status: 0 when every target finished clean, 1 when one failed, 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build/fuzz}
runs=${1:-20000}
targets=(index_fuzz csr_fuzz)

if [[ $# -gt 1 || ! $runs =~ ^[0-9]+$ ]]; then
  echo "usage: tests/fuzz/run.sh [RUNS]" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/certgate-fuzz.XXXXXX")
pids=()
# shellcheck disable=SC2317  # reached through the traps
cleanup() {
  # Background jobs ignore SIGINT, so stop each fuzzer (the child of its subshell) by pid.
  for pid in "${pids[@]}"; do
    pkill -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# Build.
t0=$(now)
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if ! CC=clang CXX=clang++ cmake -S "$here" -B "$build" "${generator[@]}" >"$work/configure.log" 2>&1 ||
  ! cmake --build "$build" -j2 >"$work/build.log" 2>&1; then
  cat "$work/configure.log" "$work/build.log" 2>/dev/null | tail -40 >&2
  echo "fuzz: build failed" >&2
  exit 1
fi
echo "fuzz: build $(elapsed "$t0")s ($build)"

# Run, one target per core.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
t0=$(now)
for t in "${targets[@]}"; do
  name=${t%_fuzz}
  mkdir -p "$work/$t/artifacts"
  cp -R "$here/corpus/$name" "$work/$t/corpus"
  (
    start=$(now)
    rc=0
    "$build/$t" "$work/$t/corpus" -runs="$runs" -max_total_time=60 -timeout=5 \
      -rss_limit_mb=2048 -artifact_prefix="$work/$t/artifacts/" -print_final_stats=1 \
      >"$work/$t/log" 2>&1 || rc=$?
    elapsed "$start" >"$work/$t/seconds"
    exit "$rc"
  ) &
  pids+=($!)
done

status=0
for i in "${!targets[@]}"; do
  t=${targets[$i]}
  rc=0
  wait "${pids[$i]}" || rc=$?
  log=$work/$t/log
  # libFuzzer's last line on a clean finish: "Done 20000 runs in 3 second(s)".
  done_line=$(grep -E '^Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
  if [[ $rc -eq 0 && -n $done_line ]]; then
    read -r _ n _ <<<"$done_line"
    seeds=$(find "$here/corpus/${t%_fuzz}" -type f | wc -l)
    corpus=$(find "$work/$t/corpus" -type f | wc -l)
    echo "fuzz: $t ok: $n runs in $(cat "$work/$t/seconds")s, corpus $seeds -> $corpus files"
  else
    status=1
    echo "fuzz: $t FAILED (exit $rc); its report:" >&2
    # The sanitizer report and stack, without libFuzzer's progress lines and ASan's shadow map.
    grep -Ev '^(INFO: |#[0-9]+)' "$log" | sed '/^Shadow bytes around/,/^==[0-9]*==ABORTING/d' |
      tail -80 >&2
    shopt -s nullglob
    artifacts=("$work/$t/artifacts"/*)
    shopt -u nullglob
    if [[ ${#artifacts[@]} -gt 0 ]]; then
      mkdir -p "$here/crashes"
      for a in "${artifacts[@]}"; do
        cp "$a" "$here/crashes/$t-$(basename "$a")"
        echo "fuzz: saved tests/fuzz/crashes/$t-$(basename "$a")" >&2
      done
    fi
  fi
done
pids=()
echo "fuzz: runs $(elapsed "$t0")s wall"
exit "$status"
