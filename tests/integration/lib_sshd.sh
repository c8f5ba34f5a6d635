# A real sshd for integration tests, on 127.0.0.1 only (DESIGN.md section 6): a temp config that
# admits key logins from $TMP/authorized_keys, started in the foreground of a background job so
# the test can stop it by pid. Shared by git_ssh.sh (an ssh:// git source) and lib_hosts.sh
# (rollout hosts). Sourced after lib.sh.
#
#   sshd_write_config FILE PORT DIR   config listening on PORT, host key DIR/hostkey, pid DIR/sshd.pid
#   sshd_run FILE PORT LOG            starts it, waits until PORT answers; pid in $SSHD_LAST_PID
SSHD=$(command -v sshd || echo /usr/sbin/sshd)
[ -x "$SSHD" ] || { echo "FAIL: sshd is not installed (scripts/common.sh installs openssh-server)"; exit 1; }
# sshd needs its privilege separation directory (Debian's /run/sshd) when it runs as root.
[ "$(id -u)" = 0 ] && mkdir -p /run/sshd

sshd_write_config() {
  local file=$1 port=$2 dir=$3
  cat >"$file" <<CONF
ListenAddress 127.0.0.1
Port $port
HostKey $dir/hostkey
PidFile $dir/sshd.pid
AuthorizedKeysFile $TMP/authorized_keys
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
Subsystem sftp internal-sftp
# bash sources ~/.bashrc for commands run by sshd when SHLVL < 2; on this kind of machine root's
# .bashrc runs \`pyenv init\` (half a second per command). Not certgate's cost, so not measured.
SetEnv SHLVL=1
CONF
}

sshd_run() {
  local file=$1 port=$2 log=$3
  "$SSHD" -f "$file" -D -e 2>>"$log" &
  SSHD_LAST_PID=$!
  for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
  echo "FAIL: sshd on port $port did not start" >&2; cat "$log" >&2; return 1
}
