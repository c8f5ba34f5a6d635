#!/usr/bin/env bash
# Every refusal is a page a browser shows (DESIGN.md section 3), on an nginx whose http{} sets
# Debian's stock `default_type application/octet-stream`: no certificate, a device the site does
# not allow, a valid certificate of no device, a revoked, an expired and a foreign-CA certificate
# each get their status (403 from the gate, 400 where nginx rejects the certificate), a
# `text/html; charset=utf-8` body saying what happened, and the headers of the operator's
# config; the location-level gate answers the same, and the operator's error_page lines still
# work. Then headless Chromium with the bundles in NSS renders the allowed page and each
# refusal page, not an error.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
source "$(dirname "$0")/lib_chromium.sh"
trap 'chromium_policy_remove; nginx_stop; cleanup' EXIT
S=$TMP/state
cd "$TMP"
NGX_HTTP_PRE='include /etc/nginx/mime.types; default_type application/octet-stream;'
# A backend that answers with an HTML page, as the applications behind a gate do.
NGX_NO_BACKEND=1
# shellcheck disable=SC2016  # $http_x_client_device is nginx's
NGX_BACKEND_SERVER="server { listen 127.0.0.1:$NGX_BACKEND; location / {
  default_type \"text/html; charset=utf-8\";"'
  return 200 "<!doctype html><title>in</title><p>Welcome, $http_x_client_device.</p>\n"; } }'
NGX_EXTRA_SERVERS=$NGX_BACKEND_SERVER
nginx_prepare admin admin.test
CHROMIUM_HOSTS="admin.test vault.test"

write_toml() {  # write_toml RITA_EXTRA PROBE_LINE
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Pages CA"

[safety]
max_revocations = 1

[[device]]
name = "alice"
groups = ["admins"]

[[device]]
name = "bob"

[[device]]
name = "rita"
groups = ["admins"]
$1

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]
public_paths = ["/healthz"]
$2

[[site]]
name = "vault"
server_names = ["vault.test"]
allow_devices = ["alice"]
$2

$(nginx_toml_section)
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
dev() { echo "--cert $S/devices/$1/cert.pem --key $S/devices/$1/key.pem"; }

