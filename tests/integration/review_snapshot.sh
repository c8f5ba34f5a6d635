#!/usr/bin/env bash
# Review in a pull request (issue #14): the CA host's agent writes a snapshot after each tick;
# on a separate directory with no state (a CI runner), `plan --observed` from that snapshot and
# the pull request's checkout gives the actions and access diff `plan` gives on the CA host for
# the same commit; the snapshot holds no key, bundle, password or enrollment token; no state
# directory is created; a plan apply would refuse, or one opening a site to everyone, fails CI
# with --detailed-exitcode; a stale snapshot is refused.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
git init -q -b main repo
GROUP=$(id -gn)
write_toml() {  # write_toml DEVICES GRAFANA_EXTRA
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Review CA"

$1

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]

[[site]]
name = "grafana"
server_names = ["grafana.test"]
allow_groups = ["ops"]
$2

[enroll]
site = "admin"

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
worker_group = "$GROUP"
TOML
}
devices() {  # devices NAME:GROUP... [revoked NAME]
  for d in "$@"; do
    printf '[[device]]\nname = "%s"\ngroups = ["%s"]\n' "${d%%:*}" "${d#*:}"
    [ "${d%%:*}" = "$REVOKE" ] && printf 'revoked = "keyCompromise"\n'
    printf '\n'
  done
}
commit() { git -C repo add -A && git -C repo commit -qm "$1" && git -C repo rev-parse HEAD; }
cg() { "$CERTGATE" --state-dir "$S" "$@"; }
json_get() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }

