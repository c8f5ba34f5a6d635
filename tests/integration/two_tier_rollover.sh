#!/usr/bin/env bash
# A two-tier CA's rollover with a real nginx and validities of seconds, so that it really
# happens: the root (offline folder) signs an intermediate that lives 150s; once it is within
# rollover_before of its end, apply makes the next intermediate's key (encrypted) and CSR in
# STATE/ca-next, with a subject of its own (serialNumber 2), and waits while the current one
# keeps signing; once the root signed the CSR and the certificate is in the source, apply
# installs it, moves it into STATE/ca (the old one to STATE/ca-previous), deploys the root and
# both intermediates in ca.pem and the three CRLs in crl.pem, lets the gates accept both
# intermediates' certificates, and gives every device a successor from the new one while its old
# certificate stays valid. A revocation during the overlap reaches the old intermediate's CRL;
# the old intermediate leaves the nginx files once its last certificate ended. Every device is
# probed with curl between the steps; openssl verify -crl_check_all with the chain agrees. The
# apply that installs the next intermediate is SIGKILLed at points over its run: the next apply
# always converges.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
source "$(dirname "$0")/lib_rollover.sh"
S=$TMP/state
OFF=$TMP/offline
OFF2=$TMP/offline-crash  # the crash runs' root: one root signs one intermediate per subject
cd "$TMP"
nginx_prepare admin admin.test
printf 'root-passphrase-offline\n' >root.pass && chmod 600 root.pass
printf 'intermediate-passphrase\n' >ca.pass && chmod 600 ca.pass
mkdir -p src/ca crash-src/ca

