# Rollout hosts for integration tests: each one a real sshd on its own 127.0.0.1 port (temp host
# key, internal-sftp, key login for this user) beside its own nginx from a temp prefix, as
# DESIGN.md section 6 asks. Sourced after lib.sh; everything started here is stopped by pid.
#
#   hosts_start N                 starts hosts 1..N; writes $TMP/known_hosts and $TMP/client key
#   host_toml I                   the [[host]] table of host I (name hI)
#   host_include I                makes host I's nginx include certgate's files, and reloads it
#   host_curl I [CURL ARGS...]    HTTP status of https://admin.test/ on host I
#   sshd_stop I / sshd_start I    stop (listener and its sessions) / start host I's sshd again
#   hosts_stop                    everything, by pid
#   HOST_DIR[I] HOST_SSH[I] HOST_HTTPS[I] CG[I]  (CG: host I's certgate include dir)
source "$(dirname "${BASH_SOURCE[0]}")/lib_sshd.sh"
source "$(dirname "${BASH_SOURCE[0]}")/lib_gate_conf.sh"

declare -a HOST_DIR HOST_SSH HOST_HTTPS HOST_BACKEND CG SSHD_PID NGX_PIDS

hosts_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ssh-keygen -q -t ed25519 -N '' -f "$TMP/client"
cp "$TMP/client.pub" "$TMP/authorized_keys"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=admin.test" -keyout "$TMP/server.key" -out "$TMP/server.crt" 2>/dev/null

host_ngx() { local i=$1; shift; nginx -p "${HOST_DIR[$i]}" -c "${HOST_DIR[$i]}/nginx.conf" -e "${HOST_DIR[$i]}/error.log" "$@"; }

# host_write_conf I INCLUDE(0|1) [EXTRA HTTP LINES]
host_write_conf() {
  gate_nginx_conf "${HOST_DIR[$1]}" "${CG[$1]}" "${HOST_HTTPS[$1]}" "${HOST_BACKEND[$1]}" "host=h$1" \
    "$2" "${3:-}" >"${HOST_DIR[$1]}/nginx.conf"
}

sshd_start() {
  local i=$1
  sshd_run "${HOST_DIR[$i]}/sshd_config" "${HOST_SSH[$i]}" "${HOST_DIR[$i]}/sshd.log"
  SSHD_PID[$i]=$SSHD_LAST_PID
}

# The pids of PID's descendants (children first found, then theirs).
descendants() {
  local child
  for child in $(pgrep -P "$1" || true); do echo "$child"; descendants "$child"; done
}

# Stops host I's sshd: the listener and every session process it forked, so that open
# connections drop too (as when the host goes down).
sshd_stop() {
  local i=$1 pid=${SSHD_PID[$1]:-}
  [ -n "$pid" ] || return 0
  # shellcheck disable=SC2046
  kill -KILL $(descendants "$pid") 2>/dev/null || true
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  SSHD_PID[$i]=""
}

hosts_start() {
  local n=$1 i
  : >"$TMP/known_hosts"
  for i in $(seq "$n"); do
    HOST_DIR[$i]=$TMP/h$i
    CG[$i]=$TMP/h$i/certgate
    HOST_SSH[$i]=$(hosts_free_port)
    HOST_HTTPS[$i]=$(hosts_free_port)
    HOST_BACKEND[$i]=$(hosts_free_port)
    mkdir -p "${HOST_DIR[$i]}/tmp"
    ssh-keygen -q -t ed25519 -N '' -f "${HOST_DIR[$i]}/hostkey"
    sshd_write_config "${HOST_DIR[$i]}/sshd_config" "${HOST_SSH[$i]}" "${HOST_DIR[$i]}"
    echo "[127.0.0.1]:${HOST_SSH[$i]} $(cut -d' ' -f1,2 "${HOST_DIR[$i]}/hostkey.pub")" >>"$TMP/known_hosts"
    sshd_start "$i"
    host_write_conf "$i" 0
    host_ngx "$i"
    for _ in $(seq 50); do [ -s "${HOST_DIR[$i]}/nginx.pid" ] && break; sleep 0.1; done
    NGX_PIDS[$i]=$(cat "${HOST_DIR[$i]}/nginx.pid")
  done
}

host_toml() {
  local i=$1
  cat <<TOML

[[host]]
name = "h$i"
address = "127.0.0.1"
port = ${HOST_SSH[$i]}
user = "$(id -un)"
dir = "${CG[$i]}"
test = "nginx -p ${HOST_DIR[$i]} -c ${HOST_DIR[$i]}/nginx.conf -e ${HOST_DIR[$i]}/error.log -t"
reload = "nginx -p ${HOST_DIR[$i]} -c ${HOST_DIR[$i]}/nginx.conf -e ${HOST_DIR[$i]}/error.log -s reload"
TOML
}

host_include() { host_write_conf "$1" 1 "${2:-}"; host_ngx "$1" -s reload; sleep 0.5; }

host_curl() {
  local i=$1; shift
  curl -sk -o "$TMP/body" -w '%{http_code}' --max-time 10 \
    --resolve "admin.test:${HOST_HTTPS[$i]}:127.0.0.1" "$@" "https://admin.test:${HOST_HTTPS[$i]}/" || true
}

hosts_stop() {
  local i pid
  for i in "${!SSHD_PID[@]}"; do sshd_stop "$i"; done
  for pid in "${NGX_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  done
}

trap 'hosts_stop; cleanup' EXIT
