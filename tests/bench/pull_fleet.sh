#!/usr/bin/env bash
# Pull mode against push mode on one fleet (issue #15): N hosts on 127.0.0.1 (default 100), each
# a real nginx with `worker_processes 1` beside a real sshd (tests/integration/lib_hosts.sh).
#
#   pull  every host is a [[host]] with mode = "pull" and runs `certgate edge --interval 10s`
#         against a file:// publish repository (commits SSH-signed, --require-signed). Timed: from
#         the start of the CA host's `certgate apply` that revokes one device to every edge
#         refusing that device's certificate (curl, 400), the CA host's CPU (user + sys) for that
#         apply, and the memory (RSS) of the edge processes.
#   push  the same hosts as ordinary [[host]]s reached over SSH ([rollout] canary 1, batch PAR),
#         edges stopped: the same revocation of another device, the same two figures.
#
# Usage: tests/bench/pull_fleet.sh   (env: N=100, INTERVAL=10, PAR=10, CERTGATE, BENCH_KEEP=1)
# Everything listens on 127.0.0.1 and is stopped by pid on exit.
set -euo pipefail
N=${N:-100}
INTERVAL=${INTERVAL:-10}
PAR=${PAR:-10}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export CERTGATE=${CERTGATE:-$ROOT/build/certgate}
export CERTGATE_SOURCE_DIR=$ROOT
source "$ROOT/tests/integration/lib.sh"
source "$ROOT/tests/integration/lib_sshd.sh"
source "$ROOT/tests/integration/lib_hosts.sh"
cd "$TMP"
declare -a EDGE_PID
stop_edges() {
  local pid
  for pid in "${EDGE_PID[@]}"; do [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; done
  for pid in "${EDGE_PID[@]}"; do [ -n "$pid" ] && wait "$pid" 2>/dev/null || true; done
  EDGE_PID=()
}
trap 'stop_edges; hosts_stop; [ "${BENCH_KEEP:-}" = 1 ] && echo "kept $TMP" || cleanup' EXIT
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

echo "== setup: $N hosts (nginx + sshd each) on 127.0.0.1"
hosts_start "$N"
ssh-keygen -q -t ed25519 -N '' -C publisher -f publisher
echo "publisher@example.com namespaces=\"git\" $(cut -d' ' -f1,2 publisher.pub)" >allowed_signers
git init -q --bare pub.git
REVOKED=""
MODE=pull
write_toml() {
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Fleet CA"\n\n[rollout]\ncanary = 1\nbatch = %s\n' "$PAR"
    printf 'max_failures = %s\n\n' "$N"
    for d in alice dave erin; do
      printf '[[device]]\nname = "%s"\ngroups = ["admins"]\n' "$d"
      case " $REVOKED " in *" $d "*) printf 'revoked = "keyCompromise"\n' ;; esac
      printf '\n'
    done
    printf '[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_groups = ["admins"]\n\n'
    printf '[publish]\nrepo = "file://%s/pub.git"\nsigning_key = "%s/publisher"\n' "$TMP" "$TMP"
    for i in $(seq "$N"); do
      if [ "$MODE" = pull ]; then
        printf '\n[[host]]\nname = "h%s"\nmode = "pull"\ndir = "%s"\n' "$i" "${CG[$i]}"
      else
        host_toml "$i"
      fi
    done
  } >certgate.toml
}
cg() { "$CERTGATE" --source "$TMP/certgate.toml" --state-dir "$TMP/state" --ssh-key "$TMP/client" \
  --known-hosts "$TMP/known_hosts" "$@"; }
dev() { echo "--cert $TMP/$1.crt --key $TMP/$1.key"; }
# all_code CODE SECONDS CURL ARGS...: until every host answers CODE; fails after SECONDS.
all_code() {
  local want=$1 limit=$(($2 * 1000)) t0 i pending; t0=$(now_ms); shift 2
  pending=$(seq "$N")
  while [ -n "$pending" ]; do
    local left=""
    for i in $pending; do [ "$(host_curl "$i" "$@")" = "$want" ] || left="$left $i"; done
    pending=$left
    [ -z "$pending" ] && return 0
    [ $(($(now_ms) - t0)) -lt "$limit" ] || { echo "hosts still not $want:$pending" >&2; return 1; }
    sleep 0.2
  done
}
cpu_of() { awk '{printf "%.2f", $1 + $2}' "$1"; }  # user + sys seconds of /usr/bin/time -f '%U %S'

