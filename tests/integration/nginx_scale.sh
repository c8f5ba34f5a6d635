#!/usr/bin/env bash
# nginx at scale: 10,000 devices allowed on one site. The generated maps load in a real nginx
# (apply's `nginx -t` and reload pass with the map hash sizes certgate sets), and the right
# devices get in: allowed ones at the start, middle and end of the map, not the one outside the
# allowlist. N can be lowered with CERTGATE_SCALE_DEVICES for a quick run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
N=${CERTGATE_SCALE_DEVICES:-10000}
S=$TMP/state
cd "$TMP"
nginx_prepare admin admin.test
{
  printf 'schema = 1\n\n[ca]\ncommon_name = "Scale CA"\n\n'
  printf '[safety]\nmax_revocations = 5\n\n'
  for i in $(seq -f '%05g' 1 $((N - 1))); do
    printf '[[device]]\nname = "d%s"\ngroups = ["staff"]\n\n' "$i"
  done
  printf '[[device]]\nname = "guest"\n\n'
  printf '[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_groups = ["staff"]\n\n'
  nginx_toml_section
} >certgate.toml
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }

nginx_start
start=$(date +%s)
expect_exit 0 cg apply
echo "apply of $N devices: $(($(date +%s) - start)) s"
expect_grep "Apply complete: CA created, $N issued" "$TMP/out"
expect_grep 'nginx reloaded on local' "$TMP/out"
nginx_include_certgate
expect_exit 0 ngx -t
[ "$(grep -c '" 1;  # d' "$CG_DIR/http.conf")" = $((N - 1)) ] && ok || bad "map size"
last=$(printf 'd%05d' $((N - 1)))
for d in d00001 "$(printf 'd%05d' $((N / 2)))" "$last"; do
  got=$(curl_status --cert "$S/devices/$d/cert.pem" --key "$S/devices/$d/key.pem")
  [ "$got" = 200 ] && ok || bad "$d: $got"
  expect_grep "^device=$d groups=staff " "$TMP/body"
done
got=$(curl_status --cert "$S/devices/guest/cert.pem" --key "$S/devices/guest/key.pem")
[ "$got" = 403 ] && ok || bad "guest (not in the allowlist): $got"
# Nothing left to do, and planning 10,000 devices stays quick.
start=$(date +%s%N)
expect_exit 0 cg plan --detailed-exitcode
echo "plan with no changes: $((($(date +%s%N) - start) / 1000000)) ms"
finish
