#!/usr/bin/env bash
# nginx full-handshake rate with certgate's include files, and against the size of the CRL.
#
# Usage: tests/bench/nginx_handshake.sh        (about 5 minutes with the defaults)
#        BENCH_DEVICES=500 BENCH_TIME=2 tests/bench/nginx_handshake.sh   (a quick run)
#
# Every figure is `openssl s_time -new` against an nginx on 127.0.0.1: -new never resumes a
# session, so each connection is a full TLS handshake with a client certificate. Each nginx
# runs with worker_processes 1, so on a 2-core machine one core serves and the other runs the
# client. s_time makes one connection at a time, so its rate is 1 / (client + server +
# loopback latency) per connection, not nginx's saturated throughput. Three figures per
# measurement: conn/s = connections / wall-clock seconds of the s_time run (the main one);
# s_time's own "connections/user sec" (divided by the client's CPU time, so blind to the
# server); and the nginx worker's CPU time per connection (/proc/PID/schedstat), the server's
# own cost, least disturbed by other load on the machine.
#
#   (A) certgate vs plain: the same nginx with certgate's generated includes for one site
#       allowing BENCH_DEVICES devices (http.conf: serial->device maps and the site's gate map;
#       sites/admin.conf: ssl_client_certificate, ssl_verify_client on, ssl_verify_depth,
#       ssl_crl, the site's shared session cache, ssl_session_tickets off, the 403 gate) vs a
#       baseline server{} with only ssl_verify_client on, ssl_client_certificate and ssl_crl
#       (certgate's ca.pem and crl.pem) plus ssl_session_cache off and ssl_session_tickets off,
#       so it cannot resume either. Both use the certificate of an allowed device (d00001).
#       Reported: certgate / baseline (target >= 0.95).
#   (B) the plain baseline config against the CRL size: BENCH_CRL_SIZES revoked entries
#       (random 128-bit serials) in a CRL of a standalone openssl-CLI CA (`openssl ca
#       -gencrl`), with that CA's client certificate; absolute rates and relative to the first
#       size. A second client certificate, listed in each non-empty CRL, must be refused.
#
# Both are measured handshake-only (s_time without -www: connect, handshake, close) and with
# `-www /` (one HTTP/1.0 GET per connection, so the request also passes certgate's gate).
# Protocol: nginx's default (no ssl_protocols: TLS 1.2 on nginx 1.22, whose default lacks
# TLSv1.3; certgate's includes do not set it either), or BENCH_TLS. Under TLS 1.3 the client's
# handshake ends before the server has checked the client certificate, so handshake-only can
# hide part of that check (the CRL lookup among it) behind the client's next handshake;
# `-www /` waits for the answer, and the nginx CPU figure counts it either way.
# Every measurement is repeated BENCH_REPEAT times, configurations interleaved (A1 A2 A1 A2
# ...), and the median is reported. Keys: EC P-256 everywhere (certgate's default), the
# server's certificate is self-signed.
#
# Environment:
#   BENCH_DEVICES    devices in certgate's TOML for (A) (default 10000; `certgate apply` of
#                    10,000 devices takes ~20-40 s, done once per run)
#   BENCH_TIME       seconds per s_time measurement (default 5)
#   BENCH_REPEAT     repetitions of each measurement, median reported (default 3)
#   BENCH_CRL_SIZES  revoked entries for (B) (default "0 1000 10000 100000")
#   BENCH_MODES      "handshake www" (default), or one of them
#   BENCH_TLS        empty (default: nginx's default protocols), 1.2 or 1.3: every server gets
#                    ssl_protocols TLSv1.2 TLSv1.3 (as Debian's nginx.conf, minus TLS 1.0/1.1)
#                    and s_time -tls1_2 or -tls1_3
#   BENCH_SKIP       comma-separated parts to skip: A,B
#   BENCH_PIN=1      pin the nginx instances to CPU 0 and s_time to CPU 1 (taskset)
#   BENCH_KEEP=1     keep the work directory (printed) instead of deleting it
#   CERTGATE         certgate binary (default: build/certgate of this repository)
#   NGINX            nginx binary (default: nginx from PATH, else /usr/sbin/nginx)
#
# Only 127.0.0.1 is used. Each nginx runs from its own prefix in the work directory (config,
# pid, error log, temp paths; access_log off) in the foreground (daemon off); the script stops
# every nginx it started by its pid on exit, and removes the work directory.
# Exit status: 0 when every measurement ran, 1 on a failure, 2 on bad usage.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
  sed -n '2,/^# Exit status/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}
