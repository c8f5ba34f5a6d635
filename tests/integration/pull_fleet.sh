#!/usr/bin/env bash
# Pull mode end to end (issue #15): a CA host whose four [[host]]s have mode = "pull" (never
# contacted over SSH) publishes their files, SSH-signed, to a bare publish repository, and four
# edges on 127.0.0.1, each with its own nginx, run `certgate edge` loops (--interval 2s) that fetch
# them: e1 and e2 over file://, e3 and e4 over ssh:// through a real sshd on loopback. The CA host
# publishes over file:// first, then over ssh:// once [publish].repo says so.
#   - plan names a file action per pull host and a publish step instead of a reload; the first
#     sync publishes one commit and every edge serves (alice 200, bob 403, no certificate 400);
#   - a comment-only commit makes no publish commit: the branch tip is unchanged;
#   - a revocation applied on the CA host is refused on every edge within one interval + margin;
#   - an unsigned commit pushed by hand, a commit signed by a key not in allowed_signers, and a
#     rewind (force-push of an older commit, which would let the revoked device back in) change
#     nothing on any edge (sha256 of every file before and after); the CA host sees the hand edit
#     as drift and heals it with a signed commit over ssh://;
#   - a publish whose files fail `nginx -t` on e4 (its operator's config includes a missing file)
#     changes nothing there while the others converge; e3, its loop stopped, is untouched, and both
#     catch up (e4 once its config is fixed, e3 once restarted);
#   - status shows each pull host's publish commit and the source its manifest names;
#   - a desired state that does not parse still gets a due CRL to the pull hosts (guard_crl).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_sshd.sh"
source "$(dirname "$0")/lib_gate_conf.sh"
cd "$TMP"
N=4
INTERVAL=2
MARGIN=3  # fetch, nginx -t, reload, and the old workers' last connections
START=$SECONDS
declare -a HTTPS BACKEND EDGE_PID FROM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
stop_all() {
  local pid
  for pid in "${EDGE_PID[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for i in $(seq $N); do
    [ -s "$TMP/e$i/nginx.pid" ] && kill "$(cat "$TMP/e$i/nginx.pid")" 2>/dev/null || true
  done
  [ -n "${SSHD_PID:-}" ] && kill "$SSHD_PID" 2>/dev/null || true
}
trap 'stop_all; cleanup' EXIT
[ -n "${KEEP_TMP:-}" ] && trap 'stop_all' EXIT

# Keys: the publisher signs publish commits; mallory is a stranger; the CA host and the ssh://
# edges log in to the sshd that serves the publish repository with keys of their own.
for k in publisher mallory ca_client edge_client hostkey; do ssh-keygen -q -t ed25519 -N '' -C "$k" -f "$k"; done
echo "publisher@example.com namespaces=\"git\" $(cut -d' ' -f1,2 publisher.pub)" >allowed_signers
cat ca_client.pub edge_client.pub >authorized_keys
chmod 600 authorized_keys
SSH_PORT=$(free_port)
sshd_write_config sshd_config "$SSH_PORT" "$TMP"
sshd_run sshd_config "$SSH_PORT" sshd.log
SSHD_PID=$SSHD_LAST_PID
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 hostkey.pub)" >known_hosts
SSH_URL="ssh://$(id -un)@127.0.0.1:$SSH_PORT$TMP/pub.git"
git init -q --bare pub.git

