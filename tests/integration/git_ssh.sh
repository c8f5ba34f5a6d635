#!/usr/bin/env bash
# An ssh:// git source served by a real sshd on 127.0.0.1 (temp host key, temp config, stopped
# by pid): sync with --ssh-key and a known_hosts that lists the host key works; an unknown host
# key and a changed one are refused and nothing is fetched or changed.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_sshd.sh"
S=$TMP/state
cd "$TMP"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; cleanup' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f hostkey
ssh-keygen -q -t ed25519 -N '' -f otherhost
ssh-keygen -q -t ed25519 -N '' -f client
cp client.pub authorized_keys
chmod 600 authorized_keys
sshd_write_config sshd_config "$port" "$TMP"
sshd_run sshd_config "$port" sshd.log
PID=$SSHD_LAST_PID
git init -q -b main work
printf 'schema = 1\n\n[ca]\ncommon_name = "SSH CA"\n\n[[device]]\nname = "alice"\n' >work/certgate.toml
git -C work add -A && git -C work commit -qm alice
git clone -q --bare work remote.git
url="ssh://$(id -un)@127.0.0.1:$port$TMP/remote.git"
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 hostkey.pub)" >known_hosts
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 otherhost.pub)" >known_hosts.changed
: >known_hosts.empty
cg() { "$CERTGATE" --state-dir "$S" --source "$url" --ssh-key "$TMP/client" "$@" sync; }

expect_exit 1 cg --known-hosts known_hosts.empty
expect_grep "host key of 127.0.0.1:$port is not in known_hosts.empty \(host keys are never learned" "$TMP/err"
[ ! -e "$S/ca" ] && ok || bad "something was applied from an unknown host"
expect_exit 1 cg --known-hosts known_hosts.changed
expect_grep "host key of 127.0.0.1:$port differs from the one in known_hosts.changed" "$TMP/err"
expect_exit 0 cg --known-hosts known_hosts
expect_grep 'Apply complete: CA created, 1 issued' "$TMP/out"
# A wrong client key is an authentication failure, not a hang.
ssh-keygen -q -t ed25519 -N '' -f stranger
expect_exit 1 "$CERTGATE" --state-dir "$S" --source "$url" --ssh-key "$TMP/stranger" \
  --known-hosts known_hosts sync
expect_grep 'SSH authentication to 127.0.0.1 failed with .*stranger' "$TMP/err"
finish
