#!/usr/bin/env bash
# A two-tier CA with a real nginx: the root made on an "offline" folder (certgate root init, its
# key encrypted), the intermediate's key and CSR made by apply on the agent, which waits (and
# deploys nothing) until the root signed it; then devices are issued, nginx verifies them
# through the chain (ssl_verify_depth 2, ca.pem = intermediate + root, crl.pem = both CRLs),
# curl and a bundle imported into NSS by pk12util get in; a revoked device is refused; a newer
# root CRL is deployed and an older one never; and once the root revokes the intermediate
# (certgate root crl --revoke), every device of it is refused. openssl verify -crl_check_all
# with the chain and both CRLs agrees with nginx at each step.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
OFF=$TMP/offline
cd "$TMP"
nginx_prepare admin admin.test
printf 'root-passphrase-offline\n' >root.pass && chmod 600 root.pass
mkdir -p src/ca

write_toml() {  # write_toml [BOB_EXTRA]
  cat >src/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Agent Issuing CA"
mode = "intermediate"

[[device]]
name = "alice"

[[device]]
name = "bob"
${1:-}

[[site]]
name = "admin"
server_names = ["admin.test"]

$(nginx_toml_section)
TOML
}
cg() { "$CERTGATE" --source src --state-dir "$S" "$@"; }
dev() { echo "--cert $S/devices/$1/cert.pem --key $S/devices/$1/key.pem"; }
chain_verify() {  # chain_verify DEVICE: openssl's verdict with the chain and both CRLs
  openssl verify -crl_check_all -CAfile src/ca/root.crt -untrusted "$S/ca/ca.crt" \
    -CRLfile "$CG_DIR/crl.pem" "$S/devices/$1/cert.pem" 2>&1 || true
}

# The offline root: its key encrypted, a CRL signed at once.
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root init "$OFF" --common-name "Offline Root"
head -1 "$OFF/ca/ca.key" | grep -q ENCRYPTED && ok || bad "the root key is not encrypted"
openssl x509 -in "$OFF/ca/ca.crt" -noout -ext basicConstraints | grep -q 'CA:TRUE' && ok || bad "the root is not a CA"
cp "$OFF/ca/ca.crt" src/ca/root.crt
cp "$OFF/ca/crl.pem" src/ca/root.crl
write_toml
nginx_start

# 1. The intermediate's key and CSR; nothing else is signed or deployed until the root signs.
expect_exit 0 cg apply
expect_grep 'key and CSR for the root to sign' "$TMP/out"
expect_grep 'Apply complete: intermediate key and CSR made \(waiting for the root\), 0 issued' "$TMP/out"
expect_grep 'waiting for the root: sign .*/ca/intermediate.csr' "$TMP/out"
openssl req -in "$S/ca/intermediate.csr" -noout -verify 2>&1 | grep -q 'verify OK' && ok || bad "intermediate.csr does not verify"
[ ! -e "$S/ca/ca.crt" ] && [ ! -e "$CG_DIR/ca.pem" ] && [ ! -e "$S/devices/alice" ] && ok || bad "something was signed or deployed before the root signed"
expect_exit 0 cg plan --detailed-exitcode
expect_grep 'waiting for the root' "$TMP/out"
expect_exit 0 cg status
expect_grep '^CA +waiting for the root to sign STATE/ca/intermediate.csr' "$TMP/out"
# A certificate for another key is refused, loudly, and changes nothing.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
  -subj "/CN=Other" -out other.csr 2>/dev/null
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root sign "$OFF" other.csr --out src/ca/intermediate.crt
expect_exit 0 cg apply
expect_grep 'cannot be installed: ca/intermediate.crt is not for the key of STATE/ca/intermediate.csr' "$TMP/out"
[ ! -e "$S/ca/ca.crt" ] && ok || bad "a certificate for another key was installed"
# The root needs its passphrase.
expect_exit 1 "$CERTGATE" root sign "$OFF" "$S/ca/intermediate.csr" --out src/ca/intermediate.crt
expect_grep 'ca.key is encrypted: give its passphrase' "$TMP/err"

# 2. The root signs; apply installs the intermediate, issues the devices and deploys. CI's plan
# from a snapshot (no state, no secret) shows the same.
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root sign "$OFF" "$S/ca/intermediate.csr" \
  --out src/ca/intermediate.crt
