#!/usr/bin/env bash
# A device's life on a real nginx whose http{} sets Debian's `default_type
# application/octet-stream` (DESIGN.md section 3, "Device lifecycle"), with validities of
# minutes so that a renewal really happens:
#   1. pickup through the gate: a device outside the site's allowlist reaches its own bundle,
#      profile and certificate, and no spelling of a request gets it another device's file;
#      no certificate gets none; DIR/pickup is 0750 and its files 0640 with worker_group;
#   2. renewal: the predecessor keeps getting 200 and stays off the CRL; with it the device
#      fetches its renewed bundle, which holds the new certificate under the same password; a
#      CSR device picks up its re-signed certificate, for its own key;
#   3. first enrollment: `certgate enroll` prints a link that works without a certificate, whose
#      .p12 opens with the password and whose .mobileconfig parses (plistlib) with that bundle
#      inside; a guessed token and a cancelled link get the dead-link page; the token is in no
#      plan, log line or state.json;
#   4. revocation ends both certificates of a renewed device, and its files leave DIR/pickup;
#   5. an expired link (faketime: the last apply) gets the dead-link page.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
CHROMIUM_HOSTS=admin.test
source "$(dirname "$0")/lib_chromium.sh"
S=$TMP/state
cd "$TMP"
NGX_HTTP_PRE='include /etc/nginx/mime.types; default_type application/octet-stream;'
nginx_prepare admin admin.test
P=/.well-known/certgate/
# nginx's workers: nobody/nogroup under a root master without `user`, else our own group.
GROUP=$(id -gn)
[ "$(id -u)" = 0 ] && GROUP=nogroup
# The workers reach DIR/pickup through the temp dir (mktemp makes it 0700); its files they read
# as members of $GROUP only.
chmod 711 "$TMP"
mkdir csr
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout carol.key \
  -subj "/CN=carol" -out csr/carol.csr 2>/dev/null

write_toml() {  # write_toml ALICE_EXTRA
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Pickup CA"

[defaults]
validity = "300s"
renew_before = "290s"

[safety]
max_revocations = 1

[[device]]
name = "alice"
groups = ["admins"]
$1

[[device]]
name = "bob"

[[device]]
name = "carol"
groups = ["admins"]
csr = "csr/carol.csr"

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]

[enroll]
site = "admin"
link_validity = "1h"

$(nginx_toml_section)
worker_group = "$GROUP"
access_log = "$NGX/access.log"
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
get() {  # get OUT PATH [CURL ARGS...]: the status; the body in OUT, the headers in OUT.h
  local out=$1 path=$2
  shift 2
  curl -sk -o "$out" -D "$out.h" -w '%{http_code}' --max-time 10 \
    --resolve "admin.test:$NGX_PORT:127.0.0.1" "$@" "https://admin.test:$NGX_PORT$path" || true
}
with() { echo "--cert $1.crt --key $1.key"; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }
p12_cert() {  # p12_cert BUNDLE PASSFILE OUT: the certificate inside, or fails
  openssl pkcs12 -in "$1" -passin "file:$2" -nokeys -clcerts 2>/dev/null |
    openssl x509 -out "$3" 2>/dev/null
}
p12_key() { openssl pkcs12 -in "$1" -passin "file:$2" -nocerts -nodes 2>/dev/null >"$3"; }
# The device's bundle as its owner imported it: certificate and key files for curl.
import() {  # import DEVICE AS
  cp "$S/devices/$1/bundle.pass" "$2.pass"
  p12_cert "$S/devices/$1/bundle.p12" "$2.pass" "$2.crt" && p12_key "$S/devices/$1/bundle.p12" \
    "$2.pass" "$2.key"
}

