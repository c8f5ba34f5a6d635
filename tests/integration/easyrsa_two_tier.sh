#!/usr/bin/env bash
# An easy-rsa 3 two-tier PKI (`build-ca` for the root, `build-ca subca` signed by it with
# `sign-req ca`, clients built and one revoked by the sub-CA) is taken over as it is: its
# database goes into STATE/ca in openssl ca's layout, the root's certificate and CRL and the
# sub-CA's certificate into the source, [ca] mode = "intermediate". certgate recognises its
# certificates (nothing re-issued), keeps its revocation, installs the root with its CRL,
# deploys the chain, and nginx lets the easy-rsa client in while the revoked one and a client
# without a certificate are refused; a new device is signed by the same sub-CA.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare admin admin.test
ER=/usr/share/easy-rsa/easyrsa
export EASYRSA_BATCH=1
easyrsa() { "$ER" "$@" >>"$TMP/easyrsa.log" 2>&1 || { cat "$TMP/easyrsa.log" >&2; bad "easyrsa $*"; }; }
easyrsa --pki-dir="$TMP/root" init-pki
EASYRSA_REQ_CN="Home Root" easyrsa --pki-dir="$TMP/root" build-ca nopass
easyrsa --pki-dir="$TMP/sub" init-pki
EASYRSA_REQ_CN="Home Sub CA" easyrsa --pki-dir="$TMP/sub" build-ca nopass subca
easyrsa --pki-dir="$TMP/root" import-req "$TMP/sub/reqs/ca.req" sub
easyrsa --pki-dir="$TMP/root" sign-req ca sub
cp root/issued/sub.crt sub/ca.crt
easyrsa --pki-dir="$TMP/sub" build-client-full laptop nopass
easyrsa --pki-dir="$TMP/sub" build-client-full old-phone nopass
easyrsa --pki-dir="$TMP/sub" revoke old-phone
easyrsa --pki-dir="$TMP/sub" gen-crl
easyrsa --pki-dir="$TMP/root" gen-crl

# The take-over: the sub-CA's database in openssl ca's layout, the public files in the source.
mkdir -p "$S/ca/newcerts" src/ca && chmod 700 "$S" "$S/ca"
cp sub/private/ca.key "$S/ca/ca.key" && chmod 600 "$S/ca/ca.key"
cp sub/ca.crt sub/index.txt sub/serial sub/crl.pem "$S/ca/"
cp sub/certs_by_serial/*.pem "$S/ca/newcerts/"
cp root/ca.crt src/ca/root.crt
cp root/crl.pem src/ca/root.crl
cp sub/ca.crt src/ca/intermediate.crt
cat >src/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Home Sub CA"
mode = "intermediate"
key = "rsa-2048"                    # easy-rsa's default, for its CAs and its clients

[defaults]
key = "rsa-2048"

[[device]]
name = "laptop"

$(nginx_toml_section)

[[site]]
name = "admin"
server_names = ["admin.test"]
TOML
cg() { "$CERTGATE" --source src --state-dir "$S" "$@"; }
laptop=$(openssl x509 -in sub/issued/laptop.crt -noout -serial | cut -d= -f2)

expect_exit 0 cg plan
expect_grep '~ crl +root crlNumber none -> .*' "$TMP/out"
if grep -qE '\+ issue +(device|ca)' "$TMP/out"; then bad "the take-over re-issues"; cat "$TMP/out" >&2; else ok; fi
nginx_start
expect_exit 0 cg apply
cmp -s "$S/ca/root.crt" root/ca.crt && ok || bad "the root was not installed"
[ "$(grep -c 'BEGIN CERTIFICATE' "$CG_DIR/ca.pem")" = 2 ] && ok || bad "ca.pem is not the chain"
[ "$(grep -c 'BEGIN X509 CRL' "$CG_DIR/crl.pem")" = 2 ] && ok || bad "crl.pem does not hold both CRLs"
grep -q "\"$laptop\" 1;" "$CG_DIR/http.conf" && ok || bad "the easy-rsa laptop is not the device's certificate"
nginx_include_certgate
[ "$(curl_status --cert sub/issued/laptop.crt --key sub/private/laptop.key)" = 200 ] && ok || bad "the easy-rsa laptop does not get in"
[ "$(curl_status --cert sub/revoked/certs_by_serial/*.crt --key sub/revoked/private_by_serial/*.key)" != 200 ] && ok || bad "the revoked easy-rsa client gets in"
[ "$(curl_status)" != 200 ] && ok || bad "no certificate gets in"
expect_exit 0 cg plan --detailed-exitcode

# A new device, signed by the same sub-CA, verified through the chain and both CRLs.
sed -i 's/^name = "laptop"$/&\n\n[[device]]\nname = "tablet"/' src/certgate.toml
expect_exit 0 cg apply
expect_grep 'Apply complete: 1 issued' "$TMP/out"
nginx_settle
[ "$(curl_status --cert "$S/devices/tablet/cert.pem" --key "$S/devices/tablet/key.pem")" = 200 ] && ok || bad "the new tablet does not get in"
expect_exit 0 openssl verify -crl_check_all -CAfile root/ca.crt -untrusted sub/ca.crt \
  -CRLfile "$CG_DIR/crl.pem" "$S/devices/tablet/cert.pem" sub/issued/laptop.crt
finish
