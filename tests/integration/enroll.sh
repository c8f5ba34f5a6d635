#!/usr/bin/env bash
# `certgate enroll DEVICE [--qr] [--cancel]`: the refusals (no [enroll], unknown, revoked,
# ended and CSR devices), the link and password it prints, the token file (0600 in a 0700
# folder, replaced by a new enroll, removed by --cancel), a QR code of the link only, and the
# token never in a log line, state.json or the nginx files.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
mkdir -p csr nginx
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout bob.key \
  -subj "/CN=bob" -out csr/bob-laptop.csr 2>/dev/null
# write_toml [ENROLL_TOML], with the site's probe line from $PROBE.
write_toml() {
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Enroll CA"

[[device]]
name = "alice-phone"

[[device]]
name = "bob-laptop"
csr = "csr/bob-laptop.csr"

[[device]]
name = "carol-ipad"
revoked = "keyCompromise"

[[device]]
name = "dave-old"
not_after = "2020-01-01"

[[site]]
name = "admin"
server_names = ["*.example.com", "admin.example.com"]
${PROBE:-}

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
TOML
  printf '%s\n' "${1:-}" >>certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
URL='^https://admin\.example\.com/enroll/e/[0-9a-f]{40}/$'
ENROLL=$'[enroll]\nsite = "admin"\npath = "/enroll/"\nlink_validity = "2h"'

# 1. Without [enroll] there is no link.
write_toml
expect_exit 1 cg enroll alice-phone
expect_grep 'no \[enroll\] table' "$TMP/err"
write_toml "$ENROLL"

# 2. Refusals, each saying why.
expect_exit 1 cg enroll nobody
expect_grep 'no device "nobody"' "$TMP/err"
expect_exit 1 cg enroll carol-ipad
expect_grep 'carol-ipad is revoked \(keyCompromise\)' "$TMP/err"
expect_exit 1 cg enroll dave-old
expect_grep 'dave-old ended at 2020-01-01T23:59:59Z' "$TMP/err"
expect_exit 1 cg enroll bob-laptop
expect_grep 'bob-laptop has a CSR' "$TMP/err"
expect_exit 1 cg enroll ../etc
expect_grep 'not a device name' "$TMP/err"
expect_exit 1 cg enroll alice-phone --now 2026-01-01T00:00:00Z
expect_exit 1 cg enroll alice-phone --qr --cancel

# 3. Before the first apply: a link, no password yet. The host is the first server name that
# is not a wildcard, with the probe's port when it is not 443 (no apply here: nothing listens).
PROBE='probe = "https://127.0.0.1:8443"' write_toml "$ENROLL"
expect_exit 0 cg enroll alice-phone
[ "$(wc -l <"$TMP/out")" = 1 ] && ok || bad "stdout is not the link alone"
expect_grep '^https://admin\.example\.com:8443/enroll/e/[0-9a-f]{40}/$' "$TMP/out"
write_toml "$ENROLL"
expect_grep 'no certificate yet' "$TMP/err"
expect_grep 'works until [0-9T:-]+Z \(2h\)' "$TMP/err"
first=$(sed -n 1p "$TMP/out")
[ "$(stat -c %a "$S")" = 700 ] && ok || bad "state dir mode $(stat -c %a "$S")"
[ "$(stat -c %a "$S/enroll")" = 700 ] && ok || bad "enroll dir mode $(stat -c %a "$S/enroll")"
[ "$(stat -c %a "$S/enroll/alice-phone.json")" = 600 ] && ok || bad "token file mode"
grep -qF "$(basename "$first")" "$S/enroll/alice-phone.json" && ok || bad "token not in its file"

# 4. After apply: the link and the bundle password, a new token replacing the old one.
expect_exit 0 cg -v apply
cat "$TMP/out" "$TMP/err" >apply.log
expect_exit 0 cg -v enroll alice-phone
expect_grep "$URL" "$TMP/out"
[ "$(sed -n 2p "$TMP/out")" = "$(head -1 "$S/devices/alice-phone/bundle.pass")" ] && ok ||
  bad "line 2 is not the bundle password"
expect_grep 'enroll link opened device=alice-phone' "$TMP/err"
second=$(sed -n 1p "$TMP/out")
token=$(basename "$second")
[ "$first" != "$second" ] && ok || bad "enrolling again kept the token"
[ "$(ls "$S/enroll")" = alice-phone.json ] && ok || bad "more than one link file"
grep -qF "$token" "$S/enroll/alice-phone.json" && ok || bad "the new token is not stored"
grep -qF "$(basename "$first")" "$S/enroll/alice-phone.json" && bad "old token kept" || ok
for f in "$TMP/err" apply.log "$S/state.json"; do
  grep -qF "$token" "$f" && bad "token in $f" || ok
done
grep -rqF "$token" nginx && bad "token in the nginx files before the enroll site deploys it" || ok
grep -qF "$(head -1 "$S/devices/alice-phone/bundle.pass")" "$TMP/err" && bad "password on stderr" || ok

# 5. --qr: the link as a QR code (no colour codes off a terminal), the password not in it.
expect_exit 0 cg enroll alice-phone --qr
expect_grep "$URL" "$TMP/out"
expect_grep '█' "$TMP/out"
[ "$(grep -c '█' "$TMP/out")" -ge 15 ] && ok || bad "QR code too short"
grep -q $'\x1b' "$TMP/out" && bad "colour codes off a terminal" || ok

# 6. --cancel ends the link, and says when there was none; a held lock is refused.
expect_exit 0 cg enroll alice-phone --cancel
expect_grep 'Cancelled the enrollment link of alice-phone' "$TMP/out"
[ -e "$S/enroll/alice-phone.json" ] && bad "token file still there" || ok
expect_exit 0 cg enroll alice-phone --cancel
expect_grep 'alice-phone has no open enrollment link' "$TMP/out"
expect_exit 0 cg enroll gone-device --cancel
expect_exit 0 "$CERTGATE" --state-dir "$TMP/none" enroll alice-phone --cancel
[ -e "$TMP/none" ] && bad "--cancel made a state dir" || ok
flock "$S/lock" sleep 5 &
holder=$!
sleep 0.5
expect_exit 1 cg enroll alice-phone
expect_exit 1 cg enroll alice-phone --cancel
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
expect_exit 0 "$CERTGATE" enroll --help
expect_grep 'one-time enrollment link' "$TMP/out"
finish
