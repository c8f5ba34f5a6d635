#!/usr/bin/env bash
# Who still uses which certificate: a real nginx writes its access log in log_format certgate,
# a device presents its certificate, and `certgate status` (text and --json) and the sync
# metrics name the serial it presented and when; a device never seen says so; an absent log is
# said once and is no error. (Two live certificates of one device are unit-tested with
# ObservedState values: status_render_test.cc.)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
nginx_prepare admin admin.test

write_toml() {  # write_toml ACCESS_LOG
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Last Seen CA"

[[device]]
name = "alice"
groups = ["admins"]

[[device]]
name = "bob"
groups = ["admins"]

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]
probe = "https://127.0.0.1:$NGX_PORT/"

$(nginx_toml_section)
access_log = "$1"
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
serial_of() { openssl x509 -in "$S/devices/$1/cert.pem" -noout -serial | cut -d= -f2; }

write_toml "$NGX/access.log"
nginx_start
# Before nginx includes certgate's files the gate is open and the first apply says which lines
# to add (nginx_gate.sh); the log holds lines in nginx's combined format by then, which status
# must skip.
expect_exit 0 cg apply
nginx_include_certgate
alice=$(serial_of alice)
bob=$(serial_of bob)

# Nothing presented a certificate yet: both devices say "never".
# (ssl_verify_client on: no public path, so nginx itself answers 400.)
[ "$(curl_status)" = 400 ] && ok || bad "no certificate: $(curl_status)"
expect_exit 0 cg status
expect_grep "^Log +local $NGX/access.log: 0 requests with a certificate in " "$TMP/out"
[ "$(grep -c '^  last seen: never' "$TMP/out")" = 2 ] && ok || bad "both devices never seen"

# alice comes in; bob does not.
[ "$(curl_status --cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")" = 200 ] &&
  ok || bad "alice does not get in"
expect_grep "serial=$alice device=alice" "$NGX/access.log"
expect_exit 0 cg status
expect_grep "^Log +local $NGX/access.log: 1 request with a certificate in " "$TMP/out"
grep -A3 '^alice ' "$TMP/out" >"$TMP/alice.txt"
expect_grep "^  last seen $(date -u +%Y-%m-%d) [0-9:]{5} UTC with serial $alice\$" "$TMP/alice.txt"
grep -A3 '^bob ' "$TMP/out" >"$TMP/bob.txt"
expect_grep '^  last seen: never \(not in the access log read\)' "$TMP/bob.txt"

expect_exit 0 cg status --json
cp "$TMP/out" "$TMP/status.json"
expect_exit 0 python3 - "$TMP/status.json" "$alice" "$bob" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
dev = {d["name"]: d for d in j["devices"]}
alice, bob = dev["alice"], dev["bob"]
assert alice["serial"] == sys.argv[2], alice
assert alice["last_seen"]["serial"] == sys.argv[2], alice
assert alice["last_seen"]["newest"] is True and alice["uses_old_certificate"] is False, alice
assert alice["last_seen"]["verify"] == "SUCCESS", alice
assert alice["certificates"][0]["serial"] == sys.argv[2], alice
assert alice["certificates"][0]["last_seen"] == alice["last_seen"]["at"], alice
assert bob["serial"] == sys.argv[3] and bob["last_seen"] is None, bob
assert bob["certificates"][0]["last_seen"] is None, bob
assert j["access_logs"][0]["read"] is True and j["access_logs"][0]["lines"] == 1, j["access_logs"]
PY

# The sync metrics say the same.
expect_exit 0 cg sync --metrics-file "$TMP/metrics.prom"
expect_grep '^certgate_access_log_read\{target="local",path=".*/access.log"\} 1$' "$TMP/metrics.prom"
expect_grep '^certgate_device_newest_certificate_last_seen_timestamp_seconds\{device="alice"\} [0-9]+$' \
  "$TMP/metrics.prom"
if grep -q 'last_seen_timestamp_seconds{device="bob"}' "$TMP/metrics.prom"; then
  bad "bob has a last-seen time"
else ok; fi
expect_grep '^certgate_device_uses_old_certificate\{device="alice"\} 0$' "$TMP/metrics.prom"
expect_grep '^certgate_device_certificates\{device="bob"\} 1$' "$TMP/metrics.prom"

# A log that is not there: said once, exit 0, and no device is claimed never seen.
write_toml "$NGX/none.log"
expect_exit 0 cg status
expect_grep "^Log +local $NGX/none.log: not read \(open $NGX/none.log: No such file or directory\)" \
  "$TMP/out"
if grep -q '^  last seen' "$TMP/out"; then bad "last seen without a log"; else ok; fi
expect_exit 0 cg status --json
expect_grep '"read": false' "$TMP/out"
finish
