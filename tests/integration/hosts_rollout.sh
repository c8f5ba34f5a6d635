#!/usr/bin/env bash
# Rollout to [[host]] targets over SSH (libssh), against four real sshd + nginx pairs on
# 127.0.0.1 (lib_hosts.sh), from a git source, with [rollout] canary = 1, batch = 2:
#   - the first apply reaches every host, and curl proves each door: no certificate 400, alice
#     200 (the backend names the host), and the CA side ran once;
#   - a revocation reaches every host (dave 200 before, 400 after on each);
#   - a hand edit on one host is drift in plan and status, and apply heals it;
#   - a failing `nginx -t` on h3: h3 rolled back byte for byte, its batch-mate h2 deployed, h4
#     left untouched (max_failures = 0), exit 1 naming them; the next apply converges;
#   - h2's sshd stopped mid-rollout (by the canary's reload): exit 1 naming h2, h3 deployed in
#     the same batch, h4 untouched; with sshd back the next apply converges;
#   - a changed host key on h4 (max_failures = 1): h4 refused and untouched, the others
#     deployed; plan and status say why;
#   - a frozen host (its sshd stopped with SIGSTOP) fails on the SSH timeout, not forever;
#   - the canary unreachable before the apply goes last: the others are deployed;
#   - status shows each host reachable, in sync, with the commit it holds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_hosts.sh"
cd "$TMP"
N=4
hosts_start $N

# The canary's reload also runs $TMP/hook.sh, which the sshd-stop case fills in.
: >hook.sh
git init -q -b main work
# Devices added along the way, each in group admins: they accumulate.
EXTRA=""
add_device() { EXTRA+=$'\n[[device]]\nname = "'"$1"$'"\ngroups = ["admins"]\n'; }
write_toml() {  # write_toml MAX_FAILURES COMMIT_MESSAGE
  {
    cat <<TOML
schema = 1

[ca]
common_name = "Fleet CA"

[[device]]
name = "alice"
groups = ["admins"]

[[device]]
name = "dave"
groups = ["admins"]
${DAVE_REVOKED:-}
$EXTRA

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]

[rollout]
canary = 1
batch = 2
max_failures = $1
TOML
    for i in $(seq $N); do host_toml "$i"; done
  } >work/certgate.toml
  sed -i "0,/^reload = \"\(.*\)\"$/s||reload = \"\1 \&\& bash $TMP/hook.sh\"|" work/certgate.toml
  git -C work add -A && git -C work commit -qm "$2" && git -C work push -q "$TMP/remote.git" main 2>/dev/null
}
git init -q --bare remote.git
write_toml 0 "alice and dave"
cg() {
  "$CERTGATE" --source "$TMP/remote.git" --state-dir "$TMP/state" --ssh-key "$TMP/client" \
    --known-hosts "$TMP/known_hosts" "$@"
}
head_commit() { git -C work rev-parse HEAD; }
dev() { echo "--cert $TMP/state/devices/$1/cert.pem --key $TMP/state/devices/$1/key.pem"; }
# sha256 of every file under a host's include dir, to prove it untouched.
snapshot() { (cd "${CG[$1]}" && find . -type f | sort | xargs sha256sum); }
leftovers() { find "${CG[$1]}" -name '.certgate-*' ! -name .certgate-manifest.json; }

# --- the plan names a file action per host, and the first apply reaches every host ---------
expect_exit 0 cg plan
expect_grep "~ file +h1:${CG[1]}/sites/admin.conf \(new\)" "$TMP/out"
expect_grep "! reload +h4: nginx" "$TMP/out"
expect_exit 0 cg apply
expect_grep 'nginx reloaded on h1, h2, h3, h4' "$TMP/out"
for i in $(seq $N); do
  host_include "$i"
  [ "$(host_curl "$i")" = 400 ] && ok || bad "h$i without a certificate: not 400"
  # shellcheck disable=SC2046
  [ "$(host_curl "$i" $(dev alice))" = 200 ] && ok || bad "h$i alice: not 200"
  expect_grep "host=h$i device=alice" "$TMP/body"
  [ -z "$(leftovers "$i")" ] && ok || bad "h$i: staging or journal left behind: $(leftovers "$i")"
done
# The CA side ran once, not once per host.
[ "$(cat state/ca/crlnumber)" = 02 ] && ok || bad "crlnumber $(cat state/ca/crlnumber), want 02"
expect_exit 0 cg plan --detailed-exitcode
expect_exit 0 cg status
for i in $(seq $N); do
  expect_grep "Target +h$i ${CG[$i]}: in sync, commit $(head_commit | cut -c1-7)" "$TMP/out"
