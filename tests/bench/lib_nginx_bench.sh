# Shared by the nginx benchmarks (nginx_apply.sh, sync_tick.sh): a work dir removed on exit
# (kept with BENCH_KEEP=1), a sandboxed nginx prefix with its own server certificate and a free
# port on 127.0.0.1, the nginx started there stopped by pid, and small timing helpers.
#   in:  BENCH_NAME (work dir prefix)
#   out: root, CERTGATE, W, NGX, port, ngxcmd, PID (set it once nginx runs), now_ms, median,
#        no_change_runs
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
CERTGATE=${CERTGATE:-$root/build/certgate}
W=$(mktemp -d "${TMPDIR:-/tmp}/certgate-bench-${BENCH_NAME:-nginx}.XXXXXX")
NGX=$W/nginx
PID=""
cleanup() {
  [ -n "$PID" ] && kill "$PID" 2>/dev/null || true
  [ "${BENCH_KEEP:-}" = 1 ] && echo "kept $W" || rm -rf "$W"
}
trap cleanup EXIT
mkdir -p "$NGX/tmp"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \
  -keyout "$NGX/server.key" -out "$NGX/server.crt" 2>/dev/null
ngxcmd="nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log"
now_ms() { date +%s%3N; }
# no_change_runs LABEL CHECK CMD...: 5 runs of CMD, each followed by CHECK on its output file
# ($W/run.out, stdout and stderr), then "LABEL: median X ms, peak RSS Y MiB (runs: ...)". The
# first run of a series computes what the run cache (cli/run_cache.h) keeps for the others.
no_change_runs() {
  local label=$1 check=$2 t
  shift 2
  : >"$W/runs"
  for _ in 1 2 3 4 5; do
    t=$(now_ms)
    /usr/bin/time -f '%M' -o "$W/time" "$@" >"$W/run.out" 2>&1 || true
    echo "$(($(now_ms) - t)) $(cat "$W/time")" >>"$W/runs"
    $check "$W/run.out" || { echo "$label: not a run with nothing to do" >&2; cat "$W/run.out" >&2; exit 1; }
  done
  echo "$label: median $(cut -d' ' -f1 "$W/runs" | median) ms, peak RSS" \
    "$(($(cut -d' ' -f2 "$W/runs" | median) / 1024)) MiB (runs: $(cut -d' ' -f1 "$W/runs" | tr '\n' ' ')ms)"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Starts nginx on $NGX/nginx.conf and records its pid in PID.
start_nginx() {
  $ngxcmd
  for _ in $(seq 50); do [ -s "$NGX/nginx.pid" ] && break; sleep 0.1; done
  PID=$(cat "$NGX/nginx.pid")
}
