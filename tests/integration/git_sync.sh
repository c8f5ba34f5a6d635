#!/usr/bin/env bash
# certgate sync from real git repositories made with the git CLI: from a path and from file://,
# reading commits (never uncommitted edits), applying a pushed commit, naming the commit in the
# generated files, refusing a rewind (unless --allow-rewind) and a broken commit, both without
# changing anything.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
git init -q -b main repo
write_toml() {  # write_toml EXTRA
  cat >repo/certgate.toml <<TOML
schema = 1

[ca]
common_name = "Sync CA"

[[device]]
name = "alice"

$1

[[site]]
name = "wiki"
server_names = ["wiki.test"]

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
TOML
}
commit() { git -C repo add -A && git -C repo commit -qm "$1" && git -C repo rev-parse HEAD; }
cg() { "$CERTGATE" --state-dir "$S" "$@"; }
index_sha() { sha256sum "$S/ca/index.txt" | cut -d' ' -f1; }

write_toml ""
c1=$(commit "alice")
expect_exit 0 cg sync --source repo --metrics-file "$TMP/certgate.prom"
expect_grep "source git ${c1:0:7} \(main\)" "$TMP/out"
expect_grep '^certgate_sync_success 1$' "$TMP/certgate.prom"
expect_grep "^certgate_applied_commit_info\{commit=\"$c1\"" "$TMP/certgate.prom"
expect_grep '^certgate_certificate_expiry_timestamp_seconds\{device="alice",serial="[0-9A-F]+"\} [0-9]+$' "$TMP/certgate.prom"
expect_grep '^certgate_crl_next_update_timestamp_seconds [0-9]+$' "$TMP/certgate.prom"
expect_grep 'Apply complete: CA created, 1 issued' "$TMP/out"
expect_grep "\"source\": \"git commit $c1\"" "$TMP/nginx/.certgate-manifest.json"
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["last_applied"]["commit"])' "$S/state.json")" = "$c1" ] && ok || bad "state.json commit"

# Uncommitted edits are not applied by sync: it reads commits.
write_toml $'[[device]]\nname = "uncommitted"'
expect_exit 0 cg sync --source repo
expect_grep '^No changes' "$TMP/out"

# A pushed commit is applied, from file:// as well (the mirror follows the URL).
write_toml $'[[device]]\nname = "bob"'
c2=$(commit "bob")
expect_exit 0 cg sync --source "file://$TMP/repo"
expect_grep 'Apply complete: 1 issued' "$TMP/out"
[ -f "$S/devices/bob/cert.pem" ] && ok || bad "bob not issued"

# A rewind (force-push to an older device list) is refused and changes nothing.
git -C repo reset -q --hard "$c1"
before=$(index_sha)
expect_exit 1 cg sync --source repo
expect_grep "refusing commit ${c1:0:7}: it does not descend from the last applied commit ${c2:0:7}" "$TMP/err"
[ "$(index_sha)" = "$before" ] && ok || bad "state changed after a refused rewind"
expect_exit 0 cg sync --source repo --allow-rewind --metrics-file "$TMP/certgate.prom"
expect_grep '^  - revoke +device bob' "$TMP/out"
expect_grep '^certgate_revocation_latency_seconds\{device="bob",target="local"\} [0-9]+$' "$TMP/certgate.prom"

# A renewal whose predecessor is revoked at once (a new key type, overlap 0s) is no revocation:
# the summary counts it apart, and no revocation latency is reported for it.
write_toml $'[defaults]\nkey = "ec-p384"\noverlap = "0s"'
commit "alice on ec-p384" >/dev/null
expect_exit 0 cg sync --source repo --metrics-file "$TMP/certgate.prom"
expect_grep 'Apply complete: 0 issued, 1 renewed, 0 revoked \(1 replaced certificate revoked as superseded\)' "$TMP/out"
if grep -q '^certgate_revocation_latency_seconds' "$TMP/certgate.prom"; then
  bad "a routine renewal reported a revocation latency"; else ok; fi

# A broken commit is refused with the commit and file:line:col; the deployed state stays.
printf 'schema = 1\n[ca]\ncommon_name = "Sync CA"\n[[device]]\nnmae = "typo"\n' >repo/certgate.toml
c3=$(commit "broken")
before=$(index_sha)
cp "$TMP/nginx/http.conf" http.before
expect_exit 1 cg sync --source repo --metrics-file "$TMP/certgate.prom"
expect_grep "^${c3:0:7}:certgate.toml:5:1: error: unknown key \"nmae\"" "$TMP/err"
expect_grep '^certgate_sync_success 0$' "$TMP/certgate.prom"
[ "$(index_sha)" = "$before" ] && ok || bad "state changed after a broken commit"
cmp -s http.before "$TMP/nginx/http.conf" && ok || bad "nginx files changed after a broken commit"
# ...but a CRL that is due (here: gone from the state) is still signed and deployed alone.
rm "$S/ca/crl.pem"
cp "$TMP/nginx/crl.pem" crl.before
expect_exit 1 cg sync --source repo
expect_grep '^Refreshed the CRL only: CRL [0-9]+, deployed to local\.$' "$TMP/out"
expect_exit 0 openssl crl -in "$S/ca/crl.pem" -noout
cmp -s crl.before "$TMP/nginx/crl.pem" && bad "the due CRL did not reach nginx after a broken commit" || ok
cmp -s http.before "$TMP/nginx/http.conf" && ok || bad "nginx files changed after a broken commit"

# An unknown ref is a clear error.
expect_exit 1 cg sync --source repo --ref nope
expect_grep 'ref nope: no such branch, tag or commit' "$TMP/err"
finish