expect_exit 0 cg snapshot --out "$TMP/snap.json"
expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/ci" plan --observed "$TMP/snap.json"
expect_grep '\+ issue +ca +install intermediate Agent Issuing CA' "$TMP/out"
expect_grep '\+ issue +device alice' "$TMP/out"
openssl x509 -in src/ca/intermediate.crt -noout -ext basicConstraints | grep -q 'CA:TRUE, pathlen:0' && ok || bad "the intermediate is not CA:TRUE pathlen:0"
expect_exit 0 cg apply
expect_grep '\+ issue +ca +install intermediate Agent Issuing CA signed by Offline Root' "$TMP/out"
expect_grep 'Apply complete: CA created, 2 issued' "$TMP/out"
[ "$(grep -c 'BEGIN CERTIFICATE' "$CG_DIR/ca.pem")" = 2 ] && ok || bad "ca.pem does not hold the intermediate and the root"
[ "$(grep -c 'BEGIN X509 CRL' "$CG_DIR/crl.pem")" = 2 ] && ok || bad "crl.pem does not hold both CRLs"
expect_grep 'ssl_verify_depth 2;' "$CG_DIR/sites/admin.conf"
nginx_include_certgate
[ "$(curl_status)" != 200 ] && ok || bad "no certificate got in"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice does not get in through the chain"
chain_verify alice | grep -q ': OK$' && ok || bad "openssl does not verify alice: $(chain_verify alice)"

# The root refuses a second intermediate with this one's subject for another key (the gates tell
# intermediates apart by subject), and signs this one's own CSR again (a renewal).
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout twin.key \
  -subj "/CN=Agent Issuing CA" -out twin.csr 2>/dev/null
expect_exit 1 "$CERTGATE" --ca-passphrase-file root.pass root sign "$OFF" twin.csr --out twin.crt
expect_grep 'has the subject "CN=Agent Issuing CA" for another key' "$TMP/err"
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root sign "$OFF" "$S/ca/intermediate.csr" --out resigned.crt

# nginx trusts the root, so a certificate of another intermediate of the same root verifies:
# the gate must not take it for alice's, even with alice's serial and name. It is refused,
# while alice still gets in.
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root sign "$OFF" other.csr --out other-int.crt
alice_serial=$(openssl x509 -in "$S/devices/alice/cert.pem" -noout -serial | cut -d= -f2)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout forged.key \
  -subj "/CN=alice" -out forged.csr 2>/dev/null
printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >leaf.ext
openssl x509 -req -in forged.csr -CA other-int.crt -CAkey other.key -set_serial "0x$alice_serial" \
  -days 30 -extfile leaf.ext -out forged.crt 2>/dev/null
cat forged.crt other-int.crt >forged-chain.pem
[ "$(openssl x509 -in forged.crt -noout -serial | cut -d= -f2)" = "$alice_serial" ] && ok || bad "the forged certificate does not carry alice's serial"
expect_grep 'map \$ssl_client_i_dn \$certgate_issuer' "$CG_DIR/http.conf"
# nginx refuses it in the handshake already (crl.pem has no CRL of that intermediate: 400)...
[ "$(curl_status --cert forged-chain.pem --key forged.key)" = 400 ] && ok || bad "another intermediate's certificate with alice's serial got $(curl_status --cert forged-chain.pem --key forged.key)"
# ...and where the handshake would let it through (its CRL in crl.pem, by hand), the gate
# refuses it (403): the serial maps count only the serials of this intermediate.
touch other-index.txt
cat >other.cnf <<CNF
[ ca ]
default_ca = other
[ other ]
database = $TMP/other-index.txt
crlnumber = $TMP/other-crlnumber
default_md = sha256
default_crl_days = 30
CNF
echo 01 >other-crlnumber
openssl ca -gencrl -config other.cnf -keyfile other.key -cert other-int.crt -out other.crl 2>/dev/null
cp "$CG_DIR/crl.pem" crl.pem.certgate
cat other.crl >>"$CG_DIR/crl.pem"
ngx -s reload && nginx_settle
[ "$(curl_status --cert forged-chain.pem --key forged.key)" = 403 ] && ok || bad "the gate let another intermediate's certificate with alice's serial in: $(curl_status --cert forged-chain.pem --key forged.key)"
cp crl.pem.certgate "$CG_DIR/crl.pem"
ngx -s reload && nginx_settle
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice lost the door to the issuer check"
expect_exit 0 cg plan --detailed-exitcode
expect_exit 0 cg snapshot --out "$TMP/snap.json"
expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/ci" plan --observed "$TMP/snap.json" --detailed-exitcode
[ ! -e "$TMP/ci" ] && ok || bad "plan --observed made a state directory"
# The root's CRL is watched: status, the metrics, and the plan a month before its nextUpdate.
expect_exit 0 cg status
expect_grep 'signed by the root Offline Root' "$TMP/out"
expect_grep '^Root CRL number 1, nextUpdate' "$TMP/out"
expect_exit 0 cg status --json
[ "$(jq -r .root_crl.number "$TMP/out")" = 1 ] && ok || bad "status --json has no root_crl"
expect_exit 0 cg sync --metrics-file "$TMP/metrics.prom"
expect_grep '^certgate_root_crl_next_update_timestamp_seconds [0-9]+$' "$TMP/metrics.prom"
expect_exit 0 cg plan --now "$(date -u -d '+340 days' +%Y-%m-%dT%H:%M:%SZ)"
expect_grep "WARNING: the root's CRL expires on .*certgate root crl ROOT_DIR" "$TMP/out"
expect_exit 0 cg status --now "$(date -u -d '+340 days' +%Y-%m-%dT%H:%M:%SZ)"
expect_grep '^Root CRL .*REFRESH IT' "$TMP/out"
expect_exit 0 cg plan --now "$(date -u -d '+370 days' +%Y-%m-%dT%H:%M:%SZ)"
expect_grep "WARNING: the root's CRL expired on .*nginx refuses every device" "$TMP/out"

