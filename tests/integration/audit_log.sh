#!/usr/bin/env bash
# STATE/audit.log: one JSON line (jq reads it) per issue, renewal, revocation, CRL, deploy,
# enrollment link and refusal (unsigned commit, rewind, stale plan, mass revocation), with the
# time, the command, the commit, its author and, with --require-signed, the signer's key
# fingerprint; 0600; never a secret (no key, bundle password or link token); `certgate status
# --audit N` shows the last N, and status --json carries them as the schema says.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
S=$TMP/state
ssh-keygen -q -t ed25519 -N '' -C alice -f signer
echo "alice@example.com namespaces=\"git\" $(cut -d' ' -f1,2 signer.pub)" >allowed_signers
git init -q -b main repo
write_toml() {  # write_toml DEVICES_EXTRA
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Audit CA"

[[device]]
name = "alice"
groups = ["admins"]
$1

[[site]]
name = "admin"
server_names = ["admin.test"]

[enroll]
site = "admin"
path = "/enroll/"

[safety]
max_revocations = 1

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
TOML
}
commit() { git -C repo add -A && git -C repo -c gpg.format=ssh -c user.signingkey="$TMP/signer" commit -q -S -m "$1"; }
cg() { "$CERTGATE" --state-dir "$S" --source repo "$@"; }
LOG=$S/audit.log
last() { jq -c "select(.action == \"$1\")" "$LOG" | tail -1; }
# expect_event FILTER: some line of the log passes FILTER (jq -e alone judges only the last line).
expect_event() { expect_exit 0 jq -e -s "map(select($1)) | length > 0" "$LOG"; }

