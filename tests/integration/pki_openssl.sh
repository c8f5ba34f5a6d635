#!/usr/bin/env bash
# The PKI engine cross-checked with real tools: certificates with `openssl verify` (-crl_check
# after revocation), the database with `openssl ca -status` and `-gencrl`, reasons with
# `openssl crl -text`, bundles with `openssl pkcs12 -info` and NSS (pk12util, certutil: the
# library Firefox and Chrome use on Linux), CSR signing, renewal, bundle re-export, and the
# refusals: a CA key readable by others, an open state directory, a held lock, mass revocation.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
CA=$S/ca
cd "$TMP"

mkdir csr
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout bob.key \
  -subj "/CN=Bob's laptop" -out csr/bob-laptop.csr 2>/dev/null

write_toml() {  # write_toml [EXTRA_DEVICE_TOML]
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Integration CA"
organization = "Example Ltd"

[safety]
max_revocations = 2

[[device]]
name = "alice-phone"
owner = "alice@example.com"

[[device]]
name = "alice-laptop"
p12_profile = "modern"

[[device]]
name = "bob-laptop"
csr = "csr/bob-laptop.csr"

[[device]]
name = "erin-tablet"
key = "${ERIN_KEY:-ec-p256}"
TOML
  printf '%s\n' "${1:-}" >>certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
# `openssl ca -status` exits 1 even when it finds the serial; what it prints is the answer.
ca_status() { openssl ca -config "$CA/openssl.cnf" -status "$1" 2>&1 | tail -1; }
serial_of() { openssl x509 -in "$S/devices/$1/cert.pem" -noout -serial | cut -d= -f2; }
EXTRA=$'[[device]]\nname = "carol-ipad"\n\n[[device]]\nname = "dave"\nkey = "rsa-2048"'

# 1. From nothing: CA, four certificates, a CRL.
write_toml "$EXTRA"
expect_exit 0 cg apply
expect_grep 'Apply complete: CA created, 6 issued' "$TMP/out"
# The CSR's own CN is not the certificate's: said once, by the plan that signs it, and not
# again by every later command.
[ "$(grep -c "device bob-laptop, CSR csr/bob-laptop.csr: its subject CN \"Bob's laptop\" is ignored; the certificate will say CN=bob-laptop" "$TMP/out" "$TMP/err" | awk -F: '{n += $2} END {print n}')" = 1 ] &&
  ok || bad "the CSR's CN is not said exactly once by the apply that signs it"
for cmd in plan status validate; do
  expect_exit 0 cg $cmd
  if grep -q "is ignored" "$TMP/out" "$TMP/err"; then bad "$cmd repeats the CSR CN note"; else ok; fi
done
[ "$(stat -c %a "$S")" = 700 ] && ok || bad "state dir mode $(stat -c %a "$S")"
[ "$(stat -c %a "$CA/ca.key")" = 600 ] && ok || bad "ca.key mode"
[ "$(stat -c %a "$S/devices/alice-phone/key.pem")" = 600 ] && ok || bad "device key mode"
for d in alice-phone alice-laptop bob-laptop erin-tablet carol-ipad dave; do
  expect_exit 0 openssl verify -CAfile "$CA/ca.crt" -crl_check -CRLfile "$CA/crl.pem" \
    "$S/devices/$d/cert.pem"
  [ "$(ca_status "$(serial_of $d)")" = "$(serial_of $d)=Valid (V)" ] && ok || bad "$d not V"
done
openssl x509 -in "$S/devices/alice-phone/cert.pem" -noout -text >"$TMP/alice.txt"
expect_grep 'Subject: CN = alice-phone$' "$TMP/alice.txt"
expect_grep 'email:alice@example.com' "$TMP/alice.txt"
expect_grep 'TLS Web Client Authentication' "$TMP/alice.txt"
expect_grep 'CA:FALSE' "$TMP/alice.txt"
openssl x509 -in "$S/devices/dave/cert.pem" -noout -text >"$TMP/dave.txt"
expect_grep 'Digital Signature, Key Encipherment' "$TMP/dave.txt"
expect_grep 'Public-Key: \(2048 bit\)' "$TMP/dave.txt"
openssl x509 -in "$CA/ca.crt" -noout -text >"$TMP/ca.txt"
expect_grep 'CA:TRUE' "$TMP/ca.txt"
expect_grep 'Certificate Sign, CRL Sign' "$TMP/ca.txt"
expect_grep 'Subject: O = Example Ltd, CN = Integration CA' "$TMP/ca.txt"

# 2. The CSR device: the CSR's key, our subject, no key or bundle stored.
[ ! -e "$S/devices/bob-laptop/key.pem" ] && [ ! -e "$S/devices/bob-laptop/bundle.p12" ] && ok ||
  bad "a CSR device has a stored key or bundle"
[ "$(openssl x509 -in "$S/devices/bob-laptop/cert.pem" -noout -pubkey)" = \
  "$(openssl req -in csr/bob-laptop.csr -noout -pubkey)" ] && ok || bad "CSR key not used"
expect_exit 0 openssl x509 -in "$S/devices/bob-laptop/cert.pem" -noout -subject
expect_grep '^subject=CN = bob-laptop$' "$TMP/out"

# 3. Bundles: the algorithms of each profile, and NSS imports both under the device's name.
p12info() { openssl pkcs12 -info -noout -in "$1" -passin "file:$2" 2>&1; }
p12info "$S/devices/alice-phone/bundle.p12" "$S/devices/alice-phone/bundle.pass" >"$TMP/compat"
expect_grep '^MAC: sha1' "$TMP/compat"
expect_grep 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC' "$TMP/compat"
expect_grep 'PKCS7 Encrypted data: pbeWithSHA1And3-KeyTripleDES-CBC' "$TMP/compat"
p12info "$S/devices/alice-laptop/bundle.p12" "$S/devices/alice-laptop/bundle.pass" >"$TMP/modern"
expect_grep '^MAC: sha256' "$TMP/modern"
expect_grep 'Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC' "$TMP/modern"
[ "$(tr -d '\n' <"$S/devices/alice-phone/bundle.pass" | wc -c)" -ge 20 ] && ok || bad "short password"
openssl pkcs12 -in "$S/devices/alice-phone/bundle.p12" -passin \
  "file:$S/devices/alice-phone/bundle.pass" -nokeys 2>/dev/null >"$TMP/p12certs"
expect_grep 'friendlyName: alice-phone' "$TMP/p12certs"
expect_grep 'subject=O = Example Ltd, CN = Integration CA' "$TMP/p12certs"
mkdir nss
certutil -N -d sql:nss --empty-password
for d in alice-phone alice-laptop; do
  expect_exit 0 pk12util -i "$S/devices/$d/bundle.p12" -d sql:nss -w "$S/devices/$d/bundle.pass"
done
certutil -K -d sql:nss >"$TMP/keys" 2>&1
expect_grep ' alice-phone$' "$TMP/keys"
expect_grep ' alice-laptop$' "$TMP/keys"

# 4. Nothing left to do; a re-exported bundle keeps its password and switches profile.
expect_exit 0 cg plan --detailed-exitcode
expect_exit 2 "$CERTGATE" --source certgate.toml --state-dir "$S" plan --detailed-exitcode \
  --now "$(date -u -d '+25 days' +%Y-%m-%dT%H:%M:%SZ)"
expect_grep '~ crl .*nextUpdate' "$TMP/out"
pass_before=$(cat "$S/devices/alice-laptop/bundle.pass")
expect_exit 0 cg bundle alice-laptop --profile compat --out "$TMP/laptop.p12"
[ "$(stat -c %a "$TMP/laptop.p12")" = 600 ] && ok || bad "bundle mode"
[ "$pass_before" = "$(cat "$S/devices/alice-laptop/bundle.pass")" ] && ok || bad "password changed"
p12info "$TMP/laptop.p12" "$S/devices/alice-laptop/bundle.pass" >"$TMP/reexport"
expect_grep 'Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC' "$TMP/reexport"
expect_exit 1 cg bundle bob-laptop
expect_grep 'no stored key' "$TMP/err"

# 5. Revocation with reasons: one revoked in the file, one deleted from it.
alice=$(serial_of alice-phone)
carol=$(serial_of carol-ipad)
dave=$(serial_of dave)
write_toml $'[[device]]\nname = "carol-ipad"\nrevoked = "keyCompromise"'
expect_exit 0 cg plan
expect_grep '^  - revoke  device carol-ipad .*reason keyCompromise' "$TMP/out"
expect_grep '^  - revoke  device dave .*reason cessationOfOperation' "$TMP/out"
expect_exit 0 cg apply
expect_exit 2 openssl verify -CAfile "$CA/ca.crt" -crl_check -CRLfile "$CA/crl.pem" \
  "$S/devices/carol-ipad/cert.pem"
cat "$TMP/err" >>"$TMP/out"
expect_grep 'certificate revoked' "$TMP/out"
expect_exit 0 openssl verify -CAfile "$CA/ca.crt" -crl_check -CRLfile "$CA/crl.pem" \
  "$S/devices/alice-phone/cert.pem"
[ "$(ca_status "$carol")" = "$carol=Revoked (R)" ] && ok || bad "carol not R"
openssl crl -in "$CA/crl.pem" -noout -text >"$TMP/crl.txt"
expect_grep 'Key Compromise' "$TMP/crl.txt"
expect_grep 'Cessation Of Operation' "$TMP/crl.txt"
expect_grep "Serial Number: $carol" "$TMP/crl.txt"
expect_grep "Serial Number: $dave" "$TMP/crl.txt"
expect_grep 'X509v3 CRL Number:' "$TMP/crl.txt"
expect_grep 'X509v3 Authority Key Identifier' "$TMP/crl.txt"
[ ! -e "$S/devices/carol-ipad/key.pem" ] && ok || bad "revoked device kept its key"
expect_exit 0 cg status
expect_grep "^carol-ipad +revoked +$carol " "$TMP/out"
expect_grep "^alice-phone +valid +$alice " "$TMP/out"
expect_grep '^Applied  file certgate.toml at ' "$TMP/out"
# openssl ca itself can run on certgate's database
expect_exit 0 openssl ca -config "$CA/openssl.cnf" -gencrl -out "$TMP/gencrl.pem"
openssl crl -in "$TMP/gencrl.pem" -noout -text >"$TMP/gencrl.txt"
expect_grep "Serial Number: $carol" "$TMP/gencrl.txt"
[ "$(serial_of alice-phone)" = "$alice" ] && ok || bad "alice's certificate changed"

# 6. A replacement (here for a new key type) keeps the old certificate valid for [defaults].overlap
# (7d): the device can still reach the gate and fetch its new bundle with it. With overlap 0s, the
# next apply revokes it as superseded.
old=$(serial_of erin-tablet)
ERIN_KEY=ec-p384 write_toml $'[[device]]\nname = "carol-ipad"\nrevoked = "keyCompromise"'
expect_exit 0 cg apply
expect_grep 'renew   device erin-tablet .*key ec-p256 -> ec-p384; new certificate, the old one stays valid until ' "$TMP/out"
new=$(serial_of erin-tablet)
[ "$old" != "$new" ] && ok || bad "erin-tablet was not renewed"
[ "$(ca_status "$old")" = "$old=Valid (V)" ] && ok || bad "old erin-tablet not V during the overlap"
openssl crl -in "$CA/crl.pem" -noout -text >"$TMP/crl2.txt"
grep -q "Serial Number: $old" "$TMP/crl2.txt" && bad "the old erin-tablet is on the CRL during the overlap" || ok
ERIN_KEY=ec-p384 write_toml $'[[device]]\nname = "carol-ipad"\nrevoked = "keyCompromise"\n[defaults]\noverlap = "0s"'
expect_exit 0 cg apply
expect_grep "revoke  device erin-tablet .*superseded" "$TMP/out"
[ "$(ca_status "$old")" = "$old=Revoked (R)" ] && ok || bad "old erin-tablet not R after the overlap"
openssl crl -in "$CA/crl.pem" -noout -text >"$TMP/crl2.txt"
expect_grep 'Superseded' "$TMP/crl2.txt"
expect_exit 0 openssl verify -CAfile "$CA/ca.crt" -crl_check -CRLfile "$CA/crl.pem" \
  "$S/devices/erin-tablet/cert.pem"

# 6b. A CSR key revoked as compromised is never signed again; a new CSR is. erin-tablet is
# replaced at once (overlap 0s) in the same apply: one CRL lists both, with the plan's number
# (RFC 5280 5.2.3).
bob=$(serial_of bob-laptop)
old=$(serial_of erin-tablet)
write_toml $'[[device]]\nname = "carol-ipad"\nrevoked = "keyCompromise"\n[defaults]\noverlap = "0s"'
sed -i 's|^csr = "csr/bob-laptop.csr"$|csr = "csr/bob-laptop.csr"\nrevoked = "keyCompromise"|' \
  certgate.toml
expect_exit 0 cg apply
expect_grep 'revoke  device bob-laptop .*keyCompromise' "$TMP/out"
expect_grep 'renew   device erin-tablet' "$TMP/out"
number=$(sed -n 's/.*~ crl  *crlNumber [0-9]* -> \([0-9]*\) .*/\1/p' "$TMP/out")
[ "$(grep -c "wrote CRL number=" "$TMP/err")" = 1 ] && ok || bad "not one CRL signed: $(cat "$TMP/err")"
openssl crl -in "$CA/crl.pem" -noout -text >"$TMP/crl3.txt"
[ -n "$number" ] && grep -A1 'X509v3 CRL Number' "$TMP/crl3.txt" | tail -1 | grep -qx " *$number" &&
  ok || bad "the CRL's number is not the plan's $number"
expect_grep "Serial Number: $bob" "$TMP/crl3.txt"
expect_grep "Serial Number: $old" "$TMP/crl3.txt"
write_toml $'[[device]]\nname = "carol-ipad"\nrevoked = "keyCompromise"'
expect_exit 0 cg plan --detailed-exitcode
expect_grep "Note: device bob-laptop: its CSR's key was revoked as compromised" "$TMP/out"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout bob2.key \
  -subj "/CN=bob-laptop" -out csr/bob-laptop.csr 2>/dev/null
expect_exit 0 cg apply
expect_grep '\+ issue   device bob-laptop' "$TMP/out"

# 7. Refusals that change nothing.
cp "$CA/index.txt" "$TMP/index.before"
chmod 644 "$CA/ca.key"
expect_exit 1 cg apply
expect_grep 'refusing to use .*ca.key: its mode is 0644' "$TMP/err"
chmod 600 "$CA/ca.key"
chmod 755 "$S"
expect_exit 1 cg apply
expect_grep "refusing to use $S: its mode is 0755, open to others" "$TMP/err"
chmod 700 "$S"
exec 9>"$S/lock"
flock 9  # this shell holds the lock now
expect_exit 1 cg apply
expect_grep 'another certgate apply holds' "$TMP/err"
exec 9>&-
# Deleting alice-phone, alice-laptop and erin-tablet at once: three revocations > 2.
sed -i '/^\[\[device\]\]$/,$d' certgate.toml
printf '[[device]]\nname = "bob-laptop"\ncsr = "csr/bob-laptop.csr"\n' >>certgate.toml
expect_exit 1 cg apply
expect_grep 'refused: this plan revokes or replaces the certificates of 3 devices, more than \[safety\].max_revocations = 2' \
  "$TMP/err"
cmp -s "$CA/index.txt" "$TMP/index.before" && ok || bad "a refused apply changed index.txt"
# ...but a CRL that is due is still signed again, so the refusal cannot turn into an outage.
rm "$CA/crl.pem"
expect_exit 1 cg apply
expect_grep 'Refreshed the CRL only' "$TMP/out"
expect_exit 0 openssl crl -in "$CA/crl.pem" -noout
cmp -s "$CA/index.txt" "$TMP/index.before" && ok || bad "a refused apply changed index.txt"
expect_exit 0 cg apply --allow-mass-revoke
expect_grep 'Apply complete: 0 issued, 0 renewed, 3 revoked' "$TMP/out"
expect_exit 1 "$CERTGATE" --source certgate.toml --state-dir "$S" --now 2026-01-01T00:00:00Z apply
expect_grep 'apply acts in real time' "$TMP/err"

finish