write_toml
cg apply >first.out 2>first.err || { tail -5 first.err >&2; exit 1; }
for d in alice dave erin; do cp "state/devices/$d/cert.pem" "$d.crt"; cp "state/devices/$d/key.pem" "$d.key"; done
echo "first publish: $(git -C pub.git rev-parse --short main)"

echo "== pull: $N certgate edge loops, --interval ${INTERVAL}s"
for i in $(seq "$N"); do
  t="nginx -p ${HOST_DIR[$i]} -c ${HOST_DIR[$i]}/nginx.conf -e ${HOST_DIR[$i]}/error.log"
  "$CERTGATE" --state-dir "${HOST_DIR[$i]}/edge-state" edge --from "file://$TMP/pub.git" \
    --host "h$i" --nginx-dir "${CG[$i]}" --test "$t -t" --reload "$t -s reload" --require-signed \
    --allowed-signers "$TMP/allowed_signers" --interval "${INTERVAL}s" \
    --metrics-file "${HOST_DIR[$i]}/edge.prom" >"${HOST_DIR[$i]}/edge.out" 2>"${HOST_DIR[$i]}/edge.log" &
  EDGE_PID[$i]=$!
done
for i in $(seq "$N"); do
  for _ in $(seq 300); do [ -f "${CG[$i]}/sites/admin.conf" ] && break; sleep 0.1; done
  host_write_conf "$i" 1 && host_ngx "$i" -s reload
done
# shellcheck disable=SC2046
all_code 200 60 $(dev dave)
echo "every edge lets dave in"
rss=$(for pid in "${EDGE_PID[@]}"; do ps -o rss= -p "$pid"; done | sort -n)
echo "edge memory (RSS): median $(echo "$rss" | awk '{a[NR]=$1} END {print int(a[int((NR+1)/2)]/1024)}') MiB, max $(echo "$rss" | tail -1 | awk '{print int($1/1024)}') MiB"

REVOKED="dave"
write_toml
t0=$(now_ms)
/usr/bin/time -f '%U %S' -o cpu.pull "$CERTGATE" --source "$TMP/certgate.toml" --state-dir "$TMP/state" apply >pull.out 2>pull.err || { tail -5 pull.err >&2; exit 1; }
applied=$(($(now_ms) - t0))
# shellcheck disable=SC2046
all_code 400 $((INTERVAL * 3 + 30)) $(dev dave)
pull_ms=$(($(now_ms) - t0))
echo "pull: apply (sign, publish) $applied ms; revocation refused on all $N edges after $pull_ms ms; CA host CPU $(cpu_of cpu.pull) s"
stop_edges

echo "== push: the same $N hosts over SSH, [rollout] canary 1, batch $PAR"
MODE=push
write_toml
cg apply >push0.out 2>push0.err || { tail -5 push0.err >&2; exit 1; }
REVOKED="dave erin"
write_toml
t0=$(now_ms)
/usr/bin/time -f '%U %S' -o cpu.push "$CERTGATE" --source "$TMP/certgate.toml" --state-dir "$TMP/state" \
  --ssh-key "$TMP/client" --known-hosts "$TMP/known_hosts" apply >push.out 2>push.err || { tail -5 push.err >&2; exit 1; }
# shellcheck disable=SC2046
all_code 400 60 $(dev erin)
push_ms=$(($(now_ms) - t0))
echo "push: revocation refused on all $N hosts after $push_ms ms; CA host CPU $(cpu_of cpu.push) s"
awk -v a="$pull_ms" -v b="$push_ms" -v c="$(cpu_of cpu.pull)" -v d="$(cpu_of cpu.push)" \
  'BEGIN {printf "ratio pull / push: latency %.2f, CA host CPU %.2f\n", a / b, (d > 0 ? c / d : 0)}'
