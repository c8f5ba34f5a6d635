#!/usr/bin/env bash
# After `certgate apply` exits 0, every new connection meets the new configuration. `nginx -s
# reload` returns before the old workers stop accepting, and for about 100 ms a just-revoked
# certificate still got 200 (DESIGN.md section 7); apply waits until new connections to the
# site's probe name the generation it deployed. Nine trials: revoke one device, and at once
# open eight new TLS connections with its certificate: none may get in.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare admin admin.test
TRIALS=9
write_toml() {  # write_toml REVOKED_COUNT
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Race CA"\n\n[safety]\nmax_revocations = 20\n\n'
    for i in $(seq "$TRIALS"); do
      printf '[[device]]\nname = "d%s"\n' "$i"
      [ "$i" -le "$1" ] && printf 'revoked = "keyCompromise"\n'
      printf '\n'
    done
    printf '[[device]]\nname = "keeper"\n\n'
    cat <<TOML
[[site]]
name = "admin"
server_names = ["admin.test"]
probe = "https://127.0.0.1:$NGX_PORT/"

$(nginx_toml_section)
TOML
  } >certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
write_toml 0
nginx_start
expect_exit 0 cg apply  # a first apply before nginx includes the files: it says what to add
nginx_include_certgate
expect_exit 0 cg verify
# A client without a certificate meets nginx's own 400 here (ssl_verify_client on), and even
# that answer names the generation of the files it was loaded from.
curl -sk -D "$TMP/head" -o /dev/null --resolve "admin.test:$NGX_PORT:127.0.0.1" \
  "https://admin.test:$NGX_PORT/" || true
expect_grep '^HTTP/1.1 400' "$TMP/head"
expect_grep "^X-Certgate-Generation: $(sed -n 's/.*Generation "\(.*\)".*/\1/p' "$CG_DIR/http.conf")" "$TMP/head"
# The operator's own http-level header is still sent (a server-level add_header would drop it).
expect_grep '^X-Operator-Header: kept' "$TMP/head"

got_in=0
for i in $(seq "$TRIALS"); do
  cp "$S/devices/d$i/cert.pem" d.crt
  cp "$S/devices/d$i/key.pem" d.key
  write_toml "$i"
  cg apply >"$TMP/apply.out" 2>&1 || { bad "apply of trial $i failed"; cat "$TMP/apply.out" >&2; }
  for _ in 1 2 3 4 5 6 7 8; do
    status=$(curl_status --cert d.crt --key d.key)
    [ "$status" = 200 ] && got_in=$((got_in + 1))
  done
done
[ "$got_in" = 0 ] && ok || bad "a just-revoked certificate got in on $got_in of $((TRIALS * 8)) new connections after apply exited 0"
# shellcheck disable=SC2046
[ "$(curl_status --cert "$S/devices/keeper/cert.pem" --key "$S/devices/keeper/key.pem")" = 200 ] &&
  ok || bad "keeper is locked out"
finish