# The first apply has no probe to check: nginx.conf does not include the files yet, and
# checking an open door takes a while (nginx_gate.sh does).
write_toml "" ""
nginx_start
expect_exit 0 cg apply
# The operator's own: a charset, a server-level error_page with its page, a location of
# theirs that includes the gate, and a rewrite before certgate's include (it skips the
# server-level gate, so only the location-level one refuses /bypass/).
NGX_SERVER_PRE="charset koi8-r;
    rewrite ^/bypass/(.*)\$ /\$1 last;
    error_page 404 /operator-404.html;
    location = /operator-404.html { return 404 \"operator 404 page\"; }
    location /missing/ { include $CG_DIR/sites/admin.proxy.conf; return 404; }"
# vault: no public path, so ssl_verify_client on, and nginx itself refuses a client without a
# certificate (496).
NGX_EXTRA_SERVERS="$NGX_BACKEND_SERVER
  server { listen 127.0.0.1:$NGX_PORT ssl; server_name vault.test;
    ssl_certificate $NGX/server.crt; ssl_certificate_key $NGX/server.key;
    include $CG_DIR/sites/vault.conf;
    location / { include $CG_DIR/sites/vault.proxy.conf; proxy_pass http://127.0.0.1:$NGX_BACKEND; } }"
nginx_include_certgate
cp "$S/devices/rita/bundle.p12" rita.p12
cp "$S/devices/rita/bundle.pass" rita.pass
cp "$S/devices/rita/cert.pem" rita.crt
cp "$S/devices/rita/key.pem" rita.key
PROBE="probe = \"https://127.0.0.1:$NGX_PORT/\""
write_toml 'revoked = "keyCompromise"' "$PROBE"
expect_exit 0 cg apply
expect_exit 0 cg verify
expect_grep '^  no certificate +refused \(403\)' "$TMP/out"

# Certificates certgate did not issue, made with openssl: a valid one of this CA that no map
# names, an expired one of this CA, one of a foreign CA, one of a CA that copies this CA's name
# (Chromium offers only certificates whose issuer name the server asks for), a self-signed one.
client_csr() { openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -subj "/CN=${2:-$1}" -keyout "$1.key" -out "$1.csr" 2>/dev/null; }
# Its CN is no name certgate gives a device: the page names no one.
client_csr stray "Stray Device"
openssl x509 -req -in stray.csr -CA "$S/ca/ca.crt" -CAkey "$S/ca/ca.key" -days 2 \
  -set_serial "0x$(openssl rand -hex 12)" -out stray.crt 2>/dev/null
client_csr expired
mkdir -p xca/db && touch xca/db/index.txt && openssl rand -hex 12 >xca/db/serial
echo 01 >xca/db/crlnumber
cat >xca/ca.cnf <<CNF
[ca]
default_ca = x
[x]
database = xca/db/index.txt
serial = xca/db/serial
crlnumber = xca/db/crlnumber
new_certs_dir = xca/db
certificate = $S/ca/ca.crt
private_key = $S/ca/ca.key
default_md = sha256
policy = p
[p]
commonName = supplied
CNF
openssl ca -config xca/ca.cnf -batch -notext -in expired.csr -out expired.crt \
  -startdate 20200101000000Z -enddate 20200201000000Z 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj "/CN=Foreign CA" -keyout foreign-ca.key -out foreign-ca.crt 2>/dev/null
client_csr foreign
openssl x509 -req -in foreign.csr -CA foreign-ca.crt -CAkey foreign-ca.key -days 2 \
  -set_serial 0x01 -out foreign.crt 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out impostor-ca.key
# The same subject, byte for byte, under another key.
openssl x509 -in "$S/ca/ca.crt" -signkey impostor-ca.key -days 2 -out impostor-ca.crt 2>/dev/null
client_csr impostor
openssl x509 -req -in impostor.csr -CA impostor-ca.crt -CAkey impostor-ca.key -days 2 \
  -set_serial 0x02 -out impostor.crt 2>/dev/null
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=selfie" \
  -keyout selfie.key -out selfie.crt 2>/dev/null
for c in stray expired foreign impostor selfie; do
  [ -s "$c.crt" ] && ok || bad "openssl made no $c.crt"
done

# page WHAT STATUS TEXT [CURL ARGS...]: the answer (to $CURL_PATH on $NGX_SERVER_NAME) has STATUS,
# is text/html in UTF-8, says TEXT, carries the operator's and certgate's headers, and names no
# server software.
page() {
  local what=$1 want=$2 text=$3 got
  shift 3
  got=$(curl_status -D "$TMP/head" "$@")
  [ "$got" = "$want" ] && ok || bad "$what: HTTP $got, want $want"
  if grep -qix 'content-type: text/html; charset=utf-8.' "$TMP/head"; then ok; else
    bad "$what: $(grep -i '^content-type' "$TMP/head" || echo 'no Content-Type')"
  fi
  if grep -qF -- "<p>$text</p>" "$TMP/body"; then ok; else
    bad "$what: no \"$text\" in the body"
    sed -n '1,5s/^/  | /p' "$TMP/body" >&2
  fi
  expect_grep '^X-Operator-Header: kept' "$TMP/head"
  expect_grep '^X-Certgate-Generation: [0-9a-f]{16}' "$TMP/head"
  if grep -qi 'nginx' "$TMP/body"; then bad "$what: the page names nginx"; else ok; fi
}
NONE="A client certificate of this site's CA is required. Ask the administrator for a certificate."
page "no certificate" 403 "$NONE"
CURL_PATH=/logo.png page "no certificate, /logo.png" 403 "$NONE"  # not image/png
# shellcheck disable=SC2046
page "bob" 403 "bob is not allowed on admin." $(dev bob)
page "a valid certificate of no device" 403 "This certificate is not allowed here." \
  --cert stray.crt --key stray.key
page "revoked rita" 400 "This certificate has been revoked." --cert rita.crt --key rita.key
page "expired" 400 "This certificate has expired." --cert expired.crt --key expired.key
page "foreign CA" 400 "This certificate was not issued by this site's CA." \
  --cert foreign.crt --key foreign.key
page "a CA with this CA's name" 400 "This certificate was not issued by this site's CA." \
  --cert impostor.crt --key impostor.key
page "self-signed" 400 "This certificate was not issued by this site's CA." \
  --cert selfie.crt --key selfie.key
NGX_SERVER_NAME=vault.test page "no certificate on vault (496)" 400 "$NONE"
# shellcheck disable=SC2046
NGX_SERVER_NAME=vault.test page "bob on vault" 403 "bob is not allowed on vault." $(dev bob)
# The location-level gate, reached past the server-level one by the operator's rewrite.
CURL_PATH=/bypass/x page "no certificate, location gate" 403 "$NONE"
# shellcheck disable=SC2046
CURL_PATH=/bypass/x page "bob, location gate" 403 "bob is not allowed on admin." $(dev bob)
# The logged status is the one sent, never certgate's 490.
expect_grep '"GET /logo.png HTTP/1.1" 403 verify=NONE' "$NGX/access.log"
if grep -q '" 490 ' "$NGX/access.log"; then bad "a 490 was logged"; else ok; fi

# Allowed devices get the application's page, and the operator's error_page still answers in a
# location that includes the gate and in the server.
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice: $(curl_status $(dev alice))"
expect_grep 'Welcome, alice' "$TMP/body"
# shellcheck disable=SC2046
[ "$(NGX_SERVER_NAME=vault.test curl_status $(dev alice))" = 200 ] && ok || bad "alice on vault"
# shellcheck disable=SC2046
[ "$(CURL_PATH=/missing/x curl_status $(dev alice))" = 404 ] && ok || bad "alice /missing/x"
expect_grep '^operator 404 page$' "$TMP/body"
[ "$(CURL_PATH=/healthz curl_status)" = 200 ] && ok || bad "/healthz without a certificate"

# A CRL past its nextUpdate refuses every certificate (DESIGN.md section 7); the page says the
# site cannot check, not that the device did wrong. Put in place by hand, then put back.
openssl ca -config xca/ca.cnf -gencrl -crl_lastupdate 20200101000000Z \
  -crl_nextupdate 20200102000000Z -out stale.crl 2>/dev/null
cp "$CG_DIR/crl.pem" good.crl
cp stale.crl "$CG_DIR/crl.pem.new" && mv "$CG_DIR/crl.pem.new" "$CG_DIR/crl.pem"
ngx -s reload
nginx_settle
# shellcheck disable=SC2046
page "alice with an expired CRL" 400 "This site cannot check certificates at the moment. Tell the administrator." $(dev alice)
cp good.crl "$CG_DIR/crl.pem.new" && mv "$CG_DIR/crl.pem.new" "$CG_DIR/crl.pem"
ngx -s reload
nginx_settle
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice once the CRL is back"

# A real browser: the bundles certgate made, imported into NSS, presented by policy.
render() {  # render PROFILE URL TEXT
  chromium_dump "$1" "$2"
  expect_rendered "$1" "$3"
}
if chromium_policy_install "Pages CA" "https://admin.test:$NGX_PORT" "https://vault.test:$NGX_PORT"; then
  chromium_profile alice "$S/devices/alice/bundle.p12" "$(cat "$S/devices/alice/bundle.pass")"
  chromium_profile bob "$S/devices/bob/bundle.p12" "$(cat "$S/devices/bob/bundle.pass")"
  chromium_profile rita rita.p12 "$(cat rita.pass)"
  chromium_profile none
  for c in stray expired foreign impostor; do
    openssl pkcs12 -export -in "$c.crt" -inkey "$c.key" -out "$c.p12" -passout pass:test-pass
    chromium_profile "$c" "$c.p12" test-pass
  done
  A=https://admin.test:$NGX_PORT/
  render alice "$A" "Welcome, alice."
  render none "$A" "$NONE"
  render bob "$A" "bob is not allowed on admin."
  render stray "$A" "This certificate is not allowed here."
  render rita "$A" "This certificate has been revoked."
  render impostor "$A" "This certificate was not issued by this site's CA."
  # Chromium never offers an expired certificate (net/ssl/client_cert_store_nss.cc), nor one
  # whose issuer the server does not name: both arrive without one.
  render expired "$A" "$NONE"
  render foreign "$A" "$NONE"
  chromium_profile none-vault
  render none-vault "https://vault.test:$NGX_PORT/" "$NONE"
  chromium_policy_remove
fi
[ -e "$CHROMIUM_POLICY_FILE" ] && bad "the policy file is left behind" || ok
finish
