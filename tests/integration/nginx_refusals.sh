#!/usr/bin/env bash
# "Refused" means nothing is deployed, and what nginx runs agrees with what is on disk after
# every failure. With a real nginx:
# - files certgate did not write in [nginx].dir are not overwritten: the plan is refused;
# - a plan refused by the mass-revocation guard deploys none of its files (it also opened the
#   whole site), but a CRL that is due is signed and deployed alone;
# - a desired state that does not parse changes nothing, yet the due CRL still reaches nginx;
# - a due CRL also takes revoked serials out of the deployed gate maps;
# - a reload command that reloads and then exits 1: apply restores the files and reloads again,
#   so a later plain reload (a certbot hook) changes nothing; a reload that fails without
#   reloading leaves the old files on both sides; the next good apply converges.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare nas nas.test
RELOAD="nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload"

# write_toml DEVICES SITE_EXTRA [RELOAD]: the CRL is due two seconds after it is signed.
write_toml() {
  {
    cat <<TOML
schema = 1

[ca]
common_name = "Refusals CA"
crl_validity = "2h"
crl_refresh_before = "7198s"

[safety]
max_revocations = 1

TOML
    for d in $1; do printf '[[device]]\nname = "%s"\n\n' "$d"; done
    cat <<TOML
[[site]]
name = "nas"
server_names = ["nas.test"]
allow_devices = ["alice"]
probe = "https://127.0.0.1:$NGX_PORT/"
$2

[nginx]
dir = "$CG_DIR"
test = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t"
reload = "${3:-$RELOAD}"
TOML
  } >certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
dev() { echo "--cert $S/devices/$1/cert.pem --key $S/devices/$1/key.pem"; }
crl_number() { openssl crl -in "$CG_DIR/crl.pem" -noout -crlnumber | cut -d= -f2; }
sums() { (cd "$CG_DIR" && sha256sum http.conf sites/nas.conf sites/nas.proxy.conf ca.pem); }

write_toml "alice bob carol dave" ""
nginx_start
# 0. Files of the operator's own where certgate would write: refused, named, left as they are.
mkdir -p "$CG_DIR"
echo 'map $host $mine { default 1; }' >"$CG_DIR/http.conf"
cp "$NGX/server.crt" "$CG_DIR/ca.pem"
(cd "$CG_DIR" && sha256sum http.conf ca.pem) >foreign.sums
expect_exit 1 cg apply
expect_grep "$CG_DIR/http.conf on local was not written by certgate" "$TMP/err"
expect_grep "$CG_DIR/ca.pem on local was not written by certgate" "$TMP/err"
expect_grep "mv $CG_DIR/http.conf $CG_DIR/http.conf.orig" "$TMP/err"
(cd "$CG_DIR" && sha256sum -c --quiet "$TMP/foreign.sums") && ok || bad "foreign files were changed"
[ -e "$CG_DIR/crl.pem" ] && bad "a refused first apply deployed crl.pem" || ok
rm "$CG_DIR/http.conf" "$CG_DIR/ca.pem"
expect_exit 0 cg apply  # the first apply: nginx does not include the files yet, it says what to add
nginx_include_certgate
expect_exit 0 cg apply
expect_exit 0 cg verify
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice before"

# 1. Two deletions over max_revocations = 1, and the whole site made public: refused. None of
# its files is deployed, and the due CRL is refreshed alone.
sums >before.sums
crl_before=$(crl_number)
sleep 3
write_toml "alice dave" 'public_paths = ["/"]'
expect_exit 1 cg apply
expect_grep 'refused: ' "$TMP/err"
expect_grep '^Refreshed the CRL only: CRL [0-9]+, deployed to local' "$TMP/out"
sums | cmp -s - before.sums && ok || bad "a refused plan changed the nginx files: $(sums | diff before.sums - || true)"
[ "$(crl_number)" != "$crl_before" ] && ok || bad "the due CRL was not deployed after a refusal"
nginx_settle
[ "$(curl_status)" = 400 ] && ok || bad "no certificate after the refused public_paths: $(curl_status)"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice after the refusal"
expect_exit 0 openssl crl -in "$CG_DIR/crl.pem" -CAfile "$CG_DIR/ca.pem" -noout
# state.json knows what the guard deployed: the next plan takes crl.pem for no hand edit.
cg plan >"$TMP/plan.out" 2>&1 || true
if grep -q 'crl.pem.*edited by hand' "$TMP/plan.out"; then bad "the guard's CRL reads as drift"; else ok; fi

# 2. A typo: nothing of the file is applied, but the due CRL is signed and deployed.
sleep 3
write_toml "alice bob carol dave" ""
sed -i 's/^schema = 1/schema = 1\n[ca/' certgate.toml
crl_before=$(crl_number)
expect_exit 1 cg apply
expect_grep 'certgate.toml:[0-9]+:[0-9]+: error' "$TMP/err"
expect_grep '^Refreshed the CRL only: CRL [0-9]+, deployed to local' "$TMP/out"
[ "$(crl_number)" != "$crl_before" ] && ok || bad "a typo stopped the CRL refresh"
sums | cmp -s - before.sums && ok || bad "a typo changed the nginx files"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice after the typo"

# 3. Revoke dave through a reload that reloads and then exits 1, every time: the files come
# back and nginx is reloaded with them; a later plain reload changes nothing.
write_toml "alice bob carol dave" 'allow_devices = ["alice", "dave"]'
sed -i 's/^allow_devices = \["alice"\]$//' certgate.toml
expect_exit 0 cg apply
cp "$S/devices/dave/cert.pem" dave.crt
cp "$S/devices/dave/key.pem" dave.key
dave() { curl_status --cert dave.crt --key dave.key; }
[ "$(dave)" = 200 ] && ok || bad "dave allowed"
write_toml "alice bob carol dave" 'allow_devices = ["alice", "dave"]' "$RELOAD; exit 1"
sed -i 's/^allow_devices = \["alice"\]$//' certgate.toml
sed -i 's/^name = "dave"$/name = "dave"\nrevoked = "keyCompromise"/' certgate.toml
sums >before.sums
expect_exit 1 cg apply
expect_grep 'reloading nginx with the restored files failed too' "$TMP/err"
sums | cmp -s - before.sums && ok || bad "the files were not restored after the failed reload"
nginx_settle
a=$(dave)
ngx -s reload
nginx_settle
b=$(dave)
[ "$a" = "$b" ] && ok || bad "nginx ran other files than the disk held: dave got $a, then $b after a plain reload"

# The same reload failing once only: the second reload, with the restored files, succeeds.
cat >reload-once.sh <<SH
#!/bin/sh
$RELOAD
[ -e $TMP/reloaded-once ] && exit 0
touch $TMP/reloaded-once
exit 1
SH
chmod +x reload-once.sh
sed -i "s|^reload = .*|reload = \"$TMP/reload-once.sh\"|" certgate.toml
expect_exit 1 cg apply
expect_grep 'nginx was reloaded again with the restored files' "$TMP/err"
sums | cmp -s - before.sums && ok || bad "the files were not restored after the failed reload"

# A reload that fails without reloading: the old files on disk and in nginx.
sed -i 's|^reload = .*|reload = "false"|' certgate.toml
expect_exit 1 cg apply
sums | cmp -s - before.sums && ok || bad "the files were not restored after a reload that did nothing"

a=$(dave)
ngx -s reload
nginx_settle
b=$(dave)
[ "$a" = "$b" ] && ok || bad "after a reload that did nothing: dave got $a, then $b"

# 4. Now a typo: the guard brings dave's revocation, whose deploys all failed, to nginx, on the
# CRL and out of the gate maps too (a resumed TLS session skips the CRL, not the gate).
# First one more apply whose deploy fails, at a test that fails once: it records a working
# test and reload for the guard, and leaves dave in the deployed maps.
cat >test-once.sh <<SH
#!/bin/sh
[ -e $TMP/tested-once ] && exec nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t
touch $TMP/tested-once
exit 1
SH
chmod +x test-once.sh
sed -i "s|^reload = .*|reload = \"$RELOAD\"|; s|^test = .*|test = \"$TMP/test-once.sh\"|" certgate.toml
expect_exit 1 cg apply
cp certgate.toml good.toml
grep -q '# dave$' "$CG_DIR/http.conf" && ok || bad "dave should still be in the deployed maps"
echo '[ca' >>certgate.toml
expect_exit 1 cg apply
expect_grep '^(Refreshed the CRL only: CRL [0-9]+, deployed|Deployed the CRL only) to local' "$TMP/out"
if grep -q '# dave$' "$CG_DIR/http.conf"; then bad "the guard left revoked dave in the gate maps"; else ok; fi
grep -q '# alice$' "$CG_DIR/http.conf" && ok || bad "the guard took alice out of the maps"
nginx_settle
[ "$(dave)" = 400 ] && ok || bad "dave after the guard: $(dave)"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice after the guard"
cp good.toml certgate.toml

# With a working reload the next apply converges: dave is out.
expect_exit 0 cg apply
nginx_settle
[ "$(dave)" = 400 ] && ok || bad "dave after the converging apply: $(dave)"
if grep -q '# dave$' "$CG_DIR/http.conf"; then bad "dave is still in http.conf"; else ok; fi
finish