# A bundle carries the chain: imported into NSS (what Firefox and Chrome use), exported again,
# the key and certificate open the door.
mkdir nss && certutil -N -d sql:nss --empty-password
expect_exit 0 pk12util -i "$S/devices/alice/bundle.p12" -d sql:nss -w "$S/devices/alice/bundle.pass"
certutil -L -d sql:nss >nss.list
for who in alice 'Agent Issuing CA' 'Offline Root'; do expect_grep "$who" nss.list; done
printf 'x\n' >nss.pass
expect_exit 0 pk12util -o from-nss.p12 -n alice -d sql:nss -w nss.pass
openssl pkcs12 -in from-nss.p12 -passin file:nss.pass -nodes -clcerts -out from-nss.pem 2>/dev/null
[ "$(curl_status --cert from-nss.pem)" = 200 ] && ok || bad "the bundle imported into NSS does not get in"

# 3. A revoked device is refused, by nginx and by openssl, through the intermediate's CRL.
write_toml 'revoked = "keyCompromise"'
expect_exit 0 cg apply
nginx_settle
# shellcheck disable=SC2046
[ "$(curl_status $(dev bob))" != 200 ] && ok || bad "revoked bob still gets in"
chain_verify bob | grep -q 'certificate revoked' && ok || bad "openssl does not see bob revoked"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice lost the door with bob's revocation"

# 4. The root's CRL, refreshed offline, is deployed; an older one is never.
cp src/ca/root.crl root-crl-1.pem
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root crl "$OFF" --out src/ca/root.crl
expect_exit 0 cg apply
expect_grep '~ crl +root crlNumber 1 -> 2' "$TMP/out"
nginx_settle
openssl crl -in src/ca/root.crl -noout -fingerprint >want.fp
awk '/BEGIN X509 CRL/{n++} n==2' "$CG_DIR/crl.pem" | openssl crl -noout -fingerprint | cmp -s - want.fp && ok || bad "the new root CRL is not deployed"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice lost the door with the root CRL refresh"
cp root-crl-1.pem src/ca/root.crl
expect_exit 0 cg plan
expect_grep 'ca/root.crl is CRL number 1 of .*, older than the installed 2: it is not deployed' "$TMP/out"
expect_exit 0 cg plan --detailed-exitcode
cp "$OFF/ca/crl.pem" src/ca/root.crl

# 5. The root revokes the intermediate: every device of it is refused after apply. Without the
# root's passphrase nothing is recorded.
cp "$OFF/ca/index.txt" root-index.before
expect_exit 1 "$CERTGATE" root crl "$OFF" --revoke src/ca/intermediate.crt
cmp -s "$OFF/ca/index.txt" root-index.before && ok || bad "a refused root crl --revoke changed the root's index"
expect_exit 0 "$CERTGATE" --ca-passphrase-file root.pass root crl "$OFF" --revoke src/ca/intermediate.crt --out src/ca/root.crl
expect_grep 'Revoked intermediate "Agent Issuing CA"' "$TMP/out"
expect_exit 0 cg apply
expect_grep 'the root revoked this intermediate' "$TMP/out"
nginx_settle
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" != 200 ] && ok || bad "alice still gets in through a revoked intermediate"
chain_verify alice | grep -q 'error 23 at 1 depth lookup: certificate revoked' && ok || bad "openssl does not see the intermediate revoked: $(chain_verify alice)"

# verify_depth 1 cannot reach the root through the intermediate.
sed -i 's/^server_names = \["admin.test"\]$/&\nverify_depth = 1/' src/certgate.toml
expect_exit 1 cg validate
expect_grep 'verify_depth" must be at least 2 with \[ca\] mode = "intermediate"' "$TMP/err"
# [ca] mode switched back to one tier: nginx still trusts the root in the state, so the gates
# keep telling this intermediate's certificates from any other's, and the plan says why.
sed -i -e '/^verify_depth = 1$/d' -e '/^mode = "intermediate"$/d' src/certgate.toml
expect_exit 0 cg apply
expect_grep 'mode is "self-signed" in \[ca\], but the CA in the state is an intermediate of the root Offline Root' "$TMP/out"
expect_grep 'map \$ssl_client_i_dn \$certgate_issuer' "$CG_DIR/http.conf"
expect_grep 'proxy_set_header X-Client-Serial \$certgate_serial;' "$CG_DIR/sites/admin.proxy.conf"
finish