done

# --- a revocation reaches every host ---------------------------------------------------------
for i in $(seq $N); do
  # shellcheck disable=SC2046
  [ "$(host_curl "$i" $(dev dave))" = 200 ] && ok || bad "h$i dave before revocation: not 200"
done
# Revoking removes dave's files from the state directory; curl keeps a copy.
mkdir -p kept/dave && cp state/devices/dave/cert.pem state/devices/dave/key.pem kept/dave/
DAVE_REVOKED='revoked = "keyCompromise"'
write_toml 0 "revoke dave"
expect_exit 0 cg apply
sleep 0.5
for i in $(seq $N); do
  # shellcheck disable=SC2046
  code=$(host_curl "$i" --cert kept/dave/cert.pem --key kept/dave/key.pem); [ "$code" = 400 ] && ok || bad "h$i revoked dave: $code, not 400"
  # shellcheck disable=SC2046
  [ "$(host_curl "$i" $(dev alice))" = 200 ] && ok || bad "h$i alice after revocation: not 200"
done

# --- drift on one host is seen and healed ----------------------------------------------------
echo "# edited by hand" >>"${CG[2]}/sites/admin.conf"
expect_exit 2 cg plan --detailed-exitcode
expect_grep "~ file +h2:${CG[2]}/sites/admin.conf \(\+0 -1, edited by hand\)" "$TMP/out"
if grep -q "h[134]:" "$TMP/out"; then bad "drift on h2 shows on other hosts"; else ok; fi
expect_exit 0 cg status
expect_grep "Target +h2 .*: 1 files differ: sites/admin.conf \(drift\)" "$TMP/out"
expect_exit 0 cg apply
expect_exit 0 cg plan --detailed-exitcode

# --- a failing nginx -t on h3: rolled back; h4 untouched (max_failures = 0) ------------------
host_write_conf 3 1 "log_format certgate '\$remote_addr';"
before3=$(snapshot 3) before4=$(snapshot 4)
add_device erin
write_toml 0 "add erin"
expect_exit 1 cg apply
expect_grep 'failed +h3: nginx test' "$TMP/out"
expect_grep 'not attempted +h4: left untouched' "$TMP/out"
expect_grep 'the rollout failed on h3; it stopped there' "$TMP/err"
expect_grep 'duplicate "log_format" name "certgate"' "$TMP/err"
[ "$(snapshot 3)" = "$before3" ] && ok || bad "h3 was not rolled back byte for byte"
[ "$(snapshot 4)" = "$before4" ] && ok || bad "h4 was touched after the rollout stopped"
erin=$(openssl x509 -in state/devices/erin/cert.pem -noout -serial | cut -d= -f2)
for i in 1 2; do expect_grep "$erin" "${CG[$i]}/http.conf"; done
[ -z "$(leftovers 3)" ] && ok || bad "h3: staging or journal left behind"
host_write_conf 3 1
expect_exit 0 cg apply
expect_exit 0 cg plan --detailed-exitcode
for i in $(seq $N); do expect_grep "$erin" "${CG[$i]}/http.conf"; done

# --- h2's sshd stops mid-rollout: the canary's reload stops it -------------------------------
cat >hook.sh <<HOOK
descendants() { for c in \$(pgrep -P "\$1" || true); do echo "\$c"; descendants "\$c"; done; }
kill -KILL \$(descendants ${SSHD_PID[2]}) 2>/dev/null
kill ${SSHD_PID[2]}
HOOK
before4=$(snapshot 4)
add_device frank
write_toml 0 "add frank"
expect_exit 1 cg apply
expect_grep 'failed +h2: .*connection lost' "$TMP/out"
expect_grep 'not attempted +h4: left untouched' "$TMP/out"
expect_grep 'the rollout failed on h2' "$TMP/err"
frank=$(openssl x509 -in state/devices/frank/cert.pem -noout -serial | cut -d= -f2)
for i in 1 3; do expect_grep "$frank" "${CG[$i]}/http.conf"; done
[ "$(snapshot 4)" = "$before4" ] && ok || bad "h4 was touched after the rollout stopped"
if grep -q "$frank" "${CG[2]}/http.conf"; then bad "h2 got frank with its sshd stopped"; else ok; fi
SSHD_PID[2]=""
: >hook.sh
expect_exit 1 cg plan
expect_grep 'h2 is unreachable, its files were not compared: connect to 127.0.0.1' "$TMP/out"
sshd_start 2
expect_exit 0 cg apply
expect_exit 0 cg plan --detailed-exitcode
for i in $(seq $N); do expect_grep "$frank" "${CG[$i]}/http.conf"; done

