#!/usr/bin/env bash
# [ca] key_protection = "passphrase": the CA key rests encrypted (PKCS#8, scrypt, AES-256), so
# a copy of ca.key is useless without the passphrase (openssl pkey asks for one and refuses a
# wrong one); apply without the passphrase or with a wrong one fails and changes nothing; the
# passphrase comes from --ca-passphrase-file, CERTGATE_CA_PASSPHRASE_FILE or systemd's
# $CREDENTIALS_DIRECTORY/certgate-ca-passphrase and appears in no output at any -v level;
# `certgate ca protect` encrypts a plain key in place and, killed with SIGKILL at many points,
# leaves a key that loads every time.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
PASS='tr0ub4dor-and-3-horses'
printf '%s\n' "$PASS" >pass && chmod 600 pass
printf 'not-the-passphrase\n' >wrong && chmod 600 wrong
write_toml() {  # write_toml PROTECTION DEVICE...
  local protection=$1
  shift
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Sealed CA"\n'
    [ -n "$protection" ] && printf 'key_protection = "%s"\n' "$protection"
    for d in "$@"; do printf '\n[[device]]\nname = "%s"\n' "$d"; done
  } >certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
# The state but the lock and the audit log (where a refusal is recorded, by design).
state_sum() { (cd "$1" && find . -type f ! -name lock ! -name audit.log -print0 | sort -z | xargs -0 sha256sum); }
no_passphrase_in() {  # no_passphrase_in WHAT: neither out nor err quotes the passphrase
  if grep -qF -e "$PASS" -e not-the-passphrase "$TMP/out" "$TMP/err"; then
    bad "$1: the passphrase is in the output"; else ok; fi
}

write_toml passphrase alice
# Without a passphrase, a first apply makes nothing at all.
expect_exit 1 cg apply
expect_grep 'the new CA key needs a passphrase, from --ca-passphrase-file FILE' "$TMP/err"
[ ! -e "$S" ] && ok || bad "a refused first apply left $S"
expect_exit 0 cg --ca-passphrase-file pass -vvv apply
no_passphrase_in "apply -vvv"
expect_grep 'created CA "Sealed CA" \(ec-p256, key encrypted\)' "$TMP/err"
head -1 "$S/ca/ca.key" | grep -q '^-----BEGIN ENCRYPTED PRIVATE KEY-----$' && ok || bad "ca.key is not encrypted PKCS#8"
openssl asn1parse -in "$S/ca/ca.key" | grep -q ':scrypt' && ok || bad "ca.key is not scrypt-protected"
[ "$(stat -c %a "$S/ca/ca.key")" = 600 ] && ok || bad "ca.key mode $(stat -c %a "$S/ca/ca.key")"

# A copy of the key is useless: openssl asks for the passphrase, refuses a wrong one, and opens
# it with the right one.
cp "$S/ca/ca.key" stolen.key
if openssl pkey -in stolen.key -noout </dev/null >/dev/null 2>"$TMP/pkey.err"; then
  bad "openssl opened the copied key without a passphrase"
else grep -q 'pass phrase' "$TMP/pkey.err" && ok || bad "openssl did not ask for a passphrase"; fi
openssl pkey -in stolen.key -passin file:wrong -noout 2>/dev/null && bad "a wrong passphrase opened it" || ok
openssl pkey -in stolen.key -passin file:pass -noout && ok || bad "the passphrase does not open it"
openssl x509 -in "$S/ca/ca.crt" -noout -pubkey >ca.pub
openssl pkey -in stolen.key -passin file:pass -pubout >key.pub
cmp -s ca.pub key.pub && ok || bad "the encrypted key is not the CA's"

# A change to sign: without the passphrase, or with a wrong one, apply fails and changes nothing.
write_toml passphrase alice bob
before=$(state_sum "$S")
expect_exit 1 cg apply
expect_grep "ca/ca.key is encrypted: give its passphrase with --ca-passphrase-file FILE" "$TMP/err"
[ "$(state_sum "$S")" = "$before" ] && ok || bad "apply without the passphrase changed the state"
expect_grep '"action":"apply-failed".*ca/ca.key is encrypted' "$S/audit.log"
for v in "" -v -vv -vvv; do
  # shellcheck disable=SC2086
  expect_exit 1 cg --ca-passphrase-file wrong $v apply
  no_passphrase_in "a wrong passphrase at ${v:-no -v}"
done
expect_grep "ca/ca.key does not decrypt with the passphrase from --ca-passphrase-file wrong; nothing was changed" "$TMP/err"
[ "$(state_sum "$S")" = "$before" ] && ok || bad "apply with a wrong passphrase changed the state"
[ ! -e "$S/devices/bob" ] && ok || bad "bob was issued with a wrong passphrase"
# A passphrase file open to others is refused before it is read.
cp pass open && chmod 644 open
expect_exit 1 cg --ca-passphrase-file open apply
expect_grep "refusing to use open: its mode is 0644, open to others" "$TMP/err"
expect_exit 1 cg --ca-passphrase-file missing apply
expect_grep "ca-passphrase-file missing: no such file" "$TMP/err"

