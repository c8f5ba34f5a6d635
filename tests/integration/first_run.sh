#!/usr/bin/env bash
# A first run in each order README allows, with a real nginx: the first apply ends with the
# files in place and a clear next step, never with a rolled-back deploy.
#   A. includes first: nginx cannot start (http.conf is missing); apply with nginx stopped
#      writes the files, says "start nginx now", and exits 0; nginx then starts with them.
#   B. apply first, nginx running without the includes: apply exits 0 and names the lines to
#      add (`certgate init --nginx` prints the same); once included, the door is shut.
#   C. apply first with nginx stopped, then the includes, then start.
# Also: systemd's "not active, cannot reload" counts as not running, and any other failing
# reload still restores the previous files.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
cd "$TMP"
nginx_prepare admin admin.test

write_toml() {  # write_toml STATE_NAME [RELOAD]
  local reload=${2:-nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload}
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "First Run CA"

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
reload = "$reload"
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$TMP/$S" "$@"; }
door_works() {  # the gate with the device's certificate and without one
  local code
  code=$(curl_status)
  [ "$code" = 400 ] && ok || bad "$1: without a certificate: HTTP $code, want 400"
  code=$(curl_status --cert "$TMP/$S/devices/alice/cert.pem" --key "$TMP/$S/devices/alice/key.pem")
  [ "$code" = 200 ] && ok || bad "$1: with alice's certificate: HTTP $code, want 200"
}
reset() { nginx_stop; NGX_PID=; rm -rf "$CG_DIR" "$NGX/nginx.pid"; S=$1; write_toml "$S"; }

# --- A. includes first, nginx cannot start, then apply
reset state-a
nginx_write_conf 1
expect_exit 1 ngx
expect_grep 'certgate/http.conf.*failed \(2: No such file or directory\)' "$TMP/err"
expect_exit 0 cg apply
expect_grep '^nginx is not running on local: the files are in place' "$TMP/out"
expect_grep "Start nginx now .*certgate init --nginx" "$TMP/out"
if grep -q 'restored' "$TMP/out" "$TMP/err"; then bad "A: apply restored files"; else ok; fi
for f in ca.pem crl.pem http.conf sites/admin.conf sites/admin.proxy.conf; do
  [ -f "$CG_DIR/$f" ] && ok || bad "A: missing $CG_DIR/$f"
done
[ ! -e "$CG_DIR/.certgate-previous" ] && ok || bad "A: the deploy's saved copies were left"
expect_grep '"action":"deploy".*"detail":"nginx not running"' "$TMP/state-a/audit.log"
# The next apply has nothing to do: what is on disk is what nginx will run.
expect_exit 0 cg plan --detailed-exitcode
nginx_start
door_works A
expect_exit 0 cg verify

# --- B. apply first, nginx running without certgate's files
reset state-b
nginx_write_conf 0
nginx_start
expect_exit 0 cg apply
expect_grep "^Next: nginx does not include certgate's files yet" "$TMP/out"
expect_grep "include $CG_DIR/http.conf;" "$TMP/out"
expect_grep "include $CG_DIR/sites/admin.conf;" "$TMP/out"
expect_grep "include $CG_DIR/sites/admin.proxy.conf;" "$TMP/out"
# init --nginx prints the same lines from the desired state, and writes nothing.
expect_exit 0 cg init --nginx
for line in "include $CG_DIR/http.conf;" "include $CG_DIR/sites/admin.conf;" \
  "include $CG_DIR/sites/admin.proxy.conf;" "server_name admin.test;"; do
  grep -qF -- "$line" "$TMP/out" && ok || bad "init --nginx lacks: $line"
done
[ ! -e "$TMP/certgate.toml.new" ] && [ "$(ls "$TMP" | grep -c toml)" = 1 ] && ok || bad "init --nginx wrote a file"
nginx_include_certgate
door_works B
expect_exit 0 cg verify

# --- C. apply first with nginx stopped, then the includes, then start
reset state-c
nginx_write_conf 0
expect_exit 0 cg apply
expect_grep '^nginx is not running on local' "$TMP/out"
nginx_write_conf 1
nginx_start
door_works C

# systemctl's words for a stopped nginx count as not running.
reset state-d
nginx_write_conf 1
write_toml state-d "echo 'nginx.service is not active, cannot reload.' >&2; exit 1"
expect_exit 0 cg apply
expect_grep '^nginx is not running on local' "$TMP/out"
[ -f "$CG_DIR/http.conf" ] && ok || bad "D: http.conf was not kept"
# On a target deployed to before, a reload that says no nginx runs restores the files and
# fails: the nginx that ran them may still run (another pid file, started by hand).
echo "# edited by hand" >>"$CG_DIR/sites/admin.conf"
expect_exit 1 cg apply
expect_grep 'certgate deployed to this target before' "$TMP/err"
expect_grep '# edited by hand' "$CG_DIR/sites/admin.conf"
# A first deploy whose reload says no nginx runs (its pid file is elsewhere) while one serves
# the site: not a stopped nginx either; apply restores (removes) the files and fails.
reset state-e
nginx_write_conf 0
nginx_start
# (\" is TOML's escape: the command prints nginx's own words, quotes and all.)
write_toml state-e 'echo '"'"'nginx: [error] open() \"/run/other/nginx.pid\" failed (2: No such file or directory)'"'"' >&2; exit 1'
expect_exit 1 cg apply
expect_grep "but a site's probe answers: a server this \[nginx\] config does not control" "$TMP/err"
[ ! -e "$CG_DIR/http.conf" ] && ok || bad "E: the files of a failed first deploy stayed"
if grep -q '^nginx is not running' "$TMP/out"; then bad "a serving nginx was called stopped"; else ok; fi
reset state-f
nginx_write_conf 1
expect_exit 0 cg apply
nginx_start
# Any other failing reload restores the previous files and fails.
write_toml state-f "echo 'reload refused by a wrapper' >&2; exit 1"
echo "# edited by hand" >>"$CG_DIR/sites/admin.conf"
expect_exit 1 cg apply
expect_grep 'reload refused by a wrapper' "$TMP/err"
expect_grep 'the previous files are restored' "$TMP/err"
expect_grep '# edited by hand' "$CG_DIR/sites/admin.conf"
finish
