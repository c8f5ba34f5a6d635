#!/usr/bin/env bash
# The run cache (cli/run_cache.h) with a real nginx and a git source: a tick with nothing new is
# answered from the cache (and still records itself and writes its metrics), and never when the
# answer could differ: a hand edit of a deployed file, a comment-only commit, a CRL whose
# refresh came due in real time, `--now`, another binary, CERTGATE_NO_CACHE. After each miss the
# result is what a full run gives (the edit repaired, the CRL re-signed).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
trap 'nginx_stop; [ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
nginx_prepare admin admin.test
git init -q -b main repo

write_toml() {  # write_toml [CA_EXTRA] [TAIL]
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Cache CA"
${1:-}

[[device]]
name = "alice"
groups = ["admins"]

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]
probe = "https://127.0.0.1:$NGX_PORT/"

[nginx]
dir = "$CG_DIR"
test = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t"
reload = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload"
${2:-}
TOML
}
commit() { git -C repo add -A && git -C repo commit -qm "$1"; }
cg() { "$CERTGATE" --state-dir "$S" --source repo "$@"; }
# sync -v: $TMP/out and $TMP/err; the exit code must be 0.
tick() { expect_exit 0 cg -v sync "$@"; }
hit() { grep -q 'run cache hit command=apply' "$TMP/err"; }
expect_hit() { if hit; then ok; else bad "$1: not answered from the cache"; grep 'run cache' "$TMP/err" >&2; fi; }
expect_miss() {  # expect_miss WHAT REASON
  if hit; then bad "$1: answered from the cache"; else expect_grep "run cache miss command=apply reason=$2" "$TMP/err"; fi
}
applied_at() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_applied"]["at"])' "$S/state.json"; }
dev() { echo "--cert $S/devices/$1/cert.pem --key $S/devices/$1/key.pem"; }

write_toml
commit "alice"
nginx_start
expect_exit 0 cg sync  # nginx.conf does not include the files yet: the first sync says what to add
nginx_include_certgate
tick  # the files are in place and the gate closed: nothing to do, which is kept
expect_grep '^No changes' "$TMP/out"

# --- a tick with nothing new: from the cache, recorded, with its metrics ------------------
before=$(applied_at)
sleep 1.1
tick --metrics-file "$TMP/m.prom"
expect_hit "an unchanged tick"
expect_grep '^No changes' "$TMP/out"
expect_grep "^certgate plan — source git [0-9a-f]{7} \(main\), state $S, at " "$TMP/out"
[ "$(applied_at)" != "$before" ] && ok || bad "state.json applied_at did not move on a cached tick"
expect_grep '^certgate_sync_success 1$' "$TMP/m.prom"
expect_grep '^certgate_plan_actions 0$' "$TMP/m.prom"
expect_grep '^certgate_device_expiry_timestamp_seconds\{.*device="alice"' "$TMP/m.prom"
# shellcheck disable=SC2046
[ "$(curl_status $(dev alice))" = 200 ] && ok || bad "alice: $(curl_status $(dev alice))"
stat -c '%a' "$S/cache/run-apply.json" | grep -qx 600 && ok || bad "the cache file is not 0600"

# --- a hand edit of a deployed file: noticed, and repaired --------------------------------
cp "$CG_DIR/http.conf" http.conf.good
echo "# edited by hand" >>"$CG_DIR/http.conf"
tick
expect_miss "a hand-edited http.conf" "a file it read changed"
expect_grep 'http\.conf' "$TMP/out"
cmp -s http.conf.good "$CG_DIR/http.conf" && ok || bad "the hand edit of http.conf was not undone"
# A run that changed something leaves no answer (the next one says something else): the tick
# after the repair plans in full and finds nothing to do; the one after that is cached.
tick
expect_miss "the tick after the repair" "a file it read changed"
expect_grep '^No changes' "$TMP/out"
tick
expect_hit "the second tick after the repair"

# --- a comment-only commit: another desired state, the same answer ------------------------
echo "# a comment" >>repo/certgate.toml
commit "a comment"
tick
expect_miss "a new commit" "another desired state"
expect_grep '^No changes' "$TMP/out"
tick
expect_hit "the tick after the comment"

# --- a CRL whose refresh comes due: the cache ends when it does ---------------------------
# Due 10 seconds after each signing: the first tick of this commit signs a CRL (the old one is
# due by now), the second finds nothing to do, the third is answered from the cache, one after
# the 10 seconds signs again.
write_toml $'crl_refresh_before = "2591990s"'
commit "a CRL due 10 s after it is signed"
tick
expect_grep 'crl' "$TMP/out"
tick
tick
expect_hit "a tick before the CRL is due"
sleep 11
tick
expect_miss "a tick after the CRL came due" "outside the window in which nothing changes by itself"
expect_grep 'crl' "$TMP/out"
write_toml
commit "the CRL as before"
tick

# --- plan: the same answer with its own time; --now, another binary, the cache off --------
expect_exit 0 "$CERTGATE" --state-dir "$S" --source repo/certgate.toml -v plan --detailed-exitcode
cp "$TMP/out" plan1.out
sleep 1.1
expect_exit 0 "$CERTGATE" --state-dir "$S" --source repo/certgate.toml -v plan --detailed-exitcode
expect_grep 'run cache hit command=plan' "$TMP/err"
[ "$(tail -n +2 plan1.out)" = "$(tail -n +2 "$TMP/out")" ] && ok || bad "a cached plan says otherwise"
[ "$(head -1 plan1.out)" != "$(head -1 "$TMP/out")" ] && ok ||
  bad "a cached plan names the time of the run it came from: $(head -1 "$TMP/out")"
# 360 days on, alice's certificate is due for renewal: --now is its own question.
expect_exit 2 "$CERTGATE" --state-dir "$S" --source repo/certgate.toml \
  --now "$(date -u -d '+360 days' +%Y-%m-%dT%H:%M:%SZ)" -v plan --detailed-exitcode
expect_grep 'renew' "$TMP/out"
cp "$CERTGATE" "$TMP/certgate-copy"
expect_exit 0 "$TMP/certgate-copy" --state-dir "$S" --source repo/certgate.toml -v plan
expect_grep 'run cache miss command=plan reason=another binary' "$TMP/err"
expect_exit 0 env CERTGATE_NO_CACHE=1 "$CERTGATE" --state-dir "$S" --source repo/certgate.toml -v plan
if grep -q 'run cache' "$TMP/err"; then bad "CERTGATE_NO_CACHE=1 still used the cache"; else ok; fi
finish
