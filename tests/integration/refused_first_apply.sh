#!/usr/bin/env bash
# "Nothing was changed" is true of a first apply or sync whose desired state is refused: no
# state directory, no STATE/lock, no git mirror are left behind (a file source, a git source).
# Once the desired state is fixed, the first apply makes them as usual (0700).
source "$(dirname "$0")/lib.sh"
cd "$TMP"
trap '[ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
printf 'schema = 1\n[ca]\ncommon_name = "First CA"\n[[device]]\nnmae = "typo"\n' >broken.toml

expect_exit 1 "$CERTGATE" --source broken.toml --state-dir "$TMP/s1" apply
expect_grep 'broken.toml:5:1: error: unknown key "nmae"' "$TMP/err"
expect_grep 'nothing was changed' "$TMP/err"
[ ! -e "$TMP/s1" ] && ok || bad "a refused first apply left $(find "$TMP/s1" | tr '\n' ' ')"

git init -q -b main repo
cp broken.toml repo/certgate.toml
git -C repo add -A && git -C repo commit -qm broken
expect_exit 1 "$CERTGATE" --source repo --state-dir "$TMP/s2" sync
[ ! -e "$TMP/s2" ] && ok || bad "a refused first sync left $(find "$TMP/s2" -maxdepth 2 | tr '\n' ' ')"

# A directory that was there before is kept, whatever the apply thinks of the desired state.
mkdir -m 700 "$TMP/s3"
expect_exit 1 "$CERTGATE" --source broken.toml --state-dir "$TMP/s3" apply
[ -d "$TMP/s3" ] && ok || bad "a refused apply removed a state directory it did not make"

printf 'schema = 1\n[ca]\ncommon_name = "First CA"\n[[device]]\nname = "alice"\n' >good.toml
expect_exit 0 "$CERTGATE" --source good.toml --state-dir "$TMP/s1" apply
[ "$(stat -c %a "$TMP/s1")" = 700 ] && ok || bad "state dir mode $(stat -c %a "$TMP/s1")"
[ -f "$TMP/s1/devices/alice/cert.pem" ] && ok || bad "alice was not issued"
finish