# --- four edges, each its own nginx; their configs include certgate's files, which the first
# tick brings (nginx starts without them) ---------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=admin.test" -keyout server.key -out server.crt 2>/dev/null
ngx_cmd() { echo "nginx -p $TMP/e$1 -c $TMP/e$1/nginx.conf -e $TMP/e$1/error.log"; }
write_conf() {  # write_conf I INCLUDE(0|1) [EXTRA HTTP LINE]
  gate_nginx_conf "$TMP/e$1" "$TMP/e$1/certgate" "${HTTPS[$1]}" "${BACKEND[$1]}" "edge=e$1" "$2" \
    "${3:-}" >"$TMP/e$1/nginx.conf"
}
edge_start() {  # edge_start I: its `certgate edge` loop in the background
  local i=$1 ssh=()
  [[ ${FROM[$i]} == ssh://* ]] && ssh=(--ssh-key "$TMP/edge_client" --known-hosts "$TMP/known_hosts")
  "$CERTGATE" --state-dir "$TMP/e$i/state" "${ssh[@]}" edge --from "${FROM[$i]}" --host "e$i" \
    --nginx-dir "$TMP/e$i/certgate" --test "$(ngx_cmd "$i") -t" --reload "$(ngx_cmd "$i") -s reload" \
    --require-signed --allowed-signers "$TMP/allowed_signers" --interval "${INTERVAL}s" \
    --max-backoff 3s >>"$TMP/e$i/edge.out" 2>>"$TMP/e$i/edge.log" &
  EDGE_PID[$i]=$!
}
for i in $(seq $N); do
  mkdir -p "e$i/tmp"
  HTTPS[$i]=$(free_port)
  BACKEND[$i]=$(free_port)
  FROM[$i]="file://$TMP/pub.git"
  [ "$i" -gt 2 ] && FROM[$i]=$SSH_URL
  write_conf "$i" 0
  $(ngx_cmd "$i") 2>>"e$i/start.err" || { cat "e$i/start.err" >&2; exit 1; }
  write_conf "$i" 1
  edge_start "$i"
done

# --- the CA host: desired state in git, four pull hosts ---------------------------------------
git init -q --bare remote.git
git init -q -b main work
PUBLISH_URL="file://$TMP/pub.git"
DAVE=""
EXTRA=""
COMMENT=""
CRL_REFRESH=1h
write_toml() {  # write_toml COMMIT_MESSAGE
  {
    cat <<TOML
schema = 1
$COMMENT
[ca]
common_name = "Pull Fleet CA"
crl_validity = "2h"
crl_refresh_before = "$CRL_REFRESH"

[[device]]
name = "alice"
groups = ["admins"]

[[device]]
name = "bob"
groups = ["staff"]

[[device]]
name = "dave"
groups = ["admins"]
$DAVE
$EXTRA

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]

[publish]
repo = "$PUBLISH_URL"
branch = "main"
signing_key = "$TMP/publisher"
TOML
    for i in $(seq $N); do
      printf '\n[[host]]\nname = "e%s"\nmode = "pull"\ndir = "%s"\n' "$i" "$TMP/e$i/certgate"
    done
  } >work/certgate.toml
  git -C work add -A && git -C work commit -qm "$1" && git -C work push -q "$TMP/remote.git" main 2>/dev/null
}
cg() {
  "$CERTGATE" --source "$TMP/remote.git" --state-dir "$TMP/state" --ssh-key "$TMP/ca_client" \
    --known-hosts "$TMP/known_hosts" "$@"
}
tip() { git -C pub.git rev-parse --verify -q main || true; }
dev() { echo "--cert $TMP/state/devices/$1/cert.pem --key $TMP/state/devices/$1/key.pem"; }
edge_curl() {  # edge_curl I [CURL ARGS...]: the HTTP status of https://admin.test/ on edge I
  local i=$1; shift
  curl -sk -o "$TMP/body" -w '%{http_code}' --max-time 5 \
    --resolve "admin.test:${HTTPS[$i]}:127.0.0.1" "$@" "https://admin.test:${HTTPS[$i]}/" || true
}
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
# wait_code I CODE SECONDS CURL ARGS...: until edge I answers CODE; prints how long it took.
wait_code() {
  local i=$1 want=$2 limit_ms=$(($3 * 1000)) t0 took; t0=$(now_ms); shift 3
  while :; do
    took=$(($(now_ms) - t0))
    if [ "$(edge_curl "$i" "$@")" = "$want" ]; then
      printf '%d.%d\n' $((took / 1000)) $((took % 1000 / 100))
      return 0
    fi
    [ "$took" -lt "$limit_ms" ] || return 1
    sleep 0.2
  done
}
edge_sha() { (cd "$TMP/e$1/certgate" && find . -type f -exec sha256sum {} + | sort); }
log_mark() { wc -l <"$TMP/e$1/edge.log"; }
# wait_log I MARK PATTERN SECONDS: a line matching PATTERN in edge I's log after line MARK.
wait_log() {
  local i=$1 mark=$2 pattern=$3 n
  for n in $(seq $(($4 * 10))); do
    tail -n +"$((mark + 1))" "$TMP/e$i/edge.log" | grep -qE -- "$pattern" && return 0
    sleep 0.1
  done
  bad "e$i: no /$pattern/ within $4 s"; tail -n 5 "$TMP/e$i/edge.log" | sed 's/^/  | /' >&2
  return 1
}
LIMIT=$((INTERVAL + MARGIN))

# 1. The plan: a file action per pull host, a publish step instead of a reload; the first sync
# publishes one signed commit and every edge serves it.
write_toml "alice, bob, dave"
expect_exit 0 cg plan
expect_grep "~ file +e1:$TMP/e1/certgate/http.conf \(new\)" "$TMP/out"
expect_grep "! publish e4: file://$TMP/pub.git branch main" "$TMP/out"
expect_grep 'Plan: 4 issue, 1 crl, 20 file, 4 publish\.' "$TMP/out"
if grep -q '! reload' "$TMP/out"; then bad "a pull host is reloaded by the CA host"; else ok; fi
cg plan --json >plan.json 2>/dev/null || true
expect_exit 0 /usr/bin/python3 - "$CERTGATE_SOURCE_DIR/schemas/plan.schema.json" plan.json <<'PY'
import json, sys
from jsonschema import Draft202012Validator
errors = list(Draft202012Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
for e in errors: print(f"{list(e.path)}: {e.message}", file=sys.stderr)
kinds = [a["kind"] for a in json.load(open(sys.argv[2]))["actions"] if a["target"] == "e2"]
assert kinds == ["file"] * 5 + ["publish"], kinds
sys.exit(1 if errors else 0)
PY
expect_exit 0 cg sync
expect_grep "published commit [0-9a-f]{7} for 4 pull hosts" "$TMP/out"
C1=$(tip)
[ "$(git -C pub.git rev-list --count main)" = 1 ] && ok || bad "the first sync made more than one commit"
git -C pub.git -c gpg.ssh.allowedSignersFile="$TMP/allowed_signers" verify-commit "$C1" 2>/dev/null &&
  ok || bad "publish commit $C1 does not verify with git verify-commit"
t0=$SECONDS
for i in $(seq $N); do
  # shellcheck disable=SC2046
  # Until its edge brings the gate, nginx serves without one; the old workers stop accepting
  # a moment after the reload.
  took=$(wait_code "$i" 400 $((LIMIT + 4))) && ok || bad "e$i never closed its door: $(edge_curl "$i")"
  echo "e$i serves the first publish after ${took:-?} s"
  sleep 0.3
  # shellcheck disable=SC2046
  [ "$(edge_curl "$i" $(dev alice))" = 200 ] && ok || bad "e$i alice: not 200"
  expect_grep "edge=e$i device=alice" "$TMP/body"
  # shellcheck disable=SC2046
  [ "$(edge_curl "$i" $(dev bob))" = 403 ] && ok || bad "e$i bob (not allowed): not 403"
done
[ -s state/state.json ] && python3 -c '
import json, sys; j = json.load(open(sys.argv[1]))
assert sorted(j["deployed"]) == ["e1", "e2", "e3", "e4"], j["deployed"].keys()
assert j["targets"] == [], j["targets"]' state/state.json && ok || bad "state.json does not record the pull hosts"

# 2. A comment-only commit: no action, no publish commit.
COMMENT="# the fleet, pulled"
write_toml "a comment"
expect_exit 0 cg plan --detailed-exitcode
expect_exit 0 cg sync
[ "$(tip)" = "$C1" ] && ok || bad "a comment-only commit made a publish commit"

# 3. A revocation reaches every edge within one interval (+ margin).
for i in $(seq $N); do
  # shellcheck disable=SC2046
  [ "$(edge_curl "$i" $(dev dave))" = 200 ] && ok || bad "e$i dave before the revocation: not 200"
done
mkdir -p kept && cp state/devices/dave/cert.pem kept/dave.pem && cp state/devices/dave/key.pem kept/dave.key
DAVE='revoked = "keyCompromise"'
write_toml "revoke dave"
expect_exit 0 cg sync
C2=$(tip)
[ "$C2" != "$C1" ] && ok || bad "the revocation was not published"
for i in $(seq $N); do
  took=$(wait_code "$i" 400 "$LIMIT" --cert kept/dave.pem --key kept/dave.key) && ok ||
    bad "e$i still lets revoked dave in after $LIMIT s"
  echo "e$i refuses revoked dave ${took:-?} s after the sync"
done
expect_exit 0 cg status
for i in $(seq $N); do
  expect_grep "Target +e$i $TMP/e$i/certgate: in sync, commit $(git -C work rev-parse --short=7 HEAD), pull: publish commit ${C2:0:7}" "$TMP/out"
done

# From here the CA host publishes over ssh://; a change of repository alone publishes nothing.
PUBLISH_URL=$SSH_URL
write_toml "publish over ssh"
expect_exit 0 cg sync
[ "$(tip)" = "$C2" ] && ok || bad "moving [publish].repo made a publish commit"

# 4. Tampering on the publish branch changes nothing on any edge.
git clone -q -b main pub.git hand 2>/dev/null
before=()
for i in $(seq $N); do before[$i]=$(edge_sha "$i"); done
tampered() {  # tampered WHAT PATTERN: every edge refused it and kept its files
  local i
  for i in $(seq $N); do
    wait_log "$i" "${mark[$i]}" "$2" "$LIMIT" && ok
    [ "$(edge_sha "$i")" = "${before[$i]}" ] && ok || bad "$1: e$i's files changed"
    [ "$(edge_curl "$i" --cert kept/dave.pem --key kept/dave.key)" = 400 ] && ok ||
      bad "$1: e$i lets revoked dave in"
    # shellcheck disable=SC2046
    [ "$(edge_curl "$i" $(dev bob))" = 403 ] && ok || bad "$1: e$i lets bob in"
  done
}
marks() { for i in $(seq $N); do mark[$i]=$(log_mark "$i"); done; }
declare -a mark
# An unsigned commit, pushed by hand, that opens e2's gate to every certificate of the CA.
marks
sed -i '/^map \$ssl_client_serial \$certgate_admin_cert {$/{n;s/default 0;/default 1;/}' hand/e2/http.conf
grep -q 'default 1;' hand/e2/http.conf && ok || bad "the hand edit did not apply"
git -C hand commit -qam "unsigned hand edit" && git -C hand push -q origin main 2>/dev/null
U=$(tip)
tampered "unsigned commit" "refusing commit ${U:0:7}: it is not signed"
# The CA host sees the hand edit as drift, and heals it with a signed commit (over ssh://).
expect_exit 2 cg plan --detailed-exitcode
expect_grep "~ file +e2:$TMP/e2/certgate/http.conf \(.*edited by hand\)" "$TMP/out"
expect_grep "! publish e2: $SSH_URL branch main" "$TMP/out"
if grep -q 'e[134]:' "$TMP/out"; then bad "e2's hand edit shows on other hosts"; else ok; fi
ssh_logins() { grep -c "Accepted publickey.*$(ssh-keygen -lf ca_client.pub | cut -d' ' -f2)" sshd.log || true; }
logins=$(ssh_logins)
expect_exit 0 cg sync
C3=$(tip)
[ "$(git -C pub.git rev-parse "$C3^")" = "$U" ] && ok || bad "the heal is not on top of the hand edit"
[ "$(ssh_logins)" -gt "$logins" ] && ok || bad "the CA host did not publish over ssh://"
git -C pub.git -c gpg.ssh.allowedSignersFile="$TMP/allowed_signers" verify-commit "$C3" 2>/dev/null &&
  ok || bad "the heal $C3 is not signed"
# A commit signed by a key not in allowed_signers.
marks
git -C hand pull -q --ff-only 2>/dev/null
echo "# mallory was here" >>hand/e3/sites/admin.conf
git -C hand -c gpg.format=ssh -c user.signingkey="$TMP/mallory" commit -q -S -am "foreign key"
git -C hand push -q origin main 2>/dev/null
W=$(tip)
tampered "foreign signer" "refusing commit ${W:0:7}: .*allowed_signers"
expect_exit 0 cg sync
C4=$(tip)
[ "$C4" != "$W" ] && ok || bad "the foreign-signed edit was not healed"
# A rewind: the branch force-pushed back to the first commit, where dave is still allowed.
marks
git -C hand push -q --force origin "$C1:main" 2>/dev/null
tampered "rewind" "refusing publish commit ${C1:0:7}: it does not descend from publish commit"
git -C pub.git update-ref refs/heads/main "$C4"  # the operator puts the branch back

# 5. A publish whose files fail `nginx -t` on e4 (its own config includes a file that is not
# there): e4 keeps its files byte for byte, the others converge; e3, its loop stopped, keeps its
# files too. Both catch up: e4 once its operator fixes the config, e3 once its loop is back.
kill -TERM "${EDGE_PID[3]}" && wait "${EDGE_PID[3]}" || true
EDGE_PID[3]=""
write_conf 4 1 "include $TMP/e4/missing.conf;"
for i in 3 4; do before[$i]=$(edge_sha "$i"); done
mark[4]=$(log_mark 4)
EXTRA=$'[[device]]\nname = "erin"\ngroups = ["admins"]\n'
write_toml "erin"
expect_exit 0 cg sync
C5=$(tip)
for i in 1 2; do
  # shellcheck disable=SC2046
  took=$(wait_code "$i" 200 "$LIMIT" $(dev erin)) && ok || bad "e$i never let erin in"
  echo "e$i serves erin ${took:-?} s after the sync"
done
wait_log 4 "${mark[4]}" 'missing.conf.*failed|the previous files are restored' "$LIMIT" && ok
[ "$(edge_sha 4)" = "${before[4]}" ] && ok || bad "e4's files changed although nginx -t failed"
# shellcheck disable=SC2046
[ "$(edge_curl 4 $(dev erin))" = 403 ] && ok || bad "e4 lets erin in although it refused the files"
# shellcheck disable=SC2046
[ "$(edge_curl 4 $(dev alice))" = 200 ] && ok || bad "e4 no longer serves alice"
[ "$(edge_sha 3)" = "${before[3]}" ] && ok || bad "e3, down, had its files changed"
write_conf 4 1
edge_start 3
for i in 3 4; do
  # shellcheck disable=SC2046
  took=$(wait_code "$i" 200 $((LIMIT + 3)) $(dev erin)) && ok || bad "e$i did not catch up"
  echo "e$i caught up ${took:-?} s after its fix"
done

# 6. status: each pull host's last publish commit (erin's changed every folder) and the source
# its manifest names; the JSON matches its schema.
expect_exit 0 cg status
src=$(git -C work rev-parse --short=7 HEAD)
for i in $(seq $N); do
  expect_grep "Target +e$i $TMP/e$i/certgate: in sync, commit $src, pull: publish commit ${C5:0:7}" "$TMP/out"
done
cg status --json >status.json 2>/dev/null
expect_exit 0 /usr/bin/python3 - "$CERTGATE_SOURCE_DIR/schemas/status.schema.json" status.json "$C5" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
doc = json.load(open(sys.argv[2]))
errors = list(Draft202012Validator(json.load(open(sys.argv[1]))).iter_errors(doc))
for e in errors: print(f"{list(e.path)}: {e.message}", file=sys.stderr)
for t in doc["targets"]:
    assert t["mode"] == "pull" and t["published_commit"] == sys.argv[3] and t["in_sync"], t
sys.exit(1 if errors else 0)
PY
# 7. A desired state that does not parse changes nothing, but a CRL that is due is still signed
# and reaches the pull hosts: committed to their folders, fetched by their edges. (With
# crl_refresh_before a second under crl_validity, every CRL is due a second after it is signed.)
CRL_REFRESH=7199s
write_toml "refresh the CRL at every tick"
expect_exit 0 cg sync
echo 'this is = = not toml' >>work/certgate.toml
git -C work commit -qam typo && git -C work push -q "$TMP/remote.git" main 2>/dev/null
marks
before_tip=$(tip)
sleep 1.5  # the CRL the last sync signed is due one second after it: make sure it is
expect_exit 1 cg sync
expect_grep "Refreshed the CRL only: CRL [0-9]+, deployed to e1, e2, e3, e4" "$TMP/out"
[ "$(tip)" != "$before_tip" ] && ok || bad "the refreshed CRL was not published"
expect_grep "certgate: publish CRL refresh" <(git -C pub.git log -1 --format=%B main)
want_crl=$(openssl crl -in state/ca/crl.pem -noout -crlnumber)
for i in $(seq $N); do
  wait_log "$i" "${mark[$i]}" "edge applied host=e$i commit=$(tip | cut -c1-7)" "$LIMIT" && ok
  [ "$(openssl crl -in "e$i/certgate/crl.pem" -noout -crlnumber)" = "$want_crl" ] && ok ||
    bad "e$i does not serve the refreshed CRL ($want_crl)"
  # shellcheck disable=SC2046
  [ "$(edge_curl "$i" $(dev alice))" = 200 ] && ok || bad "e$i alice after the CRL refresh"
done
for i in $(seq $N); do
  if grep -qE 'internal error|panic' "e$i/edge.log"; then bad "e$i: $(grep -E 'internal error' "e$i/edge.log")"; else ok; fi
done
echo "pull_fleet: $((SECONDS - START)) s"
finish