# The environment and systemd's credential both work; the option wins over the credential.
expect_exit 0 env CERTGATE_CA_PASSPHRASE_FILE="$TMP/pass" "$CERTGATE" --source certgate.toml \
  --state-dir "$S" -vv apply
no_passphrase_in "apply through CERTGATE_CA_PASSPHRASE_FILE"
[ -e "$S/devices/bob/cert.pem" ] && ok || bad "bob was not issued"
mkdir -p creds && cp pass creds/certgate-ca-passphrase && chmod 400 creds/certgate-ca-passphrase
write_toml passphrase alice bob carol
expect_exit 1 env CREDENTIALS_DIRECTORY="$TMP/creds" "$CERTGATE" --source certgate.toml \
  --state-dir "$S" --ca-passphrase-file wrong apply
expect_exit 0 env CREDENTIALS_DIRECTORY="$TMP/creds" "$CERTGATE" --source certgate.toml \
  --state-dir "$S" apply
[ -e "$S/devices/carol/cert.pem" ] && ok || bad "carol was not issued through the credential"
openssl verify -CAfile "$S/ca/ca.crt" "$S/devices/carol/cert.pem" >/dev/null && ok || bad "carol's certificate does not verify"

# ca protect: a plain CA key, encrypted in place, still the same key.
P=$TMP/plain
write_toml "" alice
expect_exit 0 "$CERTGATE" --source certgate.toml --state-dir "$P" apply
openssl pkey -in "$P/ca/ca.key" -pubout >plain.pub
write_toml passphrase alice bob
expect_exit 0 "$CERTGATE" --source certgate.toml --state-dir "$P" --ca-passphrase-file pass apply
expect_grep 'ca/ca.key is not encrypted though \[ca\] key_protection = "passphrase": run `certgate ca protect`' "$TMP/err"
expect_exit 1 "$CERTGATE" --state-dir "$P" ca protect
expect_grep 'ca protect needs the passphrase' "$TMP/err"
cp -a "$P" "$TMP/plain-copy"
expect_exit 0 "$CERTGATE" --state-dir "$P" --ca-passphrase-file pass -vvv ca protect
no_passphrase_in "ca protect -vvv"
head -1 "$P/ca/ca.key" | grep -q ENCRYPTED && ok || bad "ca protect left the key plain"
openssl pkey -in "$P/ca/ca.key" -passin file:pass -pubout | cmp -s - plain.pub && ok || bad "ca protect changed the key"
expect_exit 0 "$CERTGATE" --state-dir "$P" --ca-passphrase-file pass ca protect
expect_grep 'encrypted already; nothing to do' "$TMP/out"
expect_exit 1 "$CERTGATE" --state-dir "$P" --ca-passphrase-file wrong ca protect
expect_grep 'is encrypted already, and not with the passphrase from --ca-passphrase-file wrong' "$TMP/err"
write_toml passphrase alice bob carol
expect_exit 0 "$CERTGATE" --source certgate.toml --state-dir "$P" --ca-passphrase-file pass apply
[ -e "$P/devices/carol/cert.pem" ] && ok || bad "the protected CA did not sign"

# SIGKILL at many points of ca protect: the key loads every time (plain or encrypted), is the
# same key, and the next protect finishes the job.
start=$(date +%s%N)
cp -a "$TMP/plain-copy" "$TMP/k"
"$CERTGATE" --state-dir "$TMP/k" --ca-passphrase-file pass ca protect >/dev/null
run_ns=$(($(date +%s%N) - start))
plain=0 sealed=0
for i in $(seq 0 24); do
  rm -rf "$TMP/k" && cp -a "$TMP/plain-copy" "$TMP/k"
  "$CERTGATE" --state-dir "$TMP/k" --ca-passphrase-file pass ca protect >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v n="$run_ns" -v i="$i" 'BEGIN { printf "%.4f", n * i / 20 / 1e9 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if openssl pkey -in "$TMP/k/ca/ca.key" -passin file:pass -pubout 2>/dev/null | cmp -s - plain.pub; then
    ok; else bad "kill $i: ca.key does not load"; fi
  if head -1 "$TMP/k/ca/ca.key" | grep -q ENCRYPTED; then sealed=$((sealed + 1)); else plain=$((plain + 1)); fi
  expect_exit 0 "$CERTGATE" --state-dir "$TMP/k" --ca-passphrase-file pass ca protect
  head -1 "$TMP/k/ca/ca.key" | grep -q ENCRYPTED && ok || bad "kill $i: protect did not finish after the kill"
done
[ "$plain" -gt 0 ] && [ "$sealed" -gt 0 ] && ok || bad "the kills did not land on both sides of the rename (plain $plain, encrypted $sealed)"
echo "ca protect killed 25 times: $plain left plain, $sealed encrypted"
finish
