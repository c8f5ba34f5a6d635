#!/usr/bin/env bash
# Secrets are the owner's alone, and every command that reads them says so the same way: a
# state directory open to others is refused by apply, plan (also when it could answer from its
# cache), status and bundle; a device's key.pem, bundle.pass or bundle.p12 opened to others is
# refused by the command that reads it (bundle, a renewal that keeps the password), naming the
# file, and nothing is signed.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; [ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
write_toml() {  # write_toml [DEFAULTS]
  printf 'schema = 1\n\n[ca]\ncommon_name = "Modes CA"\n\n%s\n\n[[device]]\nname = "alice"\n' \
    "${1:-}" >certgate.toml
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
refused() {  # refused WHAT PATH: the last command refused PATH as open to others
  if grep -q "refusing to use $2: its mode is 0[0-7]*, open to others; it holds secrets" "$TMP/err"; then
    ok; else bad "$1: not refused as open to others"; sed 's/^/  | /' "$TMP/err" >&2; fi
}

write_toml
expect_exit 0 cg apply
expect_exit 0 cg plan
expect_exit 0 cg plan  # kept in the run cache

chmod 755 "$S"
for cmd in apply plan status "bundle alice"; do
  # shellcheck disable=SC2086
  expect_exit 1 cg $cmd
  refused "$cmd with a 0755 state directory" "$S"
done
chmod 700 "$S"
expect_exit 0 cg status

for f in key.pem bundle.pass; do
  chmod 644 "$S/devices/alice/$f"
  expect_exit 1 cg bundle alice
  refused "bundle with $f 0644" "$S/devices/alice/$f"
  chmod 600 "$S/devices/alice/$f"
done
expect_exit 0 cg bundle alice

# A renewal keeps the bundle's password: it reads bundle.pass, and refuses it open to others,
# before anything is signed.
chmod 644 "$S/devices/alice/bundle.pass"
index_before=$(sha256sum <"$S/ca/index.txt")
write_toml $'[defaults]\nkey = "ec-p384"'
expect_exit 1 cg apply
refused "a renewal with bundle.pass 0644" "$S/devices/alice/bundle.pass"
[ "$(sha256sum <"$S/ca/index.txt")" = "$index_before" ] && ok || bad "a certificate was signed"
chmod 600 "$S/devices/alice/bundle.pass"
expect_exit 0 cg apply
expect_grep 'Apply complete: 0 issued, 1 renewed' "$TMP/out"
finish
