#!/usr/bin/env bash
# certgate sync --require-signed with real SSH-signed commits (git commit -S, gpg.format=ssh,
# keys from ssh-keygen): a commit signed by a listed key (ed25519, ecdsa) is applied; an unsigned
# one, one signed by an unlisted key, and one in a file the key was not trusted for are refused,
# and nothing changes.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
ssh-keygen -q -t ed25519 -N '' -C alice -f alice
ssh-keygen -q -t ecdsa -b 256 -N '' -C carol -f carol
ssh-keygen -q -t ed25519 -N '' -C mallory -f mallory
{
  echo "# who may change the device list"
  echo "alice@example.com namespaces=\"git\" $(cut -d' ' -f1,2 alice.pub)"
  echo "carol@example.com $(cut -d' ' -f1,2 carol.pub)"
} >allowed_signers
git init -q -b main repo
add_device() { printf '\n[[device]]\nname = "%s"\n' "$1" >>repo/certgate.toml; git -C repo add -A; }
signed_commit() {  # signed_commit KEY MESSAGE
  git -C repo -c gpg.format=ssh -c user.signingkey="$TMP/$1" commit -q -S -m "$2"
}
printf 'schema = 1\n\n[ca]\ncommon_name = "Signed CA"\n' >repo/certgate.toml
add_device alice
signed_commit alice "alice, signed by alice"
cg() { "$CERTGATE" --state-dir "$S" --source repo sync --require-signed --allowed-signers allowed_signers "$@"; }
index_sha() { sha256sum "$S/ca/index.txt" | cut -d' ' -f1; }

expect_exit 0 cg
expect_grep 'commit signed .*signer=alice@example.com' "$TMP/err"
expect_grep 'Apply complete: CA created, 1 issued' "$TMP/out"

# Unsigned: refused, nothing changes.
add_device bob
git -C repo commit -qm "bob, unsigned"
before=$(index_sha)
expect_exit 1 cg
expect_grep 'refusing commit [0-9a-f]{7}: it is not signed' "$TMP/err"
[ "$(index_sha)" = "$before" ] && ok || bad "state changed after an unsigned commit"

# Signed by a key that is not listed: refused, with the key's fingerprint as ssh-keygen prints it.
git -C repo -c gpg.format=ssh -c user.signingkey="$TMP/mallory" commit -q --amend --no-edit -S
fp=$(ssh-keygen -lf mallory.pub | cut -d' ' -f2 | sed 's/[+]/\\+/g')
expect_exit 1 cg
expect_grep "not in allowed_signers \($fp\)" "$TMP/err"
[ "$(index_sha)" = "$before" ] && ok || bad "state changed after a commit by an unlisted key"

# Signed by carol (ecdsa-sha2-nistp256): applied.
git -C repo -c gpg.format=ssh -c user.signingkey="$TMP/carol" commit -q --amend --no-edit -S
expect_exit 0 cg --allow-rewind
expect_grep 'signer=carol@example.com' "$TMP/err"
[ -f "$S/devices/bob/cert.pem" ] && ok || bad "bob not issued after carol's commit"

# A malformed allowed_signers file is named with its line, and nothing changes.
printf '# ok\nalice@example.com cert-authority %s\n' "$(cut -d' ' -f1,2 alice.pub)" >bad_signers
before=$(index_sha)
expect_exit 1 "$CERTGATE" --state-dir "$S" --source repo sync --require-signed \
  --allowed-signers bad_signers
expect_grep '^certgate: bad_signers:2: ' "$TMP/err"
[ "$(index_sha)" = "$before" ] && ok || bad "state changed with a malformed allowed_signers"

# --require-signed without a list of signers is a usage error.
expect_exit 1 "$CERTGATE" --state-dir "$S" --source repo sync --require-signed
expect_grep 'needs --allowed-signers' "$TMP/err"
finish
