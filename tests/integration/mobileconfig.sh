#!/usr/bin/env bash
# Apple configuration profiles (pki/mobileconfig.h) checked with real tools: Python's plistlib
# parses the profile, its com.apple.security.pkcs12 payload is the device's bundle and opens
# with the password of bundle.pass (openssl pkcs12) and not without it, the profile holds no
# password, and a re-exported bundle's profile keeps the identifiers and UUIDs (so iOS replaces
# the installed profile) while another device's differ.
source "$(dirname "$0")/lib.sh"
: "${CERTGATE_MOBILECONFIG:?set CERTGATE_MOBILECONFIG to the certgate_mobileconfig test tool}"
S=$TMP/state
cd "$TMP"
cat >certgate.toml <<'TOML'
schema = 1

[ca]
common_name = "Example <Admin> & CA"

[[device]]
name = "alice-phone"

[[device]]
name = "bob-laptop"
p12_profile = "modern"
TOML
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
profile() { "$CERTGATE_MOBILECONFIG" "$1" "$S/ca/ca.crt" "$S/devices/$1/bundle.p12"; }
expect_exit 0 cg apply

# check PROFILE P12_OUT: parses the plist, checks its shape, writes the payload, prints the ids.
check() {
  python3 - "$1" "$2" <<'PY'
import plistlib, sys
with open(sys.argv[1], "rb") as f:
    p = plistlib.load(f)
assert p["PayloadType"] == "Configuration", p["PayloadType"]
assert p["PayloadRemovalDisallowed"] is False
assert p["PayloadVersion"] == 1
assert len(p["PayloadContent"]) == 1
pay = p["PayloadContent"][0]
assert pay["PayloadType"] == "com.apple.security.pkcs12"
assert "Password" not in pay and "Password" not in p
with open(sys.argv[2], "wb") as f:
    f.write(pay["PayloadContent"])
print(p["PayloadDisplayName"])
print(p["PayloadIdentifier"], p["PayloadUUID"], pay["PayloadIdentifier"], pay["PayloadUUID"])
PY
}

for d in alice-phone bob-laptop; do
  profile "$d" >"$d.mobileconfig" && ok || bad "no profile for $d"
  if check "$d.mobileconfig" "$d.p12" >"$d.ids" 2>"$TMP/err"; then ok; else
    bad "$d.mobileconfig does not check out"
    sed 's/^/  | /' "$TMP/err" >&2
  fi
  cmp -s "$d.p12" "$S/devices/$d/bundle.p12" && ok || bad "$d: the payload is not its bundle"
  openssl pkcs12 -in "$d.p12" -passin "file:$S/devices/$d/bundle.pass" -nodes \
    >"$d.pem" 2>"$TMP/err" && ok || bad "$d: payload does not open with its password"
  expect_grep "BEGIN PRIVATE KEY" "$d.pem"
  expect_grep "subject=CN = $d" "$d.pem"
  if openssl pkcs12 -in "$d.p12" -passin pass:wrong -nodes >/dev/null 2>&1; then
    bad "$d: payload opens with a wrong password"
  else ok; fi
  if grep -qF "$(head -1 "$S/devices/$d/bundle.pass")" "$d.mobileconfig"; then
    bad "$d: the profile holds the password"
  else ok; fi
done
expect_grep '^alice-phone — Example <Admin> & CA$' alice-phone.ids
grep -q 'Example &lt;Admin&gt; &amp; CA' alice-phone.mobileconfig && ok || bad "CA name not escaped"
[ "$(sed -n 2p alice-phone.ids)" != "$(sed -n 2p bob-laptop.ids)" ] && ok ||
  bad "two devices share identifiers"

# A re-exported bundle (new salt, new bytes) keeps the profile's identity.
cp "$S/devices/alice-phone/bundle.p12" old.p12
expect_exit 0 cg bundle alice-phone
cmp -s old.p12 "$S/devices/alice-phone/bundle.p12" && bad "re-export made the same bytes" || ok
profile alice-phone >renewed.mobileconfig
check renewed.mobileconfig renewed.p12 >renewed.ids
[ "$(sed -n 2p renewed.ids)" = "$(sed -n 2p alice-phone.ids)" ] && ok ||
  bad "renewed profile has other identifiers: $(sed -n 2p renewed.ids)"
cmp -s renewed.p12 "$S/devices/alice-phone/bundle.p12" && ok || bad "renewed payload"
finish