DEVS=$'[[device]]\nname = "bob"\n[[device]]\nname = "carol"\n[[device]]\nname = "dave"'
write_toml "$DEVS"
commit "four devices"
expect_exit 0 cg sync --require-signed --allowed-signers allowed_signers
[ "$(stat -c %a "$LOG")" = 600 ] && ok || bad "audit.log is $(stat -c %a "$LOG"), want 600"
head=$(git -C repo rev-parse HEAD)
expect_event ".action == \"issue\" and .device == \"alice\" and .commit == \"$head\"
  and .author == \"ci <ci@example.com>\" and .command == \"sync\"
  and (.signer | test(\"^alice@example.com SHA256:\")) and (.serial | test(\"^[0-9A-F]+\$\"))"
fp=$(ssh-keygen -lf signer.pub | awk '{print $2}')
grep -qF "\"signer\":\"alice@example.com $fp\"" "$LOG" && ok || bad "no signer fingerprint $fp in $LOG"
[ "$(jq -r 'select(.action == "issue") | .device' "$LOG" | sort | tr '\n' ' ')" = "alice bob carol dave " ] \
  && ok || bad "not one issue line per device"
expect_event '.action == "crl" and .detail == "crlNumber 1"'
expect_event '.action == "deploy" and .target == "local" and .detail == "reloaded" and .count > 0'
expect_event '.action == "ca" and .detail == "created"'

# Refused: an unsigned commit.
write_toml "$DEVS"$'\nrevoked = "keyCompromise"'
git -C repo add -A && git -C repo commit -q -m "unsigned: revoke dave"
expect_exit 1 cg sync --require-signed --allowed-signers allowed_signers
expect_event ".action == \"refuse\" and .commit == \"$(git -C repo rev-parse HEAD)\" and (.reason | test(\"not signed\"))"
# Signed, it is a revocation with its reason and a new CRL.
git -C repo -c gpg.format=ssh -c user.signingkey="$TMP/signer" commit -q --amend --no-edit -S
expect_exit 0 cg sync --require-signed --allowed-signers allowed_signers
expect_event '.action == "revoke" and .device == "dave" and .reason == "keyCompromise"'
expect_event '.action == "crl" and .detail == "crlNumber 2"'

# Refused: a rewind to the commit before.
good=$(git -C repo rev-parse HEAD)
git -C repo reset -q --hard HEAD~1
expect_exit 1 cg sync
last refuse >refuse.json
expect_grep '"reason":"[^"]*does not descend' refuse.json
git -C repo reset -q --hard "$good"

# Refused: mass revocation (two at once, max_revocations = 1).
write_toml ""
commit "drop bob, carol and dave"
expect_exit 1 cg sync
last refuse >refuse.json
expect_grep 'max_revocations' refuse.json
git -C repo reset -q --hard "$good"

# Refused: a stale saved plan.
expect_exit 0 cg plan --out saved.plan
write_toml "$DEVS"$'\nrevoked = "keyCompromise"\n[[device]]\nname = "erin"'
commit "erin"
expect_exit 1 cg apply saved.plan
last refuse >refuse.json
expect_grep '"reason":"plan is stale' refuse.json
expect_exit 0 cg apply
expect_event '.action == "issue" and .device == "erin" and .command == "apply"'

# A renewal (a new key type) names the certificate it replaces.
write_toml "$DEVS"$'\nrevoked = "keyCompromise"\n[[device]]\nname = "erin"\nkey = "ec-p384"'
commit "erin on p384"
expect_exit 0 cg apply
expect_event '.action == "renew" and .device == "erin" and (.detail | test("^replaces [0-9A-F]+$"))'

# Enrollment links: opened and cancelled, with the device and the expiry, never the token.
expect_exit 0 cg enroll bob
token=$(grep -oE '/e/[0-9a-f]+/' "$TMP/out" | head -1 | cut -d/ -f3)
password=$(cat "$S/devices/bob/bundle.pass")
expect_event '.action == "enroll" and .device == "bob" and (.detail | test("^link opened, expires "))'
expect_exit 0 cg enroll bob --cancel
expect_event '.action == "enroll" and .detail == "link cancelled" and .device == "bob"'

# Nothing secret: no link token, bundle password or PEM key.
[ -n "$token" ] && [ -n "$password" ] && ok || bad "no token or password to look for"
for secret in "$token" "$password" "PRIVATE KEY"; do
  if grep -qF -- "$secret" "$LOG"; then bad "audit.log holds a secret"; else ok; fi
done
# Every line is one JSON object.
expect_exit 0 jq -e -s 'length > 10 and all(.[]; type == "object" and has("time") and has("action") and has("command"))' "$LOG"

# status shows the last N; status --json carries them, valid against the schema.
expect_exit 0 cg status --audit 3
[ "$(sed -n '/^Audit (STATE\/audit.log, last 3):/,$p' "$TMP/out" | grep -c '^  {')" = 3 ] && ok || bad "status --audit 3 did not show 3 lines"
tail -1 "$LOG" >want
grep -qF "  $(cat want)" "$TMP/out" && ok || bad "status --audit does not end with the log's last line"
expect_exit 0 cg status --json --audit 2
cp "$TMP/out" status.json
expect_exit 0 jq -e '.audit | length == 2' status.json
expect_exit 0 python3 -c "
import json, jsonschema
schema = json.load(open('$CERTGATE_SOURCE_DIR/schemas/status.schema.json'))
jsonschema.validate(json.load(open('status.json')), schema)"
# A line a crash cut short stays one line of its own: the next events are whole lines after it.
truncate -s -20 "$LOG"
write_toml "$DEVS"$'\nrevoked = "keyCompromise"\n[[device]]\nname = "erin"\nkey = "ec-p384"\n[[device]]\nname = "gwen"'
commit "gwen"
expect_exit 0 cg apply
expect_exit 0 jq -e -R -s '[split("\n")[] | select(length > 0) | fromjson?] | map(select(.action == "issue" and .device == "gwen")) | length == 1' "$LOG"
[ "$(jq -R 'fromjson? // "bad"' "$LOG" | grep -c '^"bad"$')" = 1 ] && ok || bad "not exactly one cut line in $LOG"
# --log-format json puts each event in the log too, as JSON (the journal's copy).
write_toml "$DEVS"$'\nrevoked = "keyCompromise"\n[[device]]\nname = "erin"\nkey = "ec-p384"\n[[device]]\nname = "gwen"\n[[device]]\nname = "frank"'
commit "frank"
expect_exit 0 cg --log-format json apply
cp "$TMP/err" log.json
expect_exit 0 jq -e -s 'map(select(.event == "audit" and .action == "issue" and .device == "frank")) | length == 1' log.json
finish
