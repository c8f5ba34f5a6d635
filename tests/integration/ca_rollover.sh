#!/usr/bin/env bash
# A CA rollover with a real nginx and validities of seconds, so that it really happens: the CA
# (its key encrypted) is made, and once it is within rollover_before of its end, apply makes the
# next CA, moves the old one to STATE/ca-previous, deploys both CAs in ca.pem and both CRLs in
# crl.pem, and gives every device a successor from the new CA while its old certificate stays
# valid. A device that never picked up its new certificate keeps the door with the old one until
# that one's own end; revoking a device revokes it under both CAs (both CRLs signed); the old CA
# leaves ca.pem and crl.pem only once its last certificate ended, and its key is destroyed. Every
# device is probed with curl between the steps; openssl verify -crl_check agrees. Then the apply
# that rolls over is SIGKILLed at points over its run: the next apply always converges.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
source "$(dirname "$0")/lib_rollover.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare admin admin.test
printf 'ca-passphrase-for-the-test\n' >ca.pass && chmod 600 ca.pass
mkdir -p src

CA_VALIDITY=150s  # the first CA's; the next one lives an hour, so it does not roll over again
write_toml() {  # write_toml [BOB_EXTRA]
  cat >src/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Rolling CA"
validity = "$CA_VALIDITY"
rollover_before = "100s"
crl_validity = "1d"
crl_refresh_before = "1h"
key_protection = "passphrase"

[defaults]
validity = "600s"
renew_before = "30s"

[[device]]
name = "alice"

[[device]]
name = "bob"
${1:-}

[[device]]
name = "carol"

[[site]]
name = "admin"
server_names = ["admin.test"]

$(nginx_toml_section)
TOML
}
cg() { "$CERTGATE" --ca-passphrase-file ca.pass --source src --state-dir "$S" "$@"; }

write_toml
nginx_start
t0=$(date +%s)
# For the crash runs: the same CA timing, ten devices, no site (the PKI alone).
mkdir -p crash-src
{
  sed -n '/^\[ca\]/,/^key_protection/p' src/certgate.toml | sed '1i schema = 1\n'
  printf '\n[defaults]\nvalidity = "600s"\nrenew_before = "30s"\n'
  for i in $(seq -w 1 10); do printf '\n[[device]]\nname = "dev-%s"\n' "$i"; done
} >crash-src/certgate.toml
sed -i 's/^validity = "150s"/validity = "1h"/' crash-src/certgate.toml
crash() { "$CERTGATE" --ca-passphrase-file ca.pass --source crash-src --state-dir "$1" "${@:2}"; }
sed 's/^validity = "1h"/validity = "150s"/' crash-src/certgate.toml >crash-first.toml
expect_exit 0 "$CERTGATE" --ca-passphrase-file ca.pass --source crash-first.toml --state-dir "$TMP/crash-base" apply
expect_exit 0 cg apply
expect_grep 'CA created, 3 issued' "$TMP/out"
nginx_include_certgate
for d in alice bob carol; do keep $d old-$d; done
[ "$(status_of old-alice)" = 200 ] && [ "$(status_of old-bob)" = 200 ] && ok || bad "the first certificates do not get in"
[ "$(curl_status)" != 200 ] && ok || bad "no certificate got in"
old_ca_serial=$(openssl x509 -in "$S/ca/ca.crt" -noout -serial | cut -d= -f2)

CA_VALIDITY=1h
write_toml
# What will happen: plan --now shows the rollover ahead of time, and apply now does nothing.
expect_exit 0 cg plan --now "$(date -u -d @$((t0 + 60)) +%Y-%m-%dT%H:%M:%SZ)"
expect_grep 'issue +next-ca .*both CAs are trusted' "$TMP/out"
expect_grep 'renew +device alice +CA rollover: its successor is signed by the new CA' "$TMP/out"
expect_exit 0 cg plan --json --now "$(date -u -d @$((t0 + 60)) +%Y-%m-%dT%H:%M:%SZ)"
expect_grep '"reason": *"CA rollover: the CA ends .*within rollover_before 100s"' "$TMP/out"
expect_exit 0 cg plan --detailed-exitcode
[ ! -e "$S/ca-previous" ] && ok || bad "a rollover before its time"

# 1. The rollover: a new CA, both trusted, every device renewed from it, the old ones kept.
wait_until $((t0 + 55))
expect_exit 0 cg plan --json
python3 - "$TMP/out" <<'PY' && ok || bad "the rollover plan: $(cat "$TMP/out")"
import json, sys
p = json.load(open(sys.argv[1]))
kinds = [(a["kind"], a["subject"]) for a in p["actions"]]
assert ("issue", "next-ca") in kinds, kinds
assert sum(1 for k in kinds if k[0] == "renew") == 3, kinds
assert p["revocations"] == 0 and not p.get("refusal"), p
PY
expect_exit 0 cg apply
expect_grep 'CA rolled over \(the previous CA stays trusted\), 0 issued, 3 renewed, 0 revoked' "$TMP/out"
head -1 "$S/ca/ca.key" | grep -q ENCRYPTED && ok || bad "the new CA key is not encrypted"
new_ca_serial=$(openssl x509 -in "$S/ca/ca.crt" -noout -serial | cut -d= -f2)
[ "$(openssl x509 -in "$S/ca-previous/ca.crt" -noout -serial | cut -d= -f2)" = "$old_ca_serial" ] &&
  [ "$new_ca_serial" != "$old_ca_serial" ] && ok || bad "STATE/ca-previous does not hold the old CA"