write_toml ""
nginx_start
expect_exit 0 cg apply
# The operator hands 404s and 405s to the application, as many configs do: a pickup that finds
# no file, or a POST, must still not reach the upstream past the allowlist.
NGX_SERVER_PRE="error_page 404 405 = @app;
    location @app { include $CG_DIR/sites/admin.proxy.conf; proxy_pass http://127.0.0.1:$NGX_BACKEND; }"
nginx_include_certgate
import alice alice1
import bob bob
cp "$S/devices/carol/cert.pem" carol1.crt
cp carol.key carol1.key

# 1. Pickup through the gate.
[ "$(get body / $(with alice1))" = 200 ] && ok || bad "alice is not let in"
[ "$(get body / $(with bob))" = 403 ] && ok || bad "bob, not in the allowlist, got in"
[ "$(get bob.p12 ${P}bundle.p12 $(with bob))" = 200 ] && ok || bad "bob cannot pick up his bundle"
cmp -s bob.p12 "$S/devices/bob/bundle.p12" && ok || bad "bob's pickup is not his bundle"
expect_grep '^[Cc]ontent-[Tt]ype: application/x-pkcs12' bob.p12.h
[ "$(get bob.pem ${P}cert.pem $(with bob))" = 200 ] && ok || bad "bob cannot pick up his certificate"
cmp -s bob.pem "$S/devices/bob/cert.pem" && ok || bad "bob's cert.pem is not his certificate"
[ "$(get bob.mc ${P}bundle.mobileconfig $(with bob))" = 200 ] && ok || bad "no bob profile"
expect_grep '^[Cc]ontent-[Tt]ype: application/x-apple-aspen-config' bob.mc.h
python3 - bob.mc bob.p12 <<'PY' && ok || bad "bob's profile does not hold his bundle"
import plistlib, sys
p = plistlib.load(open(sys.argv[1], "rb"))
(payload,) = p["PayloadContent"]
assert payload["PayloadType"] == "com.apple.security.pkcs12", payload["PayloadType"]
assert "Password" not in payload
assert payload["PayloadContent"] == open(sys.argv[2], "rb").read()
assert "bob" in p["PayloadDisplayName"] and "Pickup CA" in p["PayloadDisplayName"]
PY
# Never another device's file, however the request is spelled.
for path in "${P}bundle.p12?device=alice" "${P}alice.p12" "${P}../pickup/alice.p12" \
  "${P}e/../bundle.p12" "${P}%62undle.p12" "${P}bundle.p12/" "${P}BUNDLE.p12" \
  "/.well-known/pickup/alice.p12" "${P}links.conf" "${P}e/x/../../bundle.p12"; do
  code=$(get other "$path" $(with bob) --path-as-is)
  if cmp -s other "$S/devices/alice/bundle.p12" || [ "$code" = 200 ]; then
    bad "bob asked for $path and got $code"
  else
    ok
  fi
done
[ "$(get none ${P}bundle.p12)" = 403 ] && ok || bad "a client without a certificate got a bundle"
expect_grep '^[Cc]ontent-[Tt]ype: text/html' none.h
# A certificate of another CA, for a device name of this one: refused before any location.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=Other CA" \
  -keyout other-ca.key -out other-ca.crt 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=bob" \
  -keyout foreign.key -out foreign.csr 2>/dev/null
openssl x509 -req -in foreign.csr -CA other-ca.crt -CAkey other-ca.key -days 2 \
  -set_serial "0x$(serial_of bob.crt)" -out foreign.crt 2>/dev/null
[ "$(get foreign.p12 ${P}bundle.p12 $(with foreign))" = 400 ] && ok ||
  bad "a foreign CA's certificate with bob's serial was not refused"
cmp -s foreign.p12 "$S/devices/bob/bundle.p12" && bad "a foreign certificate got bob's bundle" || ok
PK=$CG_DIR/pickup
[ "$(stat -c '%a %G' "$PK")" = "750 $GROUP" ] && ok || bad "pickup/ is $(stat -c '%a %G' "$PK")"
for f in "$PK"/*; do
  [ "$(stat -c '%a %G' "$f")" = "640 $GROUP" ] && ok || bad "$f is $(stat -c '%a %G' "$f")"
done
[ -e "$PK/carol.pem" ] && [ ! -e "$PK/carol.p12" ] && ok || bad "carol (CSR) has a bundle"
[ "$(get nofile ${P}bundle.p12 $(with carol1))" = 404 ] && ok || bad "carol's missing bundle"
expect_grep 'Nothing to download here' nofile
grep -q 'device=' nofile && bad "a missing pickup file reached the upstream" || ok
get post ${P}bundle.p12 $(with bob) -d x=1 >/dev/null
grep -q 'device=' post && bad "a POST to a pickup path reached the upstream" || ok

# 2. Renewal: validity 300s, renew_before 290s, so it is due 10 s after issuance.
old_pass=$(cat "$S/devices/alice/bundle.pass")
sleep 11
expect_exit 0 cg apply
expect_grep 'renew   device alice .*new certificate, the old one stays valid until' "$TMP/out"
expect_grep 'renew   device carol ' "$TMP/out"
nginx_settle
[ "$(get body / $(with alice1))" = 200 ] && ok || bad "the renewal locked alice's old certificate out"
# status: both certificates, and that alice was last seen with the old one.
expect_exit 0 cg status
expect_grep "^  older  $(serial_of alice1.crt) +overlap, works until " "$TMP/out"
expect_grep "last seen .*$(serial_of alice1.crt).*old certificate" "$TMP/out"
openssl crl -in "$CG_DIR/crl.pem" -noout -text >crl.txt
grep -q "$(serial_of alice1.crt)" crl.txt && bad "alice's predecessor is on the CRL" || ok
[ "$(get alice2.p12 ${P}bundle.p12 $(with alice1))" = 200 ] && ok || bad "alice cannot pick up"
[ "$(cat "$S/devices/alice/bundle.pass")" = "$old_pass" ] && ok || bad "the password changed"
p12_cert alice2.p12 alice1.pass alice2.crt && p12_key alice2.p12 alice1.pass alice2.key &&
  ok || bad "the renewed bundle does not open with alice's old password"
[ "$(serial_of alice2.crt)" != "$(serial_of alice1.crt)" ] && ok || bad "the bundle is the old one"
[ "$(serial_of alice2.crt)" = "$(serial_of "$S/devices/alice/cert.pem")" ] && ok ||
  bad "the picked-up bundle is not the newest certificate"
[ "$(get body / $(with alice2))" = 200 ] && ok || bad "alice's new certificate is not let in"
expect_exit 0 cg status --json
python3 -c 'import json,sys; d={x["name"]: x for x in json.load(open(sys.argv[1]))["devices"]}; a=d["alice"]; assert len(a["certificates"]) == 2, a; assert a["last_seen"]["newest"] and not a["uses_old_certificate"], a' \
  "$TMP/out" && ok || bad "status --json does not show alice on her new certificate"
[ "$(get carol2.crt ${P}cert.pem $(with carol1))" = 200 ] && ok || bad "carol cannot pick up"
[ "$(serial_of carol2.crt)" != "$(serial_of carol1.crt)" ] && ok || bad "carol was not re-signed"
[ "$(openssl x509 -in carol2.crt -noout -pubkey)" = "$(openssl pkey -in carol.key -pubout)" ] &&
  ok || bad "carol's new certificate is not for her key"
cp carol.key carol2.key
[ "$(get body / $(with carol2))" = 200 ] && ok || bad "carol's re-signed certificate is refused"
[ "$(get body / $(with carol1))" = 200 ] && ok || bad "carol's old certificate was locked out"

# 3. First enrollment.
expect_exit 0 cg enroll bob
link=$(sed -n 1p "$TMP/out")
sed -n 2p "$TMP/out" >link.pass
token=$(echo "$link" | sed -n 's|.*/e/\([0-9a-f]*\)/$|\1|p')
[ -n "$token" ] && ok || bad "no link in: $(cat "$TMP/out")"
cmp -s link.pass "$S/devices/bob/bundle.pass" && ok || bad "enroll printed another password"
lpath=${link#https://admin.test}
expect_exit 0 cg plan --json
grep -q "$token" "$TMP/out" "$TMP/err" && bad "the token is in the plan" || ok
expect_exit 0 cg apply
nginx_settle  # no probe: apply does not wait for the reload (the gate tests do)
grep -q "$token" "$TMP/out" "$TMP/err" "$S/state.json" && bad "the token was logged or recorded" || ok
[ "$(stat -c %a "$PK/links.conf")" = 640 ] && ok || bad "links.conf is $(stat -c %a "$PK/links.conf")"
[ "$(get page "$lpath")" = 200 ] && ok || bad "the link does not work without a certificate"
expect_grep '^[Cc]ontent-[Tt]ype: text/html' page.h
expect_grep 'bundle.mobileconfig' page
[ "$(get link.p12 "${lpath}bundle.p12")" = 200 ] && ok || bad "no bundle behind the link"
p12_cert link.p12 link.pass link.crt && ok || bad "the link's .p12 does not open with the password"
[ "$(get link.mc "${lpath}bundle.mobileconfig")" = 200 ] && ok || bad "no profile behind the link"
python3 -c 'import plistlib,sys; p=plistlib.load(open(sys.argv[1],"rb")); open(sys.argv[2],"wb").write(p["PayloadContent"][0]["PayloadContent"])' \
  link.mc link.mc.p12 && p12_cert link.mc.p12 link.pass link.mc.crt && ok ||
  bad "the profile's payload does not open with the password"
guess=$(openssl rand -hex 20)
[ "$(get dead "${P}e/$guess/")" = 404 ] && ok || bad "a guessed token was not refused"
expect_grep 'expired' dead
# A phone's browser, without any certificate: the page and the dead-link page render.
chromium_profile phone
chromium_dump phone "https://admin.test:$NGX_PORT$lpath"
expect_rendered phone 'bundle.mobileconfig'
chromium_dump phone "https://admin.test:$NGX_PORT${P}e/$guess/"
expect_rendered phone 'This link no longer works'
[ "$(get dead.p12 "${P}e/$guess/bundle.p12")" = 404 ] && ok || bad "a guessed token got a bundle"
# Cancelled while the desired state cannot be applied: the refused apply still ends the link.
expect_exit 0 cg enroll bob --cancel
cp certgate.toml good.toml
echo 'bogus_key = 1' >>certgate.toml
expect_exit 1 cg apply
nginx_settle
[ "$(get dead "$lpath")" = 404 ] && ok || bad "a cancelled link still works"
[ "$(get dead.p12 "${lpath}bundle.p12")" = 404 ] && ok || bad "a cancelled link still serves"
cp good.toml certgate.toml

# 4. Revocation ends both of alice's certificates, her open link, and her files leave pickup/.
expect_exit 0 cg enroll alice
write_toml 'revoked = "keyCompromise"'
expect_exit 0 cg apply
nginx_settle
[ ! -e "$S/enroll/alice.json" ] && ok || bad "alice's enrollment link outlived her revocation"
[ "$(get body / $(with alice1))" = 400 ] && ok || bad "alice's old certificate still gets in"
[ "$(get body / $(with alice2))" = 400 ] && ok || bad "alice's new certificate still gets in"
[ ! -e "$PK/alice.p12" ] && [ ! -e "$PK/alice.pem" ] && ok || bad "alice's files stayed in pickup/"
for c in alice1 alice2; do
  [ "$(get revoked.p12 ${P}bundle.p12 $(with $c))" = 400 ] && ok || bad "revoked $c got a bundle"
done

# 5. An expired link: the last apply, an hour and a minute on (faketime; apply refuses --now).
expect_exit 0 cg enroll bob
lpath=$(sed -n 1p "$TMP/out")
lpath=${lpath#https://admin.test}
expect_exit 0 cg apply
nginx_settle
[ "$(get page "$lpath")" = 200 ] && ok || bad "the new link does not work"
expect_exit 0 faketime -f +61m "$CERTGATE" --source certgate.toml --state-dir "$S" apply
nginx_settle
[ "$(get dead "$lpath")" = 404 ] && ok || bad "an expired link still works"
[ "$(get dead.p12 "${lpath}bundle.p12")" = 404 ] && ok || bad "an expired link still serves"
finish