# --- a changed host key on h4 is refused for h4 only (max_failures = 1) ----------------------
sshd_stop 4
mv "${HOST_DIR[4]}/hostkey" "${HOST_DIR[4]}/hostkey.orig"
ssh-keygen -q -t ed25519 -N '' -f "${HOST_DIR[4]}/hostkey" <<<y >/dev/null
sshd_start 4
before4=$(snapshot 4)
add_device grace
write_toml 1 "add grace"
expect_exit 1 cg apply
expect_grep "h4: the host key of 127.0.0.1:${HOST_SSH[4]} \(ssh-ed25519 key SHA256:.*\) differs from the one in $TMP/known_hosts" "$TMP/err"
[ "$(snapshot 4)" = "$before4" ] && ok || bad "h4 was touched with a changed host key"
grace=$(openssl x509 -in state/devices/grace/cert.pem -noout -serial | cut -d= -f2)
for i in 1 2 3; do expect_grep "$grace" "${CG[$i]}/http.conf"; done
cg status --json >status.json 2>/dev/null || true
python3 - "$TMP/status.json" <<'PY' && ok || bad "status --json does not show h4 unreachable and the others in sync"
import json, sys
t = {x["target"]: x for x in json.load(open(sys.argv[1]))["targets"]}
assert not t["h4"]["reachable"] and "differs" in t["h4"]["error"], t["h4"]
assert all(t[h]["reachable"] and t[h]["in_sync"] for h in ("h1", "h2", "h3")), t
PY
sshd_stop 4
mv "${HOST_DIR[4]}/hostkey.orig" "${HOST_DIR[4]}/hostkey"
sshd_start 4

# --- a host that hangs (its sshd session frozen mid-rollout) fails on the SSH timeout --------
cat >hook.sh <<HOOK
descendants() { for c in \$(pgrep -P "\$1" || true); do echo "\$c"; descendants "\$c"; done; }
kill -STOP \$(descendants ${SSHD_PID[3]}) 2>/dev/null
HOOK
before3=$(snapshot 3)
add_device heidi
write_toml 1 "add heidi"
start=$(date +%s)
expect_exit 1 cg apply
took=$(($(date +%s) - start))
expect_grep 'failed +h3: .*no answer within 10s' "$TMP/out"
[ "$took" -lt 60 ] && ok || bad "a frozen host held the rollout for ${took}s"
heidi=$(openssl x509 -in state/devices/heidi/cert.pem -noout -serial | cut -d= -f2)
for i in 1 2 4; do expect_grep "$heidi" "${CG[$i]}/http.conf"; done
# shellcheck disable=SC2046
kill -CONT $(descendants "${SSHD_PID[3]}") 2>/dev/null || true
: >hook.sh
if grep -q "$heidi" "${CG[3]}/http.conf"; then
  ok  # the upload may have finished before the freeze; what matters is the timeout above
else
  [ "$(snapshot 3)" = "$before3" ] && ok || bad "h3 left half-deployed: neither the old files nor the new"
fi

# --- the canary down before the apply: it goes last, the revocation-bearing rollout reaches
# --- the others first (max_failures = 0) ---------------------------------------------------
sshd_stop 1
add_device ivan
write_toml 0 "add ivan"
expect_exit 1 cg apply
expect_grep 'failed +h1: connect to 127.0.0.1' "$TMP/out"
ivan=$(openssl x509 -in state/devices/ivan/cert.pem -noout -serial | cut -d= -f2)
for i in 2 3 4; do expect_grep "$ivan" "${CG[$i]}/http.conf"; done
sshd_start 1

# Every host converges, and every host holds the last commit.
expect_exit 0 cg apply
expect_exit 0 cg status --json
python3 - "$TMP/out" "$(head_commit)" <<'PY' && ok || bad "status --json: not every host in sync at the last commit"
import json, sys
for t in json.load(open(sys.argv[1]))["targets"]:
    assert t["reachable"] and t["in_sync"] and t["last_applied_commit"] == sys.argv[2], t
PY
for i in $(seq $N); do [ -z "$(leftovers "$i")" ] && ok || bad "h$i: leftovers $(leftovers "$i")"; done
finish