[ "$(certs_in "$CG_DIR/ca.pem")" = 2 ] && [ "$(crls_in "$CG_DIR/crl.pem")" = 2 ] && ok || bad "ca.pem/crl.pem do not hold both CAs: $(certs_in "$CG_DIR/ca.pem") certs, $(crls_in "$CG_DIR/crl.pem") CRLs"
for d in alice bob carol; do
  openssl verify -crl_check -CAfile "$S/ca/ca.crt" -CRLfile "$S/ca/crl.pem" "$S/devices/$d/cert.pem" >/dev/null 2>&1 &&
    ok || bad "$d's new certificate is not from the new CA"
done
{ openssl ca -config "$S/ca-previous/openssl.cnf" -status "$(openssl x509 -in old-alice/cert.pem -noout -serial | cut -d= -f2)" 2>&1 || true; } | grep -q '=Valid' && ok || bad "openssl ca does not read the previous CA's database"
keep alice new-alice; keep carol new-carol
for d in old-alice old-bob old-carol new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door at the rollover: $(status_of $d)"
done
expect_exit 0 cg plan --detailed-exitcode
expect_grep 'the previous CA "Rolling CA" stays trusted beside the new one' "$TMP/out"
# CI's plan from a snapshot (no state, no secret) agrees during the overlap.
expect_exit 0 cg snapshot --out "$TMP/snap.json"
expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/ci" plan --observed "$TMP/snap.json" --detailed-exitcode
expect_grep 'the previous CA "Rolling CA" stays trusted beside the new one' "$TMP/out"
expect_exit 0 cg status --json
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["ca"]["previous"]["serial"], s["ca"]' "$TMP/out" && ok || bad "status --json does not show the previous CA"

# The apply that rolls over, SIGKILLed at points over its run: the next apply converges, with
# the old CA in ca-previous, the new one in ca, every device's newest certificate from it.
converged() {  # converged DIR I
  local new prev unverified=0 d
  expect_exit 0 crash "$1" apply
  expect_exit 0 crash "$1" plan --detailed-exitcode
  new=$(serial_of "$1/ca/ca.crt")
  prev=$(serial_of "$1/ca-previous/ca.crt" 2>/dev/null || true)
  for d in "$1"/devices/dev-*; do
    openssl verify -crl_check -CAfile "$1/ca/ca.crt" -CRLfile "$1/ca/crl.pem" "$d/cert.pem" >/dev/null 2>&1 || unverified=$((unverified + 1))
  done
  if [ "$prev" = "$(serial_of "$TMP/crash-base/ca/ca.crt")" ] && [ "$new" != "$prev" ] &&
    [ "$unverified" = 0 ] && [ ! -e "$1/ca-next" ]; then
    ok; else bad "kill $2 of the rollover: new $new, previous $prev, $unverified devices not from the new CA"; fi
}
sigkill_runs 12 "$TMP/crash-base" converged \
  "$CERTGATE" --ca-passphrase-file ca.pass --source crash-src --state-dir @STATE@ apply

# 2. Revoking bob during the overlap: refused with its old certificate and its new one, both
# CRLs signed; openssl agrees for the old CA's CRL.
write_toml 'revoked = "keyCompromise"'
expect_exit 0 cg apply
expect_grep '2 revoked, CRL [0-9]+, previous CA.s CRL [0-9]+' "$TMP/out"
nginx_settle
[ "$(status_of old-bob)" = 400 ] && ok || bad "bob's old certificate still gets $(status_of old-bob)"
{ openssl verify -crl_check -CAfile "$S/ca-previous/ca.crt" -CRLfile "$S/ca-previous/crl.pem" old-bob/cert.pem 2>&1 || true; } | grep -q 'certificate revoked' && ok || bad "the previous CA's CRL does not revoke bob"
for d in old-alice new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door with bob's revocation: $(status_of $d)"
done

# 3. The old certificates end with the old CA; then it retires: it leaves ca.pem and crl.pem,
# its key is destroyed, and the new certificates still get in.
old_end=$(date -d "$(openssl x509 -in old-alice/cert.pem -noout -enddate | cut -d= -f2)" +%s)
wait_until $((old_end - 5))
[ "$(status_of old-carol)" = 200 ] && ok || bad "carol's old certificate lost the door before its end"
expect_exit 0 cg apply
[ -e "$S/ca-previous" ] && ok || bad "the old CA retired while a certificate of it was live"
wait_until $((old_end + 2))
expect_exit 0 cg plan
expect_grep 'retire +previous-ca' "$TMP/out"
expect_exit 0 cg apply
expect_grep 'previous CA retired' "$TMP/out"
[ ! -e "$S/ca-previous" ] && [ -e "$S/retired/ca-$old_ca_serial/ca.crt" ] && [ ! -e "$S/retired/ca-$old_ca_serial/ca.key" ] &&
  ok || bad "the retired CA: $(ls -R "$S/retired" 2>&1 | head)"
[ "$(certs_in "$CG_DIR/ca.pem")" = 1 ] && [ "$(crls_in "$CG_DIR/crl.pem")" = 1 ] && ok || bad "the old CA is still in the nginx files"
nginx_settle
for d in new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door when the old CA retired: $(status_of $d)"
done
[ "$(status_of old-alice)" != 200 ] && ok || bad "an old certificate got in after its end"
expect_exit 0 cg plan --detailed-exitcode
finish
