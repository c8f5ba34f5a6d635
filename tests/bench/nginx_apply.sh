#!/usr/bin/env bash
# certgate with a real nginx at scale: N devices (default 10,000) on S sites (default 20).
#
#   (1) plan, no changes: wall time and peak RSS, median of 5 runs (target < 50 ms, < 64 MiB),
#       with the run cache and without it
#   (2) apply that revokes 1 device, end to end: revoke + CRL, render + write the nginx files,
#       a real `nginx -t` and `nginx -s reload`; split by phase from `certgate -v` timings
#   (3) the same revocation done by hand on the same database, as the seed guides do it:
#       `openssl ca -revoke`, `openssl ca -gencrl`, copy the CRL, `nginx -t`, `nginx -s reload`
#       (no allowlist edit: that step is manual); the ratio certgate / manual
#
# Usage: tests/bench/nginx_apply.sh   (env: N, SITES, CERTGATE, BENCH_KEEP=1)
# nginx runs from a temp prefix on 127.0.0.1 with one worker and is stopped by pid on exit.
set -euo pipefail
N=${N:-10000}
SITES=${SITES:-20}
BENCH_NAME=nginx
source "$(dirname "${BASH_SOURCE[0]}")/lib_nginx_bench.sh"
ngx() { $ngxcmd "$@"; }
write_conf() {  # write_conf 0|1: with 1 the servers include certgate's files
  {
    echo "worker_processes 1; pid $NGX/nginx.pid; events {}"
    echo "http { access_log off; client_body_temp_path $NGX/tmp/b; proxy_temp_path $NGX/tmp/p;"
    echo "fastcgi_temp_path $NGX/tmp/f; uwsgi_temp_path $NGX/tmp/u; scgi_temp_path $NGX/tmp/s;"
    [ "$1" = 1 ] && echo "include $NGX/certgate/http.conf;"
    for s in $(seq "$SITES"); do
      echo "server { listen 127.0.0.1:$port ssl; server_name s$s.test;"
      echo "ssl_certificate $NGX/server.crt; ssl_certificate_key $NGX/server.key;"
      [ "$1" = 1 ] && echo "include $NGX/certgate/sites/site$s.conf;"
      echo "location / { return 200; } }"
    done
    echo "}"
  } >"$NGX/nginx.conf"
}
write_toml() {  # write_toml [REVOKED_DEVICE]
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Bench CA"\n\n'
    for i in $(seq -f '%05g' 1 "$N"); do
      printf '[[device]]\nname = "d%s"\ngroups = ["g%d"]\n' "$i" $((10#$i % SITES))
      [ "d$i" = "${1:-}" ] && printf 'revoked = "keyCompromise"\n'
      printf '\n'
    done
    for s in $(seq "$SITES"); do
      printf '[[site]]\nname = "site%d"\nserver_names = ["s%d.test"]\n' "$s" "$s"
      printf 'allow_groups = ["g%d", "g%d"]\n\n' $((s % SITES)) $(((s + 1) % SITES))
    done
    printf '[nginx]\ndir = "%s"\ntest = "%s -t"\nreload = "%s -s reload"\n' "$NGX/certgate" \
      "$ngxcmd" "$ngxcmd"
  } >"$W/certgate.toml"
}
cg() { "$CERTGATE" --source "$W/certgate.toml" --state-dir "$W/state" "$@"; }

echo "== setup: $N devices, $SITES sites, a real nginx on 127.0.0.1:$port"
write_conf 0
start_nginx
write_toml
t=$(now_ms); cg apply >/dev/null 2>"$W/setup.err"; echo "first apply (CA, $N devices, files): $(($(now_ms) - t)) ms"
write_conf 1
ngx -s reload

echo "== (1) plan with no changes (cached: the run cache answers; uncached: CERTGATE_NO_CACHE=1)"
no_changes() { grep -q '^No changes' "$1"; }
no_change_runs "plan, cached" no_changes "$CERTGATE" --source "$W/certgate.toml" \
  --state-dir "$W/state" plan --detailed-exitcode
no_change_runs "plan, uncached" no_changes env CERTGATE_NO_CACHE=1 "$CERTGATE" \
  --source "$W/certgate.toml" --state-dir "$W/state" plan --detailed-exitcode

echo "== (2) certgate apply revoking 1 of $N"
victim=$(printf 'd%05d' $((N / 2)))
write_toml "$victim"
t=$(now_ms); cg -v apply >"$W/apply.out" 2>"$W/apply.err"; total=$(($(now_ms) - t))
grep -E 'timing' "$W/apply.err" | sed 's/^.*timing /  /'
echo "certgate apply, end to end: $total ms"
nginx_ms=$(grep -o 'nginx_test_ms=[0-9.]* nginx_reload_ms=[0-9.]*' "$W/apply.err" |
  awk -F'[= ]' '{printf "%d", $2 + $4}')
echo "  of which nginx (-t + reload): $nginx_ms ms; target <= nginx + 50 = $((nginx_ms + 50)) ms," \
  "certgate's own $((total - nginx_ms)) ms"
grep -q "revoke  device $victim" "$W/apply.out" || { echo "the revocation was not planned" >&2; exit 1; }

echo "== (3) the same revocation by hand (openssl ca + nginx)"
victim2=$(printf 'd%05d' $((N / 2 + 1)))
serial=$(openssl x509 -in "$W/state/devices/$victim2/cert.pem" -noout -serial | cut -d= -f2)
cnf=$W/state/ca/openssl.cnf
t=$(now_ms)
openssl ca -config "$cnf" -revoke "$W/state/ca/newcerts/$serial.pem" -crl_reason keyCompromise 2>/dev/null
openssl ca -config "$cnf" -gencrl -out "$W/manual.crl" 2>/dev/null
cp "$W/manual.crl" "$NGX/certgate/crl.pem"
ngx -t 2>/dev/null
ngx -s reload
manual=$(($(now_ms) - t))
echo "manual revoke + gencrl + copy + nginx -t + reload: $manual ms"
awk -v a="$total" -v b="$manual" 'BEGIN {printf "ratio certgate / manual: %.2f\n", a / b}'