ca_section() {
  cat <<TOML
schema = 1

[ca]
common_name = "Rolling Issuing CA"
mode = "intermediate"
rollover_before = "100s"
crl_validity = "1d"
crl_refresh_before = "1h"
key_protection = "passphrase"

[defaults]
validity = "600s"
renew_before = "30s"
TOML
}
write_toml() {  # write_toml [BOB_EXTRA]
  cat >src/certgate.toml <<TOML
$(ca_section)

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
# For the crash runs: the same CA, ten devices, no site (the PKI alone).
{
  ca_section
  for i in $(seq -w 1 10); do printf '\n[[device]]\nname = "dev-%s"\n' "$i"; done
} >crash-src/certgate.toml
cg() { "$CERTGATE" --ca-passphrase-file ca.pass --source src --state-dir "$S" "$@"; }
crash() { "$CERTGATE" --ca-passphrase-file ca.pass --source crash-src --state-dir "$1" "${@:2}"; }
root() { "$CERTGATE" --ca-passphrase-file root.pass root "$@"; }
# chain_verify CERT INTERMEDIATE: openssl's verdict with the root, the intermediate and the CRLs
chain_verify() {
  openssl verify -crl_check_all -CAfile src/ca/root.crt -untrusted "$2" \
    -CRLfile "$CG_DIR/crl.pem" "$1" 2>&1 || true
}

# The root, and the first intermediate (150s) for both states.
expect_exit 0 root init "$OFF" --common-name "Offline Root"
cp "$OFF/ca/ca.crt" src/ca/root.crt && cp "$OFF/ca/crl.pem" src/ca/root.crl
expect_exit 0 root init "$OFF2" --common-name "Crash Root"
cp "$OFF2/ca/ca.crt" crash-src/ca/root.crt && cp "$OFF2/ca/crl.pem" crash-src/ca/root.crl
write_toml
nginx_start
t0=$(date +%s)
expect_exit 0 cg apply
expect_exit 0 crash "$TMP/crash-base" apply
expect_exit 0 root sign "$OFF" "$S/ca/intermediate.csr" --out src/ca/intermediate.crt --validity 150s
expect_exit 0 root sign "$OFF2" "$TMP/crash-base/ca/intermediate.csr" --out crash-src/ca/intermediate.crt --validity 150s
expect_exit 0 cg apply
expect_grep 'CA created, 3 issued' "$TMP/out"
expect_exit 0 crash "$TMP/crash-base" apply
nginx_include_certgate
for d in alice bob carol; do keep $d old-$d; done
cp "$S/ca/ca.crt" old-intermediate.crt
old_serial=$(serial_of old-intermediate.crt)
for d in old-alice old-bob; do [ "$(status_of $d)" = 200 ] && ok || bad "$d does not get in"; done
[ "$(curl_status)" != 200 ] && ok || bad "no certificate got in"

# What will happen: plan --now shows the request ahead of time; apply now does nothing.
expect_exit 0 cg plan --now "$(date -u -d @$((t0 + 60)) +%Y-%m-%dT%H:%M:%SZ)"
expect_grep 'issue +next-ca-request +next intermediate Rolling Issuing CA \(serialNumber 2\)' "$TMP/out"
expect_grep 'CA rollover: waiting for the root: sign STATE/ca-next/intermediate.csr' "$TMP/out"
expect_exit 0 cg plan --detailed-exitcode

# 1. Within rollover_before: the next intermediate's key and CSR; nothing is renewed, and the
# current intermediate keeps signing.
wait_until $((t0 + 55))
expect_exit 0 cg apply
expect_grep "next intermediate's key and CSR made \(the root signs STATE/ca-next/intermediate.csr\), 0 issued, 0 renewed" "$TMP/out"
expect_exit 0 crash "$TMP/crash-base" apply
head -1 "$S/ca-next/ca.key" | grep -q ENCRYPTED && ok || bad "the next intermediate's key is not encrypted"
openssl req -in "$S/ca-next/intermediate.csr" -noout -subject | grep -q 'serialNumber *= *2' && ok || bad "the next CSR's subject: $(openssl req -in "$S/ca-next/intermediate.csr" -noout -subject)"
[ ! -e "$S/ca-previous" ] && [ "$(serial_of "$S/ca/ca.crt")" = "$old_serial" ] && ok || bad "the intermediate changed before the root signed"
expect_exit 0 cg plan --detailed-exitcode
expect_grep 'waiting for the root: sign STATE/ca-next/intermediate.csr' "$TMP/out"
expect_exit 0 cg status
expect_grep '^Next +waiting for the root to sign STATE/ca-next/intermediate.csr' "$TMP/out"
expect_exit 0 cg status --json
[ "$(jq -r .ca.next_csr "$TMP/out")" = "$S/ca-next/intermediate.csr" ] && ok || bad "status --json has no next_csr"
# CI's plan from a snapshot (no state, no secret) agrees: nothing to do while the root signs.
ci_plan() { cg snapshot --out "$TMP/snap.json" >/dev/null && "$CERTGATE" --source src --state-dir "$TMP/ci" plan --observed "$TMP/snap.json" "$@"; }
expect_exit 0 ci_plan --detailed-exitcode
expect_grep 'waiting for the root: sign STATE/ca-next/intermediate.csr' "$TMP/out"
for d in old-alice old-bob old-carol; do [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door while waiting for the root"; done
# A certificate for another key is refused and changes nothing.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout other.key \
  -subj "/CN=Rolling Issuing CA/serialNumber=9" -out other.csr 2>/dev/null
cp src/ca/intermediate.crt first-intermediate.crt
expect_exit 0 root sign "$OFF" other.csr --out src/ca/intermediate.crt --validity 1h
expect_exit 0 cg plan
expect_grep 'ca/intermediate.crt is not the installed intermediate' "$TMP/out"
cp first-intermediate.crt src/ca/intermediate.crt
# [ca] mode switched to one tier meanwhile: an intermediate does not roll over into a
# self-signed CA (nginx trusts its root, the gates check it), and the plan says why.
sed -i '/^mode = "intermediate"$/d' src/certgate.toml
expect_exit 0 cg plan
expect_grep 'not started: the CA in the state is an intermediate of the root Offline Root' "$TMP/out"
{ ! grep -qE 'issue +next-ca' "$TMP/out"; } && ok || bad "a one-tier rollover of an intermediate was planned"
write_toml
# A damaged next CSR is set aside (never deleted) and a new key and CSR are made.
printf 'not a CSR\n' >"$S/ca-next/intermediate.csr"
expect_exit 0 cg apply
expect_grep "next intermediate's key and CSR made" "$TMP/out"
[ -e "$S/retired/ca-next-interrupted-1/ca.key" ] && openssl req -in "$S/ca-next/intermediate.csr" -noout 2>/dev/null && ok || bad "the damaged ca-next was not set aside and made again"

# 2. The root signs the next CSR (a subject of its own: the old intermediate is still valid);
# apply installs it and rolls over. The crash runs start from this state.
expect_exit 0 root sign "$OFF" "$S/ca-next/intermediate.csr" --out src/ca/intermediate.crt --validity 1h
expect_exit 0 root sign "$OFF2" "$TMP/crash-base/ca-next/intermediate.csr" --out crash-src/ca/intermediate.crt --validity 1h
for plan in "cg plan --json" "ci_plan --json"; do
expect_exit 0 $plan
python3 - "$TMP/out" <<'PY' && ok || bad "the rollover plan ($plan): $(cat "$TMP/out")"
import json, sys
p = json.load(open(sys.argv[1]))
kinds = [(a["kind"], a["subject"]) for a in p["actions"]]
assert ("issue", "next-ca") in kinds, kinds
assert sum(1 for k in kinds if k[0] == "renew") == 3, kinds
assert p["revocations"] == 0 and not p.get("refusal"), p
PY
done
expect_exit 0 cg apply
expect_grep 'issue +next-ca +install intermediate Rolling Issuing CA signed by Offline Root' "$TMP/out"
expect_grep 'CA rolled over \(the previous CA stays trusted\), 0 issued, 3 renewed, 0 revoked' "$TMP/out"
new_serial=$(serial_of "$S/ca/ca.crt")
[ "$(serial_of "$S/ca-previous/ca.crt")" = "$old_serial" ] && [ "$new_serial" = "$(serial_of src/ca/intermediate.crt)" ] &&
  [ ! -e "$S/ca-next" ] && ok || bad "STATE/ca and ca-previous after the rollover"
[ "$(certs_in "$CG_DIR/ca.pem")" = 3 ] && [ "$(crls_in "$CG_DIR/crl.pem")" = 3 ] && ok || bad "ca.pem/crl.pem do not hold the root and both intermediates: $(certs_in "$CG_DIR/ca.pem") certs, $(crls_in "$CG_DIR/crl.pem") CRLs"
[ "$(grep -cF 'Rolling Issuing CA$" 1;' "$CG_DIR/http.conf")" = 2 ] && ok || bad "the gates do not accept both intermediates: $(grep -A4 'ssl_client_i_dn' "$CG_DIR/http.conf")"
for d in alice bob carol; do
  chain_verify "$S/devices/$d/cert.pem" "$S/ca/ca.crt" | grep -q ': OK$' && ok || bad "$d's new certificate: $(chain_verify "$S/devices/$d/cert.pem" "$S/ca/ca.crt")"
done
chain_verify old-alice/cert.pem old-intermediate.crt | grep -q ': OK$' && ok || bad "alice's old certificate: $(chain_verify old-alice/cert.pem old-intermediate.crt)"
keep alice new-alice; keep carol new-carol
for d in old-alice old-bob old-carol new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door at the rollover: $(status_of $d)"
done
expect_exit 0 cg plan --detailed-exitcode
expect_grep 'the previous CA "Rolling Issuing CA" stays trusted beside the new one' "$TMP/out"
expect_exit 0 ci_plan --detailed-exitcode
expect_grep 'the previous CA "Rolling Issuing CA" stays trusted beside the new one' "$TMP/out"

# The apply that installs the next intermediate, SIGKILLed at points over its run: the next
# apply converges, with the old intermediate in ca-previous and the new one in ca.
want_new=$(serial_of crash-src/ca/intermediate.crt)
want_prev=$(serial_of "$TMP/crash-base/ca/ca.crt")
converged() {  # converged DIR I
  local prev unverified=0 d
  expect_exit 0 crash "$1" apply
  expect_exit 0 crash "$1" plan --detailed-exitcode
  for d in "$1"/devices/dev-*; do
    openssl verify -crl_check_all -CAfile crash-src/ca/root.crt -untrusted "$1/ca/ca.crt" \
      -CRLfile "$1/ca/root.crl" -CRLfile "$1/ca/crl.pem" "$d/cert.pem" >/dev/null 2>&1 || unverified=$((unverified + 1))
  done
  prev=$(serial_of "$1/ca-previous/ca.crt" 2>/dev/null || true)
  if [ "$(serial_of "$1/ca/ca.crt")" = "$want_new" ] && [ "$prev" = "$want_prev" ] &&
    [ "$unverified" = 0 ] && [ ! -e "$1/ca-next" ]; then
    ok; else bad "kill $2 of the install: ca $(serial_of "$1/ca/ca.crt"), previous $prev, $unverified devices not from the new intermediate"; fi
}
sigkill_runs 8 "$TMP/crash-base" converged \
  "$CERTGATE" --ca-passphrase-file ca.pass --source crash-src --state-dir @STATE@ apply

# 3. Revoking bob during the overlap: his old certificate is refused through the old
# intermediate's CRL, and openssl agrees.
write_toml 'revoked = "keyCompromise"'
expect_exit 0 cg apply
expect_grep '2 revoked, CRL [0-9]+, previous CA.s CRL [0-9]+' "$TMP/out"
nginx_settle
[ "$(status_of old-bob)" = 400 ] && ok || bad "bob's old certificate still gets $(status_of old-bob)"
chain_verify old-bob/cert.pem old-intermediate.crt | grep -q 'certificate revoked' && ok || bad "openssl does not see bob's old certificate revoked"
for d in old-alice new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door with bob's revocation: $(status_of $d)"
done

# 4. The old certificates end with the old intermediate; then it retires and leaves ca.pem and
# crl.pem, its key destroyed; the new certificates still get in.
old_end=$(date -d "$(openssl x509 -in old-alice/cert.pem -noout -enddate | cut -d= -f2)" +%s)
wait_until $((old_end - 5))
[ "$(status_of old-carol)" = 200 ] && ok || bad "carol's old certificate lost the door before its end"
wait_until $((old_end + 2))
expect_exit 0 cg apply
expect_grep 'retire +previous-ca' "$TMP/out"
expect_grep 'previous CA retired' "$TMP/out"
[ ! -e "$S/ca-previous" ] && [ -e "$S/retired/ca-$old_serial/ca.crt" ] && [ ! -e "$S/retired/ca-$old_serial/ca.key" ] &&
  ok || bad "the retired intermediate: $(ls -R "$S/retired" 2>&1 | head)"
[ "$(certs_in "$CG_DIR/ca.pem")" = 2 ] && [ "$(crls_in "$CG_DIR/crl.pem")" = 2 ] && ok || bad "the old intermediate is still in the nginx files"
[ "$(grep -cF 'Rolling Issuing CA$" 1;' "$CG_DIR/http.conf")" = 1 ] && ok || bad "the gates still accept the old intermediate"
nginx_settle
for d in new-alice new-carol; do
  [ "$(status_of $d)" = 200 ] && ok || bad "$d lost the door when the old intermediate retired: $(status_of $d)"
done
[ "$(status_of old-alice)" != 200 ] && ok || bad "an old certificate got in after its end"
expect_exit 0 cg plan --detailed-exitcode
finish
