#!/usr/bin/env bash
# A failing `nginx -t` with a real nginx: apply exits 1 with nginx's own error, the previous
# files stay byte-identical, nginx is not reloaded and keeps serving; once the cause is fixed,
# the next apply converges. Also: a site without public paths refuses a client without a
# certificate during the handshake (ssl_verify_client on: 400), and a deleted site's files go.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare wiki wiki.test

write_toml() {  # write_toml EXTRA
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Rollback CA"

[[device]]
name = "alice"

[[site]]
name = "wiki"
server_names = ["wiki.test"]

$1

$(nginx_toml_section)
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }

write_toml ""
nginx_start
expect_exit 0 cg apply
nginx_include_certgate
[ "$(curl_status)" = 400 ] && ok || bad "no certificate on a site without public paths: $(curl_status)"
alice=(--cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")
[ "$(curl_status "${alice[@]}")" = 200 ] && ok || bad "alice before"

# The operator's own config now clashes with certgate's (a second `log_format certgate`), and
# a new device changes certgate's files: nginx -t fails.
cp -a "$CG_DIR" before
NGX_EXTRA_SERVERS="log_format certgate '\$remote_addr';"
nginx_write_conf 1
write_toml $'[[device]]\nname = "bob"'
expect_exit 1 cg apply
expect_grep 'nginx test .* failed \(exit 1\); the previous files are restored and nginx was not reloaded' "$TMP/err"
expect_grep 'duplicate "log_format" name "certgate"' "$TMP/err"
diff -r before "$CG_DIR" >/dev/null && ok || bad "files differ after the failed test: $(diff -r before "$CG_DIR" | head -5)"
[ ! -e "$CG_DIR/.certgate-previous" ] && ok || bad "previous versions left behind"
[ "$(curl_status "${alice[@]}")" = 200 ] && ok || bad "nginx stopped serving alice"
kill -0 "$NGX_PID" && ok || bad "nginx died"
# The PKI part is done and kept; the plan still wants the files.
expect_exit 2 cg plan --detailed-exitcode
expect_grep 'file +local:.*/http.conf' "$TMP/out"

# Fixed: the next apply converges and bob gets in.
NGX_EXTRA_SERVERS=""
nginx_write_conf 1
expect_exit 0 cg apply
nginx_settle
bob=(--cert "$S/devices/bob/cert.pem" --key "$S/devices/bob/key.pem")
[ "$(curl_status "${bob[@]}")" = 200 ] && ok || bad "bob after the fix"
expect_exit 0 cg plan --detailed-exitcode

# A second site comes and goes: its generated files are removed, nothing else is touched.
echo "server_tokens off;" >"$CG_DIR/sites/operator-notes.conf"
write_toml $'[[device]]\nname = "bob"\n\n[[site]]\nname = "extra"\nserver_names = ["extra.test"]'
expect_exit 0 cg apply
[ -f "$CG_DIR/sites/extra.conf" ] && ok || bad "extra.conf not written"
write_toml $'[[device]]\nname = "bob"'
expect_exit 2 cg plan --detailed-exitcode
expect_grep 'sites/extra.conf +\(remove\)' "$TMP/out"
expect_exit 0 cg apply
[ ! -e "$CG_DIR/sites/extra.conf" ] && ok || bad "extra.conf left behind"
[ -f "$CG_DIR/sites/operator-notes.conf" ] && ok || bad "the operator's own file was removed"
finish
