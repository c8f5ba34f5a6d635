#!/usr/bin/env bash
# Hostile `csr = ...` paths (issue #12, finding 15): a FIFO, a symlink to /dev/zero, symlinks
# out of the source, a symlinked folder, "..", an absolute path and a file too large are each
# refused at the csr key, at once and without echoing what they point at, by validate and plan,
# for a directory, a git work tree and the same repository read from its commit, which all say
# the same.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
mkdir outside
printf 'root:$6$SECRETHASH:19000:0:99999:7:::\n' >outside/shadow

# make_source DIR: certgate.toml with one device per hostile path, and the files they name.
make_source() {
  mkdir -p "$1/csr" "$1/keys"
  cat >"$1/certgate.toml" <<TOML
schema = 1

[ca]
common_name = "Hostile CA"

[[device]]
name = "zero"
csr = "csr/zero.csr"

[[device]]
name = "out"
csr = "csr/out.csr"

[[device]]
name = "abs-link"
csr = "csr/abs.csr"

[[device]]
name = "folder"
csr = "keys/shadow"

[[device]]
name = "dotdot"
csr = "../outside/shadow"

[[device]]
name = "absolute"
csr = "$TMP/outside/shadow"

[[device]]
name = "big"
csr = "csr/big.csr"

[[device]]
name = "inside"
csr = "csr/in.csr"
TOML
  ln -s /dev/zero "$1/csr/zero.csr"
  ln -s ../../outside/shadow "$1/csr/out.csr"
  ln -s "$TMP/outside/shadow" "$1/csr/abs.csr"
  rmdir "$1/keys" && ln -s ../outside "$1/keys"
  head -c 70000 /dev/zero | tr '\0' 'A' >"$1/csr/big.csr"
  ln -s big.csr "$1/csr/in.csr"
}

# check_refusals LABEL: the diagnostics of the last command, in $TMP/err.
check_refusals() {
  local e="$TMP/err"
  expect_grep ':8:7: error: "csr": csr/zero.csr is a symlink out of the source$' "$e"
  expect_grep ':12:7: error: "csr": csr/out.csr is a symlink out of the source$' "$e"
  expect_grep ':16:7: error: "csr": csr/abs.csr is a symlink out of the source$' "$e"
  expect_grep ':20:7: error: "csr": keys is a symlink out of the source$' "$e"
  expect_grep ':24:7: error: "csr": "../outside/shadow" must be a relative path inside the source' "$e"
  expect_grep ':28:7: error: "csr": ".*/outside/shadow" must be a relative path inside the source' "$e"
  expect_grep ':32:7: error: "csr": csr/big.csr is larger than 64 KiB$' "$e"
  expect_grep ':36:7: error: "csr": csr/in.csr is a symlink \(certgate follows no link in the source\)$' "$e"
  if grep -q SECRETHASH "$e" "$TMP/out"; then bad "$1: the output shows the outside file"; else ok; fi
  grep -oE 'toml:[0-9]+:[0-9]+: .*' "$e" >"$TMP/$1.diags" || true
}

# A directory source, with a FIFO too (git cannot hold one).
make_source dir
mkfifo dir/csr/fifo.csr
printf '\n[[device]]\nname = "fifo"\ncsr = "csr/fifo.csr"\n' >>dir/certgate.toml
expect_exit 1 timeout 20 "$CERTGATE" validate --source dir
check_refusals dir
expect_grep ':40:7: error: "csr": csr/fifo.csr is not a regular file$' "$TMP/err"
expect_exit 1 timeout 20 "$CERTGATE" plan --source dir --state-dir "$TMP/state-dir"
check_refusals dir-plan
expect_grep ':40:7: error: "csr": csr/fifo.csr is not a regular file$' "$TMP/err"

# The desired-state file itself: a FIFO or a symlink out of the source is refused too.
mkdir fifo-toml && mkfifo fifo-toml/certgate.toml
expect_exit 1 timeout 20 "$CERTGATE" validate --source fifo-toml
expect_grep 'certgate.toml is not a regular file' "$TMP/err"
mkdir link-toml && ln -s "$TMP/outside/shadow" link-toml/certgate.toml
expect_exit 1 timeout 20 "$CERTGATE" validate --source link-toml
expect_grep 'certgate.toml is a symlink out of the source' "$TMP/err"
if grep -q SECRETHASH "$TMP/err"; then bad "link-toml: the output shows the outside file"; else ok; fi

# A git repository: its work tree (read as files) and its commit (read by libgit2) agree.
git init -q -b main repo
make_source repo
git -C repo add -A && git -C repo commit -qm hostile
expect_exit 1 timeout 20 "$CERTGATE" validate --source repo
check_refusals worktree
expect_exit 1 timeout 20 "$CERTGATE" plan --source "file://$TMP/repo" --state-dir "$TMP/state-git"
check_refusals git
expect_exit 1 timeout 20 "$CERTGATE" sync --source repo --state-dir "$TMP/state-sync"
check_refusals sync
if diff -u "$TMP/worktree.diags" "$TMP/git.diags" >&2; then ok; else bad "work tree and commit differ"; fi
[ ! -e "$TMP/state-sync/ca" ] && ok || bad "sync of a refused commit made a CA"

finish
