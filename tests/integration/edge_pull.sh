#!/usr/bin/env bash
# certgate edge --once (pull mode, issue #15) against a real nginx: the files a real `certgate
# apply` rendered for the edge's nginx dir are committed to a publish repository (git, file://,
# SSH-signed commits made with ssh-keygen keys), one folder per host with its manifest. The edge
# applies them (open with a client certificate, shut without; the gate checked after the reload);
# an unsigned commit, one signed by an unknown key, a path certgate never publishes, files that
# fail `nginx -t` and a rewind (force-pushed older commit) each change nothing on the edge and
# exit 1 with a clear message; the next good commit converges; a tick with nothing new touches
# nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/ca-state
E=$TMP/edge-state
cd "$TMP"
nginx_prepare admin admin.test

# The CA host: certgate apply renders the files for the edge's dir ($CG_DIR) with no-op commands,
# and each version is kept aside, as the CA host would publish it.
write_toml() {  # write_toml DEVICES...
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Edge CA"\n'
    for d in "$@"; do printf '\n[[device]]\nname = "%s"\n' "$d"; done
    printf '\n[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_devices = ['
    printf '"%s",' "$@"
    printf ']\n'
    printf '\n[nginx]\ndir = "%s"\ntest = "true"\nreload = "true"\n' "$CG_DIR"
  } >certgate.toml
}
render() {  # render NAME DEVICES...: the files for edge-1 in rendered/NAME
  local name=$1; shift
  write_toml "$@"
  "$CERTGATE" --source certgate.toml --state-dir "$S" apply >apply.out 2>&1 ||
    { cat apply.out >&2; exit 1; }
  mkdir -p "rendered/$name/sites"
  cp "$CG_DIR"/ca.pem "$CG_DIR"/crl.pem "$CG_DIR"/http.conf "rendered/$name/"
  cp "$CG_DIR"/sites/*.conf "rendered/$name/sites/"
}
render v1 alice
render v2 alice bob
rm -rf "$CG_DIR"  # the edge starts empty

# The publish repository and its signers.
ssh-keygen -q -t ed25519 -N '' -C publisher -f publisher
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
echo "publisher@example.com namespaces=\"git\" $(cut -d' ' -f1,2 publisher.pub)" >allowed_signers
git init -q -b main pub
manifest() {  # manifest FOLDER: HOST/.certgate-manifest.json naming every file's sha256
  python3 - "$1" "$CG_DIR" <<'PY'
import hashlib, json, os, sys
folder, nginx_dir = sys.argv[1:3]
files = {}
for root, _, names in os.walk(folder):
    for n in names:
        rel = os.path.relpath(os.path.join(root, n), folder)
        if rel != ".certgate-manifest.json":
            files[rel] = hashlib.sha256(open(os.path.join(root, n), "rb").read()).hexdigest()
m = {"format": 1, "source": "file certgate.toml", "commit": "", "target": "edge-1",
     "dir": nginx_dir, "generated_at": "2026-01-01T00:00:00Z", "files": dict(sorted(files.items()))}
open(os.path.join(folder, ".certgate-manifest.json"), "w").write(json.dumps(m, indent=2) + "\n")
PY
}
stage() {  # stage VERSION: pub/edge-1 holds that version's files and manifest
  rm -rf pub/edge-1
  cp -r "rendered/$1" pub/edge-1
  manifest pub/edge-1
  git -C pub add -A
}
commit_signed() {  # commit_signed KEY MESSAGE
  git -C pub -c gpg.format=ssh -c user.signingkey="$TMP/$1" commit -q -S -m "$2"
}

# The edge. Its nginx commands come from its own command line and environment, counted.
export CERTGATE_EDGE_TEST="echo >>$TMP/tests; nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t"
reload="echo >>$TMP/reloads; nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload"
edge_args=(--state-dir "$E" edge --from "file://$TMP/pub" --host edge-1 --nginx-dir "$CG_DIR"
  --reload "$reload" --require-signed --allowed-signers allowed_signers
  --metrics-file "$TMP/edge.prom" --probe "admin=https://127.0.0.1:$NGX_PORT/"
  --probe-server-name admin=admin.test)
edge() { "$CERTGATE" "${edge_args[@]}" --once "$@"; }
count() { [ -f "$TMP/$1" ] && wc -l <"$TMP/$1" || echo 0; }
# The edge's files: path, sha256, inode and mtime (nanoseconds).
files_state() { (cd "$CG_DIR" && find . -type f -printf '%P %i %T@\n' | sort && find . -type f -exec sha256sum {} + | sort); }
files_sha() { (cd "$CG_DIR" && find . -type f -exec sha256sum {} + | sort); }
alice=(--cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")
bob=(--cert "$S/devices/bob/cert.pem" --key "$S/devices/bob/key.pem")
expect_unchanged() {  # expect_unchanged WHAT: the files, nginx's pid and the reload count as before
  [ "$(files_sha)" = "$before_sha" ] && ok || bad "$1: the edge's files changed"
  [ "$(cat "$NGX/nginx.pid")" = "$NGX_PID" ] && ok || bad "$1: nginx's master changed"
  [ "$(count reloads)" = "$reloads_before" ] && ok || bad "$1: nginx was reloaded"
  [ "$(curl_status "${alice[@]}")" = 200 ] && ok || bad "$1: alice no longer served"
}

# nginx runs; its config already includes the edge's files, which the first tick brings.
nginx_start
nginx_write_conf 1

# 1. The first signed commit is applied, tested, reloaded, and the gate checked.
stage v1
commit_signed publisher "edge-1: alice"
c1=$(git -C pub rev-parse HEAD)
expect_exit 0 edge
expect_grep "publish commit signed commit=${c1:0:7} signer=publisher@example.com" "$TMP/err"
expect_grep "edge applied host=edge-1 commit=${c1:0:7}" "$TMP/err"
expect_grep 'no certificate +refused' "$TMP/out"
expect_grep 'foreign CA +refused' "$TMP/out"
[ "$(curl_status "${alice[@]}")" = 200 ] && ok || bad "alice not let in: $(curl_status "${alice[@]}")"
[ "$(curl_status)" = 400 ] && ok || bad "no certificate got $(curl_status)"
[ "$(curl_status "${bob[@]}")" = 403 ] && ok || bad "bob, not yet published, got $(curl_status "${bob[@]}")"
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["published_commit"]==sys.argv[2] and m["target"]=="edge-1"' \
  "$CG_DIR/.certgate-manifest.json" "$c1" && ok || bad "the edge's manifest does not name $c1"
[ "$(stat -c %a "$E/edge")" = 700 ] && ok || bad "the mirror's folder is not private"
expect_grep "^certgate_edge_published_commit_info\{host=\"edge-1\",commit=\"$c1\"\} 1$" "$TMP/edge.prom"
expect_grep '^certgate_edge_success 1$' "$TMP/edge.prom"
expect_grep '^certgate_edge_crl_next_update_timestamp_seconds [0-9]{10}$' "$TMP/edge.prom"
expect_grep '^certgate_edge_crl_this_update_timestamp_seconds [0-9]{10}$' "$TMP/edge.prom"
expect_grep '^certgate_edge_last_success_timestamp_seconds [0-9]{10}$' "$TMP/edge.prom"

# 2. Nothing new: nothing is written, tested or reloaded (same inodes and mtimes).
state_before=$(files_state)
tests_before=$(count tests)
reloads_before=$(count reloads)
before_sha=$(files_sha)
expect_exit 0 edge
expect_grep "edge up to date host=edge-1 commit=${c1:0:7}" "$TMP/err"
[ "$(files_state)" = "$state_before" ] && ok || bad "a tick with nothing new touched the files"
[ "$(count tests)" = "$tests_before" ] && ok || bad "a tick with nothing new ran nginx -t"
expect_unchanged "nothing new"

# 3. An unsigned commit: refused.
stage v2
git -C pub commit -q -m "edge-1: bob, unsigned"
expect_exit 1 edge
expect_grep "refusing commit [0-9a-f]{7}: it is not signed" "$TMP/err"
expect_unchanged "unsigned commit"
expect_grep '^certgate_edge_success 0$' "$TMP/edge.prom"
expect_grep '^certgate_edge_consecutive_failures 1$' "$TMP/edge.prom"
expect_grep "^certgate_edge_published_commit_info\{host=\"edge-1\",commit=\"$c1\"\} 1$" "$TMP/edge.prom"

# 4. Signed by a key not in allowed_signers: refused.
git -C pub -c gpg.format=ssh -c user.signingkey="$TMP/mallory" commit -q --amend --no-edit -S
expect_exit 1 edge
expect_grep "refusing commit [0-9a-f]{7}: .*not in allowed_signers" "$TMP/err"
expect_unchanged "unknown signer"

# 5. A path certgate never publishes, listed in the manifest and signed: refused.
git -C pub reset -q --hard "$c1"
printf '#!/bin/sh\nid\n' >pub/edge-1/sites/hook.sh
manifest pub/edge-1
git -C pub add -A
commit_signed publisher "edge-1: a hook"
expect_exit 1 edge
expect_grep "refusing publish commit [0-9a-f]{7}: edge-1/sites/hook.sh: not a file certgate publishes" "$TMP/err"
expect_unchanged "path outside the allowed names"

# 6. Files nginx -t refuses: tested, restored byte for byte, not reloaded.
git -C pub reset -q --hard "$c1"
echo "this_is_not_a_directive on;" >>pub/edge-1/http.conf
manifest pub/edge-1
git -C pub add -A
commit_signed publisher "edge-1: broken http.conf"
expect_exit 1 edge
expect_grep 'unknown directive "this_is_not_a_directive"' "$TMP/err"
expect_grep 'the previous files are restored and nginx was not reloaded' "$TMP/err"
expect_unchanged "nginx -t failure"

# 7. The next good commit converges: bob gets in.
stage v2
commit_signed publisher "edge-1: bob"
c2=$(git -C pub rev-parse HEAD)
expect_exit 0 edge
expect_grep "edge applied host=edge-1 commit=${c2:0:7}" "$TMP/err"
[ "$(curl_status "${bob[@]}")" = 200 ] && ok || bad "bob not let in after the good commit: $(curl_status "${bob[@]}")"
[ "$(curl_status "${alice[@]}")" = 200 ] && ok || bad "alice after the good commit"
expect_grep '^certgate_edge_consecutive_failures 0$' "$TMP/edge.prom"
expect_grep "^certgate_edge_published_commit_info\{host=\"edge-1\",commit=\"$c2\"\} 1$" "$TMP/edge.prom"

# 8. A rewind: the branch force-pushed back to the first commit (bob's access gone) is refused.
NGX_PID=$(cat "$NGX/nginx.pid")
reloads_before=$(count reloads)
before_sha=$(files_sha)
git -C pub reset -q --hard "$c1"
expect_exit 1 edge
expect_grep "refusing publish commit ${c1:0:7}: it does not descend from publish commit ${c2:0:7}" "$TMP/err"
expect_unchanged "rewind"
[ "$(curl_status "${bob[@]}")" = 200 ] && ok || bad "bob lost access through a rewind"

# 9. The branch back at its tip: nothing to do.
git -C pub reset -q --hard "$c2"
expect_exit 0 edge
expect_grep "edge up to date host=edge-1 commit=${c2:0:7}" "$TMP/err"

# 10. Without --once: the first tick at once, SIGHUP ticks now (a new commit is applied long
# before --interval), SIGTERM ends the loop with exit 0.
wait_for() {  # wait_for PATTERN FILE: up to 20 s
  for _ in $(seq 200); do grep -qE -- "$1" "$2" && return 0; sleep 0.1; done
  return 1
}
"$CERTGATE" "${edge_args[@]}" --interval 1h >loop.out 2>loop.err &
loop_pid=$!
trap 'kill "$loop_pid" 2>/dev/null || true; nginx_stop; cleanup' EXIT
wait_for 'tick ok' loop.err && ok || bad "no first tick: $(cat loop.err)"
stage v1
commit_signed publisher "edge-1: bob leaves"
c3=$(git -C pub rev-parse HEAD)
kill -HUP "$loop_pid"
wait_for "edge applied host=edge-1 commit=${c3:0:7}" loop.err && ok || bad "SIGHUP: $(cat loop.err)"
for _ in $(seq 200); do [ "$(grep -c 'tick ok' loop.err)" -ge 2 ] && break; sleep 0.1; done
[ "$(curl_status "${bob[@]}")" = 403 ] && ok || bad "bob still let in after the loop's tick"
kill -TERM "$loop_pid"
got=0
wait "$loop_pid" || got=$?
[ "$got" = 0 ] && ok || bad "the loop exited $got on SIGTERM"
expect_grep 'agent stopping on signal' loop.err
finish
