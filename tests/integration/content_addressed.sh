#!/usr/bin/env bash
# Generated files are content-addressed (DESIGN.md section 4): a running agent and a real nginx.
# A comment-only commit and a device no site allows are applied (state.json moves to their
# commit) but rewrite no deployed file (same bytes, inode and mtime) and reload nothing (same
# master and worker pids, same X-Certgate-Generation, no reload command run). A revocation
# rewrites exactly crl.pem, http.conf and the manifest, reloads once, and shuts the revoked
# device out; the manifest and `status --json` then name the revocation's commit.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
AGENT=""
trap '[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null; nginx_stop; [ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
nginx_prepare admin admin.test
git init -q -b main repo

# The reload command counts its runs, so "nginx was not reloaded" does not rest on pids alone.
write_toml() {  # write_toml EXTRA
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Content CA"

[[device]]
name = "alice"
groups = ["admins"]

[[device]]
name = "carol"
groups = ["admins"]
$1

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]
probe = "https://127.0.0.1:$NGX_PORT/"

[nginx]
dir = "$CG_DIR"
test = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t"
reload = "echo reload >>$NGX/reloads && nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload"
TOML
}
commit() { git -C repo add -A && git -C repo commit -qm "$1" && git -C repo rev-parse HEAD; }
cg() { "$CERTGATE" --state-dir "$S" --source repo "$@"; }
wait_for() {  # wait_for SECONDS TEST...: polls until TEST succeeds
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
applied_commit() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_applied"]["commit"])' \
    "$S/state.json" 2>/dev/null || true
}
applied_is() { [ "$(applied_commit)" = "$1" ]; }
# Every file under the nginx dir (dotfiles too): path, inode, mtime to the nanosecond, sha256.
snapshot() {
  (cd "$CG_DIR" && find . -type f | LC_ALL=C sort | while read -r f; do
    echo "$f $(stat -c '%i %y' "$f") $(sha256sum <"$f" | cut -d' ' -f1)"
  done)
}
workers() { pgrep -P "$NGX_PID" | sort | tr '\n' ' '; }
generation() {
  curl -sk -o /dev/null -D - --max-time 10 --resolve "admin.test:$NGX_PORT:127.0.0.1" \
    "https://admin.test:$NGX_PORT/" | tr -d '\r' | sed -n 's/^X-Certgate-Generation: //Ip'
}
reloads() { [ -f "$NGX/reloads" ] && wc -l <"$NGX/reloads" || echo 0; }
dev() { echo "--cert $S/devices/$1/cert.pem --key $S/devices/$1/key.pem"; }
# The state of nginx and its files, to compare before and after a commit.
observe() {  # observe NAME: $TMP/NAME.files and $TMP/NAME.nginx
  snapshot >"$TMP/$1.files"
  { echo "master $NGX_PID $(cat "$NGX/nginx.pid")"; echo "workers $(workers)"
    echo "generation $(generation)"; echo "reloads $(reloads)"; } >"$TMP/$1.nginx"
}
same() {  # same BEFORE AFTER WHAT
  if cmp -s "$TMP/$1.$3" "$TMP/$2.$3"; then ok; else
    bad "$2: $3 changed"; diff "$TMP/$1.$3" "$TMP/$2.$3" | sed 's/^/  | /' >&2 || true
  fi
}
target_json() {  # target_json FIELD: status --json's field for the local target
  cg status --json 2>/dev/null | python3 -c '
import json, sys
t = [t for t in json.load(sys.stdin)["targets"] if t["target"] == "local"]
print(t[0][sys.argv[1]] if t else "<no local target>")' "$1"
}

# --- the first commit, deployed; then nginx includes the files ----------------------------
write_toml ""
c1=$(commit "alice and carol")
nginx_start
# nginx.conf does not include the files yet: the first sync says what to add (nginx_gate.sh).
expect_exit 0 cg sync
nginx_include_certgate
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice before: $(curl_status $(dev alice))"
# shellcheck disable=SC2046
[ "$(curl_status $(dev carol))" = 200 ] && ok || bad "carol before: $(curl_status $(dev carol))"
[ -n "$(generation)" ] && ok || bad "no X-Certgate-Generation header"
[ -n "$(workers)" ] && ok || bad "no nginx workers under master $NGX_PID"

"$CERTGATE" --state-dir "$S" --source repo agent --interval 1s --jitter 0s \
  --metrics-file "$TMP/certgate.prom" >agent.log 2>&1 &
AGENT=$!
wait_for 15 grep -qs "^certgate_applied_commit_info{commit=\"$c1\"" "$TMP/certgate.prom" &&
  ok || bad "the agent's first tick did not report $c1"
observe base

# --- 1: a comment-only commit is applied and changes nothing on disk or in nginx ----------
printf '\n# A comment only: no file depends on it.\n' >>repo/certgate.toml
c2=$(commit "a comment")
wait_for 15 applied_is "$c2" && ok || bad "state.json: last applied $(applied_commit), want $c2"
wait_for 5 grep -qs "^certgate_applied_commit_info{commit=\"$c2\"" "$TMP/certgate.prom" &&
  ok || bad "metrics do not name $c2"
expect_grep '^certgate_sync_success 1$' "$TMP/certgate.prom"
nginx_settle
observe comment
same base comment files
same base comment nginx
# The manifest is rewritten only by a deploy that changes files: the target still came from c1.
[ "$(target_json last_applied_commit)" = "$c1" ] && ok ||
  bad "status --json target commit after a comment: $(target_json last_applied_commit), want $c1"