# 1. The CA host: five devices, an open enrollment link, a sync writing the snapshot.
REVOKE=""
ALL=(alice:admins bob:admins carol:ops dave:ops erin:admins)
write_toml "$(devices "${ALL[@]}")" ""
commit "five devices" >/dev/null
expect_exit 0 cg sync --source repo --snapshot-file "$TMP/snap.json"
expect_exit 0 cg enroll erin --source repo
token=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["token"])' "$S/enroll/erin.json")
expect_exit 0 cg sync --source repo --snapshot-file "$TMP/snap.json"
grep -q "$token" "$TMP/nginx/pickup/links.conf" && ok || bad "the link is not deployed"
[ "$(stat -c %a "$TMP/snap.json")" = 644 ] && ok || bad "snapshot mode $(stat -c %a "$TMP/snap.json")"
# It is what schemas/snapshot.schema.json says (Debian's python3 has python3-jsonschema).
expect_exit 0 /usr/bin/python3 - "$CERTGATE_SOURCE_DIR/schemas/snapshot.schema.json" "$TMP/snap.json" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
schema, doc = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
errors = list(Draft202012Validator(schema).iter_errors(doc))
for e in errors: print(list(e.path), e.message, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
# `certgate snapshot` says the same as the agent's file, but for when it was taken.
expect_exit 0 cg snapshot --source repo --out "$TMP/snap2.json"
strip_time() { grep -v '"taken_at"' "$1"; }
diff <(strip_time "$TMP/snap.json") <(strip_time "$TMP/snap2.json") >/dev/null && ok ||
  bad "certgate snapshot differs from sync --snapshot-file"
expect_exit 1 cg snapshot --source repo --now 2026-01-01T00:00:00Z

# 2. Nothing secret in it: no private key, no bundle, no password, no token.
expect_exit 1 grep -q "PRIVATE KEY" "$TMP/snap.json"
expect_exit 1 grep -qF "$token" "$TMP/snap.json"
for pass in "$S"/devices/*/bundle.pass; do
  pw=$(cat "$pass")
  [ -n "$pw" ] && ! grep -qF "$pw" "$TMP/snap.json" && ok || bad "a bundle password is in the snapshot ($pass)"
done
for p12 in "$S"/devices/*/bundle.p12; do
  b64=$(base64 -w0 "$p12" | cut -c1-40)
  ! grep -qF "$b64" "$TMP/snap.json" && ok || bad "a bundle is in the snapshot ($p12)"
done
for key in "$S"/ca/ca.key "$S"/devices/*/key.pem; do
  line=$(sed -n 2p "$key")
  ! grep -qF "$line" "$TMP/snap.json" && ok || bad "key material of $key is in the snapshot"
done
expect_grep '"ca/index.txt"' "$TMP/snap.json"
expect_grep '"token_sha256": "[0-9a-f]{64}"' "$TMP/snap.json"

# 3. A pull request: adds frank, revokes bob, opens grafana to everyone.
git -C repo checkout -q -b pr
REVOKE=bob
write_toml "$(devices "${ALL[@]}" frank:ops)" 'public_paths = ["/"]'
pr=$(commit "frank, revoke bob, grafana public")
git -C repo checkout -q main

# The CA host's plan for that commit, and CI's from the snapshot in a checkout without state.
expect_exit 0 cg plan --source "file://$TMP/repo" --ref pr --json
cp "$TMP/out" host.json
git clone -q repo ci
git -C ci checkout -q pr
cd ci
expect_exit 1 "$CERTGATE" --state-dir "$TMP/ci-state" plan --observed "$TMP/snap.json" --json \
  --detailed-exitcode
cd "$TMP"
cp "$TMP/out" ci.json
[ ! -e "$TMP/ci-state" ] && ok || bad "plan --observed created a state directory"
compare() {  # compare WHAT: the same in both plans ("after" of pickup files aside: see below)
  python3 - "$1" host.json ci.json <<'PY'
import json, sys
what, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
def norm(plan):
    if what == "access":
        return plan["access"]
    out = []
    for x in plan["actions"]:
        x = dict(x)
        # Headers name no source, so CI computes the CA host's bytes, except the files made
        # by apply (a new bundle) and those holding tokens CI cannot see (links.conf).
        if x["kind"] == "file" and "/pickup/" in x["subject"]:
            x.pop("after", None)
        out.append(x)
    return out
if norm(a) != norm(b):
    print(json.dumps(norm(a), indent=1)); print(json.dumps(norm(b), indent=1)); sys.exit(1)
PY
}
expect_exit 0 compare actions
expect_exit 0 compare access
expect_grep '"kind": "issue"' ci.json
expect_grep '"subject": "frank"' ci.json
expect_grep '"kind": "revoke"' ci.json
expect_grep 'becomes public' ci.json
n=$(json_get ci.json 'len(d["actions"])')
[ "$n" -ge 5 ] && ok || bad "CI plan has only $n actions"
# Fails CI: the plan opens grafana to everyone.
cd ci
expect_exit 1 "$CERTGATE" --state-dir "$TMP/ci-state" plan --observed "$TMP/snap.json" --detailed-exitcode
expect_grep 'site grafana becomes public' "$TMP/err"
cd "$TMP"

# 4. A branch deleting most devices: apply would refuse it, so CI fails (exit 1).
git -C repo checkout -q -b purge main
REVOKE=""
write_toml "$(devices alice:admins)" ""
commit "delete four devices" >/dev/null
git -C ci fetch -q origin purge && git -C ci checkout -q FETCH_HEAD
cd ci
expect_exit 1 "$CERTGATE" --state-dir "$TMP/ci-state" plan --observed "$TMP/snap.json" --detailed-exitcode
expect_grep 'apply would refuse this plan: this plan revokes or replaces the certificates of 4 devices' "$TMP/err"
cd "$TMP"
[ ! -e "$TMP/ci-state" ] && ok || bad "plan --observed created a state directory"

# 5. The applied commit itself: nothing to issue, revoke or sign, nobody gains or loses a door,
# and the pickup files (known to CI by digest only) are the deployed ones. The generated files'
# headers name their source (a git commit on the CA host, the checkout here), so those change.
git -C ci checkout -q origin/main
cd ci
expect_exit 0 "$CERTGATE" --state-dir "$TMP/ci-state" plan --observed "$TMP/snap.json" --json
cd "$TMP"
python3 - "$TMP/out" <<'PY' && ok || bad "plan --observed of the applied commit proposes more than headers"
import json, sys
plan = json.load(open(sys.argv[1]))
pki = [a for a in plan["actions"] if a["kind"] not in ("file", "reload")]
pickup = [a for a in plan["actions"] if a["kind"] == "file" and "/pickup/" in a["subject"]
          and not a["subject"].endswith("/links.conf")]
print(pki, pickup, plan["access"])
sys.exit(1 if pki or pickup or plan["access"] else 0)
PY

# 6. A stale snapshot is refused loudly, and a snapshot that is not one too.
sleep 2
cd ci
expect_exit 1 "$CERTGATE" plan --observed "$TMP/snap.json" --max-snapshot-age 1s
expect_grep 'the snapshot was taken at .* longer than --max-snapshot-age' "$TMP/err"
echo '{"format_version": 1}' >"$TMP/bad.json"
expect_exit 1 "$CERTGATE" plan --observed "$TMP/bad.json"
expect_grep 'snapshot: taken_at: missing' "$TMP/err"
expect_exit 1 "$CERTGATE" plan --observed "$TMP/none.json"
cd "$TMP"
finish
