#!/usr/bin/env bash
# Review in a pull request (issue #14), the parts that need no CA host: `plan --base REF` compares
# the pull request's desired state with the base branch's, without any state (who gains and loses
# which site, and why; devices added, revoked, regrouped; the whole-site warning failing CI with
# --detailed-exitcode); and the agent publishes its snapshot to a git branch that CI fetches with
# plain git, committing only when something changed.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
git init -q -b main repo
write_toml() {  # write_toml DEVICES GRAFANA_EXTRA
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Base CA"

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

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
TOML
}
dev() { printf '[[device]]\nname = "%s"\ngroups = [%s]\n%s\n' "$1" "$2" "${3:-}"; }
commit() { git -C repo add -A && git -C repo commit -qm "$1" && git -C repo rev-parse HEAD; }

write_toml "$(dev alice '"admins"'; dev bob '"admins"'; dev carol '"ops"')" ""
main=$(commit "three devices")
git -C repo checkout -q -b pr
write_toml "$(dev alice '"admins"'; dev bob '"admins"' 'revoked = "keyCompromise"'
  dev carol '"ops", "admins"'; dev dave '"ops"')" 'public_paths = ["/"]'
commit "dave, revoke bob, carol to admins, grafana public" >/dev/null

# 1. plan --base main in the pull request's checkout: no state is read or made.
cd repo
expect_exit 0 "$CERTGATE" --state-dir "$TMP/none" plan --base main
cp "$TMP/out" "$TMP/base.txt"
cd "$TMP"
[ ! -e "$TMP/none" ] && ok || bad "plan --base created a state directory"
expect_grep "^Compared with main \(commit ${main:0:7}\)" base.txt
expect_grep '^ +\+ added +dave +groups ops' base.txt
expect_grep '^ +- revoked +bob +keyCompromise' base.txt
expect_grep '^ +~ groups +carol +ops -> admins, ops' base.txt
expect_grep '^ +\+ dave -> grafana +new device' base.txt
expect_grep '^ +\+ carol -> admin +joined group admins' base.txt
expect_grep '^ +- bob -> admin +revoked \(keyCompromise\)' base.txt
expect_grep '^ +\+ public / -> grafana +public_paths' base.txt
expect_grep '^Warning: site grafana becomes public' base.txt
# The same as JSON, and failing CI: the change opens grafana to everyone.
cd repo
expect_exit 1 "$CERTGATE" --state-dir "$TMP/none" plan --base main --format json --detailed-exitcode
cp "$TMP/out" "$TMP/base.json"
expect_grep 'site grafana becomes public' "$TMP/err"
cd "$TMP"
python3 - base.json "$main" <<'PY' && ok || bad "plan --base --format json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ref"] == "main" and d["commit"] == sys.argv[2], d
kinds = {(c["device"], c["kind"]) for c in d["devices"]}
assert {("dave", "added"), ("bob", "revoked"), ("carol", "groups")} <= kinds, kinds
gains = {(a["device"], a["site"]) for a in d["access"] if a["kind"] == "device" and a["change"] == "gain"}
assert gains == {("dave", "grafana"), ("carol", "admin")}, gains
assert all(a["why"] for a in d["access"]), d["access"]
PY

# 2. Nothing changes for people: exit 0 with --detailed-exitcode, "No change for people."
cd repo
git checkout -q main
expect_exit 0 "$CERTGATE" --state-dir "$TMP/none" plan --base main --detailed-exitcode
expect_grep 'No change for people' "$TMP/out"
git checkout -q pr
cd "$TMP"

# 3. A CI checkout: origin/main works; a shallow clone without the base says how to fetch it.
git clone -q "file://$TMP/repo" ci
git -C ci checkout -q pr
cd ci
expect_exit 0 "$CERTGATE" plan --base origin/main
expect_grep "^Compared with origin/main" "$TMP/out"
cd "$TMP"
git clone -q --depth 1 --branch pr "file://$TMP/repo" shallow
cd shallow
expect_exit 1 "$CERTGATE" plan --base main
expect_grep 'no such branch, tag or commit .*git fetch origin main' "$TMP/err"
cd "$TMP"

# 4. The CA host's agent publishes its snapshot to a branch of a bare repository.
git init -q --bare remote.git
git -C repo push -q "$TMP/remote.git" main pr
git -C repo checkout -q main
cg() { "$CERTGATE" --state-dir "$S" "$@"; }
expect_exit 0 cg sync --source repo --snapshot-repo "$TMP/remote.git"
count() { git -C remote.git rev-list --count certgate/snapshot; }
[ "$(count)" = 1 ] && ok || bad "the snapshot branch has $(count) commits, want 1"
git -C remote.git show certgate/snapshot:snapshot.json >published.json
expect_grep '"kind": "certgate snapshot"' published.json
[ "$(git -C remote.git ls-tree --name-only certgate/snapshot)" = snapshot.json ] && ok ||
  bad "the snapshot branch holds more than snapshot.json"
expect_exit 1 grep -q "PRIVATE KEY" published.json
# Nothing new: no commit (only taken_at differs). main and pr are untouched.
main_before=$(git -C remote.git rev-parse main)
sleep 1  # a tick in another second: its taken_at and the last apply's time differ
expect_exit 0 cg sync --source repo --snapshot-repo "$TMP/remote.git"
[ "$(count)" = 1 ] && ok || bad "an unchanged snapshot made a commit"
[ "$(git -C remote.git rev-parse main)" = "$main_before" ] && ok || bad "main moved"
# A new device: a new commit on top of the first.
write_toml "$(dev alice '"admins"'; dev bob '"admins"'; dev carol '"ops"'; dev erin '"ops"')" ""
commit "erin" >/dev/null
expect_exit 0 cg sync --source repo --snapshot-repo "$TMP/remote.git"
[ "$(count)" = 2 ] && ok || bad "a changed snapshot made no commit"

# 5. CI fetches it with plain git and plans the pull request with it and the base: both at once.
git -C ci fetch -q "file://$TMP/remote.git" certgate/snapshot
git -C ci show FETCH_HEAD:snapshot.json >ci-snap.json
cd ci
expect_exit 1 "$CERTGATE" --state-dir "$TMP/none" plan --observed "$TMP/ci-snap.json" \
  --base origin/main --format json --detailed-exitcode
cd "$TMP"
python3 - "$TMP/out" <<'PY' && ok || bad "plan --observed --base --format json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["base"]["ref"] == "origin/main", d.get("base")
assert any(a["kind"] == "issue" and a["subject"] == "dave" for a in d["actions"]), d["actions"]
assert any(a["kind"] == "revoke" and a["subject"] == "bob" for a in d["actions"]), d["actions"]
PY
[ ! -e "$TMP/none" ] && ok || bad "a state directory was created"
finish