# --- 2: a device in a group no site allows: issued, listed, and no file changes -----------
write_toml $'\n[[device]]\nname = "eve"\ngroups = ["lab"]'
c3=$(commit "eve, in no site's group")
wait_for 15 applied_is "$c3" && ok || bad "state.json: last applied $(applied_commit), want $c3"
[ -f "$S/devices/eve/cert.pem" ] && ok || bad "eve was not issued"
nginx_settle
observe eve
same base eve files
same base eve nginx
expect_exit 0 cg status
expect_grep '^ *eve\b' "$TMP/out"
# shellcheck disable=SC2046
[ "$(curl_status $(dev eve))" = 403 ] && ok || bad "eve, allowed by no site: $(curl_status $(dev eve))"

# --- 3: a revocation rewrites crl.pem, http.conf and the manifest, and reloads once -------
observe pre  # compared with the state just before, so that a failure above does not carry over
cp "$S/devices/carol/cert.pem" carol.crt  # a revocation for keyCompromise deletes the key
cp "$S/devices/carol/key.pem" carol.key
write_toml $'revoked = "keyCompromise"\n\n[[device]]\nname = "eve"\ngroups = ["lab"]'
c4=$(commit "revoke carol")
wait_for 20 applied_is "$c4" && ok || bad "state.json: last applied $(applied_commit), want $c4"
# Apply records the commit after the reload, then waits for the new generation; so do we.
want_gen=$(sed -n 's/.*X-Certgate-Generation "\(.*\)".*/\1/p' "$CG_DIR/http.conf")
gen_is_new() { [ "$(generation)" = "$want_gen" ]; }
wait_for 15 gen_is_new && ok || bad "nginx serves generation $(generation), want $want_gen"
nginx_settle
observe revoked
changed=$(join -j1 <(sort "$TMP/pre.files") <(sort "$TMP/revoked.files") |
  awk '{ if ($2 != $7) print $1 }' | LC_ALL=C sort | tr '\n' ' ')
[ "$changed" = "./.certgate-manifest.json ./crl.pem ./http.conf " ] && ok ||
  bad "a revocation gave new inodes to: $changed (want the manifest, crl.pem, http.conf)"
for f in ./ca.pem ./sites/admin.conf ./sites/admin.proxy.conf; do
  [ "$(grep "^$f " "$TMP/pre.files")" = "$(grep "^$f " "$TMP/revoked.files")" ] && ok ||
    bad "$f was rewritten by a revocation"
done
[ "$(cut -d' ' -f1 "$TMP/pre.files")" = "$(cut -d' ' -f1 "$TMP/revoked.files")" ] && ok ||
  bad "the set of files changed: $(diff <(cut -d' ' -f1 "$TMP/pre.files") <(cut -d' ' -f1 "$TMP/revoked.files") | tr '\n' ' ')"
[ "$(reloads)" = $(($(sed -n 's/^reloads //p' "$TMP/pre.nginx") + 1)) ] && ok ||
  bad "reloads: $(reloads), want one more than $(sed -n 's/^reloads //p' "$TMP/pre.nginx")"
[ "$(cat "$NGX/nginx.pid")" = "$NGX_PID" ] && ok || bad "the nginx master changed"
[ "$(workers)" != "$(sed -n 's/^workers //p' "$TMP/pre.nginx")" ] && ok ||
  bad "no new nginx workers after the revocation: $(workers)"
[ "$(generation)" != "$(sed -n 's/^generation //p' "$TMP/pre.nginx")" ] && ok ||
  bad "X-Certgate-Generation unchanged after the revocation"
[ "$(curl_status --cert carol.crt --key carol.key)" = 400 ] && ok ||
  bad "revoked carol: $(curl_status --cert carol.crt --key carol.key)"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice after: $(curl_status $(dev alice))"
# Nothing more happens on the following ticks.
sleep 2.5
observe later
same revoked later files
same revoked later nginx

# --- 4: the manifest and status name the revocation's commit ------------------------------
python3 - "$CG_DIR/.certgate-manifest.json" "$c4" <<'PY' && ok || bad "the manifest does not name $c4"
import json, sys
m = json.load(open(sys.argv[1]))
assert m["commit"] == sys.argv[2] and m["source"] == "git commit " + sys.argv[2], m
PY
[ "$(target_json last_applied_commit)" = "$c4" ] && ok ||
  bad "status --json targets[local].last_applied_commit: $(target_json last_applied_commit), want $c4"
[ "$(target_json generated_from)" = "git commit $c4" ] && ok ||
  bad "status --json targets[local].generated_from: $(target_json generated_from)"
cg status --json >"$TMP/status.json" 2>/dev/null || true
python3 - "$TMP/status.json" "$c4" <<'PY' && ok || bad "status --json: last applied, eve or carol"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["last_applied_commit"] == sys.argv[2], j["last_applied_commit"]
d = {x["name"]: x for x in j["devices"]}
assert d["eve"]["state"] == "valid" and d["carol"]["state"] == "revoked", d
PY

kill -TERM "$AGENT"
code=0
wait "$AGENT" || code=$?
AGENT=""
[ "$code" = 0 ] && ok || bad "agent exit $code on SIGTERM"
if grep -qE '^(warning|error|critical):' agent.log; then bad "the agent logged errors"; sed 's/^/  | /' agent.log >&2; else ok; fi
finish