[[ $# -eq 0 ]] || usage

posint() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
devices=${BENCH_DEVICES:-10000}
secs=${BENCH_TIME:-5}
repeat=${BENCH_REPEAT:-3}
read -r -a crl_sizes <<<"${BENCH_CRL_SIZES:-0 1000 10000 100000}"
read -r -a modes <<<"${BENCH_MODES:-handshake www}"
skip=",${BENCH_SKIP:-},"
skipped() { [[ $skip == *",$1,"* ]]; }
posint "$devices" || { echo "BENCH_DEVICES must be a positive integer" >&2; exit 2; }
posint "$secs" || { echo "BENCH_TIME must be a positive integer" >&2; exit 2; }
posint "$repeat" || { echo "BENCH_REPEAT must be a positive integer" >&2; exit 2; }
((${#crl_sizes[@]})) || { echo "BENCH_CRL_SIZES is empty" >&2; exit 2; }
for s in "${crl_sizes[@]}"; do
  [[ $s =~ ^(0|[1-9][0-9]*)$ ]] || { echo "BENCH_CRL_SIZES: not a number: $s" >&2; exit 2; }
done
for m in "${modes[@]}"; do
  [[ $m == handshake || $m == www ]] || { echo "BENCH_MODES: handshake and/or www, not $m" >&2; exit 2; }
done
tls_opt=() tls_server=""
case ${BENCH_TLS:-} in
  "") ;;
  1.2 | 1.3)
    tls_opt=("-tls1_${BENCH_TLS#1.}")
    tls_server="    ssl_protocols TLSv1.2 TLSv1.3;"
    ;;
  *) echo "BENCH_TLS must be empty, 1.2 or 1.3" >&2; exit 2 ;;
esac
pin_server=() pin_client=()
if [[ ${BENCH_PIN:-} == 1 ]]; then
  pin_server=(taskset -c 0)
  pin_client=(taskset -c 1)
fi

abs() { if [[ $1 == /* ]]; then echo "$1"; else echo "$PWD/$1"; fi; }
certgate=$(abs "${CERTGATE:-$root/build/certgate}")
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[[ -x $certgate ]] || { echo "certgate not built: $certgate (cmake --build build, or set CERTGATE)" >&2; exit 1; }
[[ -x $nginx ]] || { echo "nginx not found: $nginx (apt-get install nginx, or set NGINX)" >&2; exit 1; }

t_begin=${EPOCHREALTIME//[!0-9]/} # whole-run clock (now_us is defined below)
work=$(mktemp -d "${TMPDIR:-/tmp}/certgate-nginx-bench.XXXXXX")
nginx_pids=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local pid
  for pid in "${nginx_pids[@]}"; do
    { kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; } || true
  done
  if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo; echo "interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

# --- helpers ---------------------------------------------------------------------------------
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
calc() { awk "BEGIN { printf \"%.${2:-3}f\", $1 }"; }
indent() { sed 's/^/    /'; }
section() { printf '\n== %s ==\n' "$*"; }
die() {
  echo "  FAILED: $1" >&2
  if [[ -n ${2:-} && -s $2 ]]; then
    echo "  last lines of $2:" >&2
    tail -n 15 "$2" | indent >&2
  fi
  exit 1
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
kib() { calc "$(stat -c %s "$1") / 1024" 1; }
ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# certgate, isolated from the caller's CERTGATE_* settings (as in tests/bench/run).
certgate_env=()
for v in $(compgen -e); do [[ $v == CERTGATE_* || $v == CERTGATE ]] && certgate_env+=(-u "$v"); done

# The server's certificate, shared by every nginx: self-signed, EC P-256.
mkdir -p "$work/server"
ec_key "$work/server/key.pem"
openssl req -x509 -new -key "$work/server/key.pem" -out "$work/server/cert.pem" -days 30 \
  -subj /CN=admin.test -addext subjectAltName=DNS:admin.test 2>/dev/null

# start_nginx NAME HTTP_LINES SERVER_LINES: nginx in $work/nginx-NAME on a free port of
# 127.0.0.1; sets port_NAME. The server answers GET / with "NAME ok".
start_nginx() {
  local name=$1 http=$2 server=$3 d=$work/nginx-$1 port pid i
  mkdir -p "$d/tmp"
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 40000))
    [[ -z $(ss -Htln "sport = :$port" 2>/dev/null) ]] || continue
    cat >"$d/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $d/tmp/client_body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
$http
  server {
    listen 127.0.0.1:$port ssl;
    server_name admin.test;
    ssl_certificate $work/server/cert.pem;
    ssl_certificate_key $work/server/key.pem;
$tls_server
$server
    location / { return 200 "$name ok\n"; }
  }
}
EOF
    "${pin_server[@]}" "$nginx" -p "$d/" -c "$d/nginx.conf" -e "$d/error.log" >>"$d/stderr.log" 2>&1 &
    pid=$!
    nginx_pids+=("$pid")
    for ((i = 0; i < 100; i++)); do
      if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" || true
        grep -q 'Address already in use' "$d/error.log" 2>/dev/null && continue 2
        die "nginx $name did not start" "$d/error.log"
      fi
      if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        printf -v "port_$name" %s "$port"
        printf -v "worker_$name" %s "$(pgrep -P "$pid" | head -n 1)"
        echo "  nginx $name: pid $pid, 127.0.0.1:$port, prefix $d"
        return 0
      fi
      sleep 0.1
    done
    die "nginx $name does not listen on 127.0.0.1:$port after 10 s" "$d/error.log"
  done
  die "no free port found for nginx $name"
}

# expect_get NAME PORT CERT KEY WANT: GET / with that client certificate (none when CERT is
# empty) must answer WANT, a regular expression on "BODY [STATUS]".
expect_get() {
  local got client=() label="no client certificate"
  if [[ -n $3 ]]; then
    client=(--cert "$3" --key "$4")
    label="client certificate ${3#"$work"/}"
  fi
  got=$(curl -sk --max-time 10 --resolve "admin.test:$2:127.0.0.1" "${client[@]}" \
    -w '[%{http_code}]' "https://admin.test:$2/" 2>&1 || true)
  got=${got//$'\n'/ }
  [[ $got =~ $5 ]] || die "check of nginx $1 with $label: expected /$5/, got '$got'"
  echo "  check $1: $label -> ${got##* }"
}

# cpu_ns PID: CPU time the process has run, in ns (/proc/PID/schedstat; else utime+stime).
cpu_ns() {
  if [[ -r /proc/$1/schedstat ]]; then
    cut -d' ' -f1 "/proc/$1/schedstat"
  else
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e9 / hz }' "/proc/$1/stat"
  fi
}

# negotiated PORT CERT KEY: protocol, cipher and key exchange of a handshake with that server.
negotiated() {
  openssl s_client -connect "127.0.0.1:$1" -cert "$2" -key "$3" -brief "${tls_opt[@]}" </dev/null 2>&1 |
    sed -n 's/^\(Protocol version\|Ciphersuite\|Server Temp Key\): */\1 /p' | paste -sd';' | sed 's/;/; /g'
}
negotiated=""

# One measurement: s_time_run KEY PORT CERT KEYFILE MODE WORKER_PID. Appends to $work/results:
# KEY conn/s(wall) conn/user-s connections wall-seconds nginx-worker-CPU-us/connection.
s_time_run() {
  local key=$1 port=$2 cert=$3 keyf=$4 mode=$5 worker=$6 log t0 t1 c0 c1 n user wall rate cpu
  local www=()
  [[ $mode == www ]] && www=(-www /)
  log=$work/logs/$key.$(date +%s%N).log
  c0=$(cpu_ns "$worker")
  t0=$(now_us)
  "${pin_client[@]}" openssl s_time -connect "127.0.0.1:$port" -new -time "$secs" \
    -cert "$cert" -key "$keyf" "${www[@]}" "${tls_opt[@]}" >"$log" 2>&1 || die "s_time $key failed" "$log"
  t1=$(now_us)
  c1=$(cpu_ns "$worker")
  n=$(sed -n 's/^\([0-9][0-9]*\) connections in [0-9.]*s;.*/\1/p' "$log" | head -n 1)
  user=$(sed -n 's/.*; \([0-9.]*\) connections\/user sec.*/\1/p' "$log" | head -n 1)
  [[ -n $n && $n -gt 0 ]] || die "s_time $key: no connections counted" "$log"
  wall=$(calc "($t1 - $t0) / 1000000" 3)
  rate=$(calc "$n / $wall" 1)
  cpu=$(calc "($c1 - $c0) / 1000 / $n" 1)
  printf '%s %s %s %s %s %s\n' "$key" "$rate" "${user:-0}" "$n" "$wall" "$cpu" >>"$work/results"
  printf '    %-22s %6s conn in %6s s: %7s conn/s, %7s conn/user-s, nginx %6s us CPU/conn, load %s\n' \
    "$key" "$n" "$wall" "$rate" "${user:-n/a}" "$cpu" "$(loadavg)"
}

# median KEY [FIELD]: the median of field FIELD of KEY's results (2 = conn/s wall,
# 3 = conn/user-s, 6 = nginx worker CPU us per connection).
median() {
  awk -v k="$1" -v f="${2:-2}" '$1 == k { print $f }' "$work/results" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) printf "%.1f", v[(NR + 1) / 2];
      else printf "%.1f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
range() {
  awk -v k="$1" '$1 == k { print $2 }' "$work/results" | sort -g |
    awk 'NR == 1 { lo = $1 } { hi = $1 } END { if (NR) printf "%.0f-%.0f", lo, hi }'
}
ratio() { if [[ -n $1 && -n $2 ]]; then calc "$1 / $2" 3; else echo "n/a"; fi; }
mode_label() { if [[ $1 == www ]]; then echo "with -www /"; else echo "handshake only"; fi; }

mkdir -p "$work/logs"
: >"$work/results"

# --- header ----------------------------------------------------------------------------------
echo "nginx handshake benchmark (work directory $work)"
echo "  host:     $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs, $(uname -sr), load average $(loadavg)"
echo "  nginx:    $("$nginx" -v 2>&1 | sed 's/^nginx version: //'), worker_processes 1 (one core serves, the other runs s_time)"
echo "  openssl:  $(openssl version)"
echo "  certgate: $certgate ($("$certgate" --version 2>/dev/null || echo "not runnable"))"
echo "  method:   openssl s_time -new -time $secs${BENCH_TLS:+ -tls1_${BENCH_TLS#1.}}, modes: ${modes[*]}, $repeat runs each interleaved, median"
echo "            rate = connections / wall seconds of the s_time run$( ((${#pin_server[@]})) && echo "; nginx pinned to CPU 0, s_time to CPU 1")"
if [[ ${BENCH_PIN:-} != 1 ]] && awk -v l="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN { exit !(l >= 0.5) }'; then
  echo "  note:     the machine is not idle (load $(loadavg)); other work competes with nginx and s_time"
fi

# --- (A) certgate's includes vs plain ---------------------------------------------------------
if skipped A; then
  section "(A) certgate includes vs plain baseline"
  echo "  skipped (BENCH_SKIP)"
else
  section "(A) certgate includes vs plain baseline: $devices devices, site admin"
  cg=$work/certgate
  mkdir -p "$cg"
  mkdir -m 700 "$cg/state"
  awk -v n="$devices" -v dir="$cg/out" 'BEGIN {
    print "schema = 1\n\n[ca]\ncommon_name = \"Bench CA\"\n\n[defaults]\np12_profile = \"compat\""
    for (i = 1; i <= n; i++) printf "\n[[device]]\nname = \"d%05d\"\ngroups = [\"staff\"]\n", i
    print "\n[[site]]\nname = \"admin\"\nserver_names = [\"admin.test\"]\nallow_groups = [\"staff\"]"
    printf "\n[nginx]\ndir = \"%s\"\ntest = \"true\"\nreload = \"true\"\n", dir
  }' >"$cg/bench.toml"
  echo "  generating certgate's files once for this run: certgate apply of $devices devices ..."
  t0=$(now_us)
  env -C "$cg" "${certgate_env[@]}" "$certgate" --source "$cg/bench.toml" --state-dir "$cg/state" apply \
    >"$cg/apply.log" 2>&1 || die "certgate apply exited $?" "$cg/apply.log"
  t1=$(now_us)
  echo "  certgate apply: $(calc "($t1 - $t0) / 1000000" 1) s"
  for f in ca.pem crl.pem http.conf sites/admin.conf; do
    [[ -s $cg/out/$f ]] || die "certgate did not write $cg/out/$f" "$cg/apply.log"
  done
  cg_revoked=$(openssl crl -in "$cg/out/crl.pem" -noout -text | grep -c 'Serial Number:' || true)
  echo "  files: http.conf $(kib "$cg/out/http.conf") KiB ($(grep -c '^  "' "$cg/out/http.conf") map entries), sites/admin.conf, crl.pem with $cg_revoked revoked"
  dev=$cg/state/devices/d00001
  start_nginx certgate "  include $cg/out/http.conf;" "    include $cg/out/sites/admin.conf;"
  start_nginx baseline "" "    ssl_verify_client on;
    ssl_client_certificate $cg/out/ca.pem;
    ssl_crl $cg/out/crl.pem;
    ssl_session_cache off;
    ssl_session_tickets off;"
  port_certgate=${port_certgate:?} port_baseline=${port_baseline:?} # set by start_nginx
  expect_get certgate "$port_certgate" "$dev/cert.pem" "$dev/key.pem" '^certgate ok \[200\]$'
  expect_get certgate "$port_certgate" "" "" '\[400\]$'
  expect_get baseline "$port_baseline" "$dev/cert.pem" "$dev/key.pem" '^baseline ok \[200\]$'
  expect_get baseline "$port_baseline" "" "" '\[400\]$'
  negotiated=$(negotiated "$port_certgate" "$dev/cert.pem" "$dev/key.pem")
  echo "  negotiated: $negotiated"
  for ((r = 1; r <= repeat; r++)); do
    echo "  run $r of $repeat"
    for m in "${modes[@]}"; do
      for c in certgate baseline; do
        port_var=port_$c worker_var=worker_$c
        s_time_run "A.$c.$m" "${!port_var}" "$dev/cert.pem" "$dev/key.pem" "$m" "${!worker_var}"
      done
    done
  done
fi

# --- (B) the plain baseline against the CRL size -----------------------------------------------
if skipped B; then
  section "(B) plain baseline against the CRL size"
  echo "  skipped (BENCH_SKIP)"
else
  section "(B) plain baseline against the CRL size: ${crl_sizes[*]} revoked entries"
  ca=$work/ossl-ca
  mkdir -p "$ca"
  ec_key "$ca/ca.key"
  openssl req -x509 -new -key "$ca/ca.key" -out "$ca/ca.pem" -days 365 -subj "/CN=Bench CRL CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$ca/client.ext"
  for who in client revoked; do
    ec_key "$ca/$who.key"
    openssl req -new -key "$ca/$who.key" -subj "/CN=bench-$who" -out "$ca/$who.csr"
    openssl x509 -req -in "$ca/$who.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" -days 30 \
      -set_serial "0x$(openssl rand -hex 16)" -extfile "$ca/client.ext" -out "$ca/$who.pem" 2>/dev/null
  done
  revoked_serial=$(openssl x509 -in "$ca/revoked.pem" -noout -serial | sed 's/^serial=//')
  for size in "${crl_sizes[@]}"; do
    d=$ca/crl-$size
    mkdir -p "$d"
    # index.txt: SIZE 'R' lines with random unique 128-bit serials; the last one is the revoked
    # client certificate's, so the refusal can be checked.
    if ((size > 0)); then
      openssl rand -hex $((size * 16)) | fold -w 32 |
        awk -v OFS='\t' -v n=$((size - 1)) -v last="$revoked_serial" 'NR <= n { print "R", "301231235959Z", "250101000000Z", toupper($0), "unknown", "/CN=fake-" NR }
          END { print "R", "301231235959Z", "250101000000Z", last, "unknown", "/CN=bench-revoked" }' >"$d/index.txt"
    else
      : >"$d/index.txt"
    fi
    [[ $(cut -f4 "$d/index.txt" | sort -u | wc -l) -eq $size ]] || die "duplicate serials in $d/index.txt"
    echo 'unique_subject = no' >"$d/index.txt.attr"
    echo 01 >"$d/crlnumber"
    cat >"$d/openssl.cnf" <<EOF
[ ca ]
default_ca = bench
[ bench ]
database = $d/index.txt
crlnumber = $d/crlnumber
default_md = sha256
default_crl_days = 30
unique_subject = no
EOF
    t0=$(now_us)
    openssl ca -batch -config "$d/openssl.cnf" -gencrl -keyfile "$ca/ca.key" -cert "$ca/ca.pem" \
      -out "$d/crl.pem" >"$d/gencrl.log" 2>&1 || die "openssl ca -gencrl ($size entries) failed" "$d/gencrl.log"
    t1=$(now_us)
    listed=$(openssl crl -in "$d/crl.pem" -noout -text | grep -c 'Serial Number:' || true)
    [[ $listed -eq $size ]] || die "crl.pem for $size lists $listed serials"
    printf -v "crl_kib_$size" %s "$(kib "$d/crl.pem")"
    echo "  CRL with $size revoked: $(kib "$d/crl.pem") KiB, openssl ca -gencrl $(calc "($t1 - $t0) / 1000" 0) ms"
    start_nginx "crl$size" "" "    ssl_verify_client on;
    ssl_client_certificate $ca/ca.pem;
    ssl_crl $d/crl.pem;
    ssl_session_cache off;
    ssl_session_tickets off;"
    port_var=port_crl$size
    expect_get "crl$size" "${!port_var}" "$ca/client.pem" "$ca/client.key" "^crl$size ok \[200\]\$"
    [[ -n $negotiated ]] || negotiated=$(negotiated "${!port_var}" "$ca/client.pem" "$ca/client.key")
    if ((size > 0)); then
      expect_get "crl$size" "${!port_var}" "$ca/revoked.pem" "$ca/revoked.key" '\[400\]$'
    fi
  done
  for ((r = 1; r <= repeat; r++)); do
    echo "  run $r of $repeat"
    for m in "${modes[@]}"; do
      for size in "${crl_sizes[@]}"; do
        port_var=port_crl$size worker_var=worker_crl$size
        s_time_run "B.$size.$m" "${!port_var}" "$ca/client.pem" "$ca/client.key" "$m" "${!worker_var}"
      done
    done
  done
fi

# --- summary ---------------------------------------------------------------------------------
t_end=$(now_us)
section "summary"
echo "median of $repeat runs x ${secs} s each; conn/s = connections per wall second [min-max of the runs];"
echo "conn/user-s = s_time's figure (per second of client CPU); CPU/conn = nginx worker CPU time per connection"
echo "protocol: $negotiated"
if ! skipped A; then
  echo
  echo "(A) nginx $("$nginx" -v 2>&1 | sed 's/^nginx version: nginx\///'): certgate includes for $devices devices vs plain baseline (same CA, same crl.pem: $cg_revoked revoked)"
  printf '  %-10s %-16s %9s %-11s %12s %14s\n' "config" "mode" "conn/s" "[min-max]" "conn/user-s" "CPU/conn (us)"
  for m in "${modes[@]}"; do
    for c in certgate baseline; do
      printf '  %-10s %-16s %9s %-11s %12s %14s\n' "$c" "$(mode_label "$m")" "$(median "A.$c.$m")" \
        "[$(range "A.$c.$m")]" "$(median "A.$c.$m" 3)" "$(median "A.$c.$m" 6)"
    done
  done
  for m in "${modes[@]}"; do
    q=$(ratio "$(median "A.certgate.$m")" "$(median "A.baseline.$m")")
    verdict=$(awk -v q="$q" 'BEGIN { print (q >= 0.95 ? "meets the target >= 0.95" : "BELOW the target 0.95") }')
    printf '  certgate / baseline, %-16s rate %s (%s); nginx CPU/conn %s\n' "$(mode_label "$m"):" "$q" "$verdict" \
      "$(ratio "$(median "A.certgate.$m" 6)" "$(median "A.baseline.$m" 6)")"
  done
fi
if ! skipped B; then
  echo
  echo "(B) plain baseline config against the revoked entries in crl.pem (standalone openssl CA)"
  echo "  rel. = the figure / the ${crl_sizes[0]}-entry figure (conn/s: below 1 is slower; CPU/conn: above 1 is costlier)"
  printf '  %-8s %11s' "" ""
  for m in "${modes[@]}"; do printf ' | %-46s' "$(mode_label "$m")"; done
  echo
  printf '  %-8s %11s' "revoked" "crl.pem"
  for m in "${modes[@]}"; do printf ' | %8s %-11s %5s %13s %5s' "conn/s" "[min-max]" "rel." "CPU/conn (us)" "rel."; done
  echo
  for size in "${crl_sizes[@]}"; do
    kib_var=crl_kib_$size
    printf '  %-8s %7s KiB' "$size" "${!kib_var}"
    for m in "${modes[@]}"; do
      v=$(median "B.$size.$m")
      u=$(median "B.$size.$m" 6)
      printf ' | %8s %-11s %5s %13s %5s' "$v" "[$(range "B.$size.$m")]" \
        "$(ratio "$v" "$(median "B.${crl_sizes[0]}.$m")" | cut -c1-5)" "$u" \
        "$(ratio "$u" "$(median "B.${crl_sizes[0]}.$m" 6)" | cut -c1-5)"
    done
    echo
  done
fi
echo
echo "whole run: $(calc "($t_end - $t_begin) / 1000000" 0) s, without removing the work directory; load average at the end $(loadavg)"
