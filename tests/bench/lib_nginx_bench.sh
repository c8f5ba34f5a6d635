# Shared by the nginx benchmarks (nginx_apply.sh, sync_tick.sh): a work dir removed on exit
# (kept with BENCH_KEEP=1), a sandboxed nginx prefix with its own server certificate and a free
# port on 127.0.0.1, the nginx started there stopped by pid, and small timing helpers.
#   in:  BENCH_NAME (work dir prefix)
#   out: root, CERTGATE, W, NGX, port, ngxcmd, PID (set it once nginx runs), now_ms, median
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
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Starts nginx on $NGX/nginx.conf and records its pid in PID.
start_nginx() {
  $ngxcmd
  for _ in $(seq 50); do [ -s "$NGX/nginx.pid" ] && break; sleep 0.1; done
  PID=$(cat "$NGX/nginx.pid")
}
