#!/usr/bin/env bash
# A [ca] that no longer describes the CA in the state is never passed over in silence: another
# validity is not acted on (plan names the difference, its "No changes" line does not claim the
# CA matches, and apply keeps the CA); another common_name or key type makes a rollover.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
trap '[ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
write_toml() {  # write_toml CA_LINES
  printf 'schema = 1\n\n[ca]\n%s\n\n[[device]]\nname = "alice"\n' "$1" >certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }

write_toml 'common_name = "Home CA"'
expect_exit 0 cg apply
expect_exit 0 cg plan --detailed-exitcode
expect_grep '^No changes: the CA, the certificates and the CRL match the desired state\.$' "$TMP/out"
if grep -q 'does not match \[ca\]' "$TMP/out"; then bad "a matching [ca] got a drift note"; else ok; fi
ca_before=$(sha256sum <"$S/ca/ca.crt")

# Another validity is only noted: the CA is kept.
write_toml $'common_name = "Home CA"\nvalidity = "5y"'
expect_exit 0 cg plan --detailed-exitcode
expect_grep '^No changes: the certificates and the CRL match the desired state; the CA does not \(see the note\), and is kept\.$' "$TMP/out"
expect_grep 'the CA in the state does not match \[ca\]: validity is 5y in \[ca\], 10y in the CA certificate' "$TMP/out"
expect_exit 0 cg plan --json
cp "$TMP/out" plan.json
expect_exit 0 python3 -c 'import json,sys; n=json.load(open(sys.argv[1]))["notes"]; assert any("does not match [ca]" in x for x in n), n' plan.json
expect_exit 0 cg apply
[ "$(sha256sum <"$S/ca/ca.crt")" = "$ca_before" ] && ok || bad "apply replaced the CA"
expect_grep 'does not match \[ca\]' "$TMP/out"
# Another common_name or key type makes a rollover (tests/integration/ca_rollover.sh): the old CA
# stays beside the new one, alice keeps her certificate and gets a successor.
write_toml $'common_name = "Office CA"\nkey = "ec-p384"'
expect_exit 2 cg plan --detailed-exitcode
expect_grep 'issue +next-ca +Office CA, ec-p384' "$TMP/out"
expect_exit 0 cg apply
[ "$(sha256sum <"$S/ca-previous/ca.crt")" = "$ca_before" ] && ok || bad "the old CA is not kept beside the new one"
openssl x509 -in "$S/ca/ca.crt" -noout -subject | grep -q 'Office CA' && ok || bad "the new CA is not Office CA"
finish
