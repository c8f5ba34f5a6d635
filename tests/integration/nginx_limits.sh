#!/usr/bin/env bash
# validate's length limits are nginx's, checked on the real nginx: a site name whose nginx
# identifier is exactly the longest (92: 63 characters, 29 of them dots) and a public path of
# the longest length (1,024 characters, a third of them escaped in the regex) deploy, pass
# `nginx -t` and gate the door; one dot more in the name, or one character more in the path, is
# refused by validate with file:line:col (and so by a pull request's CI), never by nginx.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
trap 'nginx_stop; [ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
SITE=$(printf 'a.%.0s' $(seq 29))aaaaa                      # 63 characters, identifier 92
PUBLIC=/x$(printf '.y%.0s' $(seq 511))                      # 1,024 characters, 511 escaped
[ ${#SITE} = 63 ] && [ ${#PUBLIC} = 1024 ] && ok || bad "fixture lengths ${#SITE} ${#PUBLIC}"
nginx_prepare "$SITE" admin.test
write_toml() {  # write_toml SITE PUBLIC_PATH
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Limits CA"

[[device]]
name = "alice"

[[site]]
name = "$1"
server_names = ["admin.test"]
allow_devices = ["alice"]
public_paths = ["$2"]

$(nginx_toml_section)
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }

write_toml "$SITE" "$PUBLIC"
expect_exit 0 cg validate
nginx_start
expect_exit 0 cg apply
nginx_include_certgate
expect_exit 0 cg apply
[ "$(curl_status --cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")" = 200 ] &&
  ok || bad "alice through the longest site name: $(curl_status --cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")"
[ "$(curl_status)" = 403 ] && ok || bad "no certificate: $(curl_status), want 403"
[ "$(CURL_PATH=$PUBLIC curl_status)" = 200 ] && ok || bad "the longest public path: $(CURL_PATH=$PUBLIC curl_status)"
expect_exit 0 ngx -t

# One more: refused by validate, at the line and column of the value.
LONGER=$(printf 'a.%.0s' $(seq 30))aaa  # 63 characters, identifier 93
write_toml "$LONGER" "$PUBLIC"
expect_exit 1 cg validate
expect_grep "^certgate.toml:10:8: error: site name \"$LONGER\" is too long for nginx" "$TMP/err"
write_toml "$SITE" "${PUBLIC}z"
expect_exit 1 cg validate
expect_grep '^certgate.toml:13:17: error: public path "/x\.y.*" \(1025 characters\) is longer than 1024 characters' "$TMP/err"
finish
