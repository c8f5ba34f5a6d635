#!/usr/bin/env bash
# Rolling out one revocation to many nginx hosts over SSH: certgate versus an Ansible playbook
# doing the same work, in the same run, on the same fake hosts (tests/integration/lib_hosts.sh:
# each a real sshd on its own 127.0.0.1 port plus its own nginx). For each host count:
#
#   certgate  `certgate -v apply` after one more device gets `revoked = "keyCompromise"`, end to
#             end: load, SSH to every host (16 handshakes at a time) and read its files, plan,
#             revoke + sign the CRL, then roll out ([rollout] canary = 1, then batches of PAR):
#             5 files per host over SFTP (staged, flushed, renamed), `nginx -t`, `nginx -s reload`.
#             Checked: `certgate plan` says "No changes", every host's crl.pem lists the serial
#             and every host was reloaded.
#   Ansible   /usr/bin/ansible-playbook (Debian's, system python3) with forks = PAR: the same 5
#             files, taken from a host certgate has just deployed (so each run ships a new CRL),
#             into a directory of Ansible's own on every host (file: the dir; copy: ca.pem,
#             crl.pem, http.conf, sites/admin.proxy.conf; template: sites/admin.conf, whose paths
#             name the host's dir), then handlers `nginx -t` and `nginx -s reload`. Its nginx -t
#             reads a second nginx.conf that includes Ansible's dir; its reload signals the same
#             nginx master. Ansible at its fastest: pipelining on, ControlMaster/ControlPersist
#             (Ansible's default ssh_args), no fact gathering, no interpreter discovery
#             (interpreter_python = /usr/bin/python3). Each timed run starts cold, as an apply
#             does: the ControlPersist masters of the previous run are closed first.
#             Checked: exit 0, every host's crl.pem equals the staged one, every host reloaded.
#
# Both are timed the median of RUNS runs (revoking d01, d02, ... in turn), with the CPU time
# (user + sys) of the controller process and the children it waited for. On loopback every host's
# sshd, nginx -t, reload (and Ansible's remote python) share this machine's cores with the
# controller: both tools pay for that per host, as they would not on real hosts. The sshd of every
# host sets `SetEnv SHLVL=1`, so root's ~/.bashrc (pyenv init here: 0.5 s per SSH command) is
# not sourced by the commands either tool runs: neither is measured with it.
#
# Usage: tests/bench/rollout_hosts.sh
#   env: HOSTS="10 50"   host counts, one phase each (hosts started once, for the largest)
#        RUNS=3          timed runs per tool and host count (at most 20)
#        PAR=10          certgate [rollout].batch and Ansible forks
#        NOPIPE=1        also time Ansible with pipelining off (its own dir on each host)
#        CERTGATE        certgate binary (default build/certgate of this repository)
# Installs the Debian package ansible when missing (apt-get, sudo when not root). Everything
# listens on 127.0.0.1 only and is stopped by pid (sshd, nginx) or by its control socket (the
# ssh ControlPersist masters Ansible leaves) on exit. Each tool run has a 10-minute timeout.
set -euo pipefail
HOSTS=${HOSTS:-"10 50"}
RUNS=${RUNS:-3}
PAR=${PAR:-10}
NOPIPE=${NOPIPE:-0}
DEVICES=20
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export CERTGATE=${CERTGATE:-$root/build/certgate} CERTGATE_SOURCE_DIR=$root
if [ ! -x "$CERTGATE" ]; then
  echo "no certgate binary at $CERTGATE (cd build && make certgate)" >&2
  exit 1
fi
if [ "$RUNS" -lt 1 ] || [ "$RUNS" -gt "$DEVICES" ]; then echo "RUNS: 1..$DEVICES" >&2; exit 2; fi

# Ansible from Debian, installed the way scripts/demo and scripts/test install their packages.
# shellcheck source=scripts/common.sh
source "$root/scripts/common.sh"
PACKAGES=(ansible time)
install_missing
ANSIBLE_PLAYBOOK=/usr/bin/ansible-playbook

# shellcheck source=tests/integration/lib.sh
source "$root/tests/integration/lib.sh"
# shellcheck source=tests/integration/lib_hosts.sh
source "$root/tests/integration/lib_hosts.sh"

# A copy of the binary: a rebuild while this runs does not change what is measured.
cp "$CERTGATE" "$TMP/certgate"
CERTGATE_ORIG=$CERTGATE
CERTGATE=$TMP/certgate

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cpu_s() { awk '{printf "%.1f", $1 + $2}' "$TMP/cpu"; }  # of the last /usr/bin/time -o $TMP/cpu
die() { echo "FAIL: $*" >&2; exit 1; }

# The ssh masters ControlPersist keeps after a playbook (60 s by default): closed through their
# control sockets, so each timed Ansible run starts without a live connection, and at exit.
CP=$TMP/cp
masters_stop() {
  local s
  for s in "$CP"/*; do
    if [ -S "$s" ]; then ssh -o ControlPath="$s" -O exit master 2>/dev/null || true; fi
  done
}
trap 'masters_stop; hosts_stop; cleanup' EXIT
trap 'exit 130' INT TERM

max=0
for n in $HOSTS; do [ "$n" -gt "$max" ] && max=$n; done

echo "== machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $("$CERTGATE" --version) ($CERTGATE_ORIG), $("$ANSIBLE_PLAYBOOK" --version | sed -n 1p)," \
  "$(ssh -V 2>&1 | cut -d, -f1), $(nginx -v 2>&1 | cut -d' ' -f3)"
echo "   $DEVICES devices in group admins, 1 site; certgate [rollout] canary = 1, batch = $PAR;" \
  "Ansible forks = $PAR, pipelining on$([ "$NOPIPE" = 1 ] && echo ' (and off)');" \
  "median of $RUNS runs"
t=$(now_ms)
hosts_start "$max"
echo "== started $max hosts (sshd + nginx each on 127.0.0.1) in $(($(now_ms) - t)) ms"

# Ansible's settings; the inventory and the variant (pipelining) come per run.
mkdir -p "$CP" "$TMP/ansible-local" "$TMP/ansible-remote"
cat >"$TMP/ansible.cfg" <<CFG
[defaults]
forks = $PAR
host_key_checking = True
interpreter_python = /usr/bin/python3
gathering = explicit
retry_files_enabled = False
local_tmp = $TMP/ansible-local
remote_tmp = $TMP/ansible-remote
callbacks_enabled = ansible.posix.profile_tasks

[ssh_connection]
# ssh_args stays Ansible's default: -C -o ControlMaster=auto -o ControlPersist=60s
pipelining = True
control_path_dir = $CP
control_path = %(directory)s/%%h-%%p-%%r
CFG
export ANSIBLE_CONFIG=$TMP/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=True

cat >"$TMP/rollout.yml" <<'YAML'
# What certgate deploys, as a typical playbook deploys it: the files, then nginx -t and a reload
# as handlers (so only when something changed; a failed nginx -t stops the host before reload).
- name: Roll out the mTLS includes
  hosts: edge
  gather_facts: false
  tasks:
    - name: Include directory
      ansible.builtin.file:
        path: "{{ cg_dir }}/sites"
        state: directory
        mode: "0755"
    - name: CA, CRL, http and proxy includes
      ansible.builtin.copy:
        src: "{{ files }}/{{ item }}"
        dest: "{{ cg_dir }}/{{ item }}"
        mode: "0644"
      loop: [ca.pem, crl.pem, http.conf, sites/admin.proxy.conf]
      notify: Reload nginx
    - name: Site include (names this host's dir)
      ansible.builtin.template:
        src: "{{ files }}/admin.conf.j2"
        dest: "{{ cg_dir }}/sites/admin.conf"
        mode: "0644"
      notify: Reload nginx
  handlers:
    - name: Test nginx
      ansible.builtin.command: "{{ nginx }} -t"
      changed_when: false
      listen: Reload nginx
    - name: Reload nginx
      ansible.builtin.command: "{{ nginx }} -s reload"
      changed_when: true
YAML

# write_toml N REVOKED: hosts 1..N; devices d01..d(REVOKED) revoked.
write_toml() {
  local n=$1 revoked=$2 d i
  {
    printf 'schema = 1\n\n[ca]\ncommon_name = "Rollout Bench CA"\n\n'
    for d in $(seq 1 "$DEVICES"); do
      printf '[[device]]\nname = "d%02d"\ngroups = ["admins"]\n' "$d"
      [ "$d" -le "$revoked" ] && printf 'revoked = "keyCompromise"\n'
      printf '\n'
    done
    printf '[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_groups = ["admins"]\n\n'
    printf '[rollout]\ncanary = 1\nbatch = %d\nmax_failures = 0\n' "$PAR"
    for i in $(seq "$n"); do host_toml "$i"; done
  } >"$TMP/certgate-$n.toml"
}
cg() {
  "$CERTGATE" --source "$TMP/certgate-$1.toml" --state-dir "$TMP/state-$1" --ssh-key "$TMP/client" \
    --known-hosts "$TMP/known_hosts" "${@:2}"
}
plan_is_empty() {  # plan_is_empty N: `certgate plan` says "No changes" (else shows the plan)
  cg "$1" plan >"$TMP/plan.out" 2>&1 || true
  grep -q '^No changes' "$TMP/plan.out" && return 0
  cat "$TMP/plan.out" >&2
  return 1
}

# Ansible's copy of host I's files for variant V lives in $TMP/hI/ansible-V, read by nginx-V.conf
# (host I's nginx.conf with that dir in place of certgate's).
adir() { echo "${HOST_DIR[$1]}/ansible-$2"; }
ansible_inventory() {  # ansible_inventory N V
  local n=$1 v=$2 i d
  {
    echo "[edge]"
    for i in $(seq "$n"); do
      d=${HOST_DIR[$i]}
      echo "h$i ansible_host=127.0.0.1 ansible_port=${HOST_SSH[$i]} cg_dir=$(adir "$i" "$v")" \
        "nginx=\"nginx -p $d -c $d/nginx-$v.conf -e $d/error.log\""
    done
    echo "[edge:vars]"
    echo "ansible_user=$(id -un)"
    echo "ansible_ssh_private_key_file=$TMP/client"
    echo "ansible_ssh_common_args='-o UserKnownHostsFile=$TMP/known_hosts" \
      "-o StrictHostKeyChecking=yes'"
    echo "files=$TMP/files-$n"
  } >"$TMP/hosts-$n-$v.ini"
}
# The files as certgate just deployed them to h1; sites/admin.conf becomes a template.
stage_files() {  # stage_files N
  local f=$TMP/files-$1
  rm -rf "$f" && mkdir -p "$f/sites"
  cp "${CG[1]}"/{ca.pem,crl.pem,http.conf} "$f/"
  cp "${CG[1]}/sites/admin.proxy.conf" "$f/sites/"
  sed "s|${CG[1]}/|{{ cg_dir }}/|g" "${CG[1]}/sites/admin.conf" >"$f/admin.conf.j2"
}
# run_ansible N V LOG: one playbook run, cold (no master left over); exit status of the playbook.
run_ansible() {
  local n=$1 v=$2 log=$3 pipe=True rc=0
  [ "$v" = nopipe ] && pipe=False
  masters_stop
  ANSIBLE_PIPELINING=$pipe /usr/bin/time -f '%U %S' -o "$TMP/cpu" timeout 600 \
    "$ANSIBLE_PLAYBOOK" -i "$TMP/hosts-$n-$v.ini" "$TMP/rollout.yml" >"$log" 2>&1 || rc=$?
  masters_stop
  return "$rc"
}
# Hosts the handler "Reload nginx" changed in an Ansible log.
ansible_reloaded() {
  awk '/^RUNNING HANDLER \[Reload nginx\]/ {on = 1; next} /^(RUNNING|PLAY RECAP)/ {on = 0}
       on && /^changed: \[h[0-9]+\]/ {c++} END {print c + 0}' "$1"
}

variants=(pipe)
[ "$NOPIPE" = 1 ] && variants+=(nopipe)
declare -A RES
for n in $HOSTS; do
  echo
  echo "== $n hosts"
  # This phase's own certgate dir on each host (a fresh state: a new CA).
  for i in $(seq "$n"); do CG[i]=${HOST_DIR[$i]}/certgate-$n; done
  write_toml "$n" 0
  t=$(now_ms)
  cg "$n" apply >"$TMP/first-$n.out" 2>"$TMP/first-$n.err" || {
    cat "$TMP/first-$n.out" "$TMP/first-$n.err" >&2; die "first apply to $n hosts"; }
  echo "first certgate apply (CA, $DEVICES devices, files on $n hosts): $(($(now_ms) - t)) ms"
  # Every nginx now includes this phase's certgate files; Ansible's dirs start as copies of them.
  stage_files "$n"
  for i in $(seq "$n"); do
    host_write_conf "$i" 1
    host_ngx "$i" -s reload
    for v in "${variants[@]}"; do
      a=$(adir "$i" "$v")
      rm -rf "$a" && cp -r "${CG[$i]}" "$a"
      sed -i "s|${CG[$i]}/|$a/|g" "$a/sites/admin.conf"
      sed "s|${CG[$i]}/|$a/|g" "${HOST_DIR[$i]}/nginx.conf" >"${HOST_DIR[$i]}/nginx-$v.conf"
    done
  done
  for v in "${variants[@]}"; do
    ansible_inventory "$n" "$v"
    # Untimed warm-up with nothing to change: the connections work, caches are warm.
    t=$(now_ms)
    run_ansible "$n" "$v" "$TMP/ansible-warm-$n-$v.log" || {
      cat "$TMP/ansible-warm-$n-$v.log" >&2; die "Ansible warm-up ($v) on $n hosts"; }
    [ "$(ansible_reloaded "$TMP/ansible-warm-$n-$v.log")" = 0 ] || die "warm-up reloaded nginx"
    echo "Ansible warm-up ($v, nothing to change): $(($(now_ms) - t)) ms"
  done
  plan_is_empty "$n" || die "plan not empty before the timed runs"

  : >"$TMP/cg-$n.ms"
  for v in "${variants[@]}"; do : >"$TMP/an-$n-$v.ms"; done
  for k in $(seq "$RUNS"); do
    victim=$(printf 'd%02d' "$k")
    write_toml "$n" "$k"
    # --- certgate: the whole apply
    t=$(now_ms)
    rc=0
    /usr/bin/time -f '%U %S' -o "$TMP/cpu" timeout 600 "$CERTGATE" \
      --source "$TMP/certgate-$n.toml" --state-dir "$TMP/state-$n" --ssh-key "$TMP/client" \
      --known-hosts "$TMP/known_hosts" -v apply >"$TMP/apply-$n-$k.out" 2>"$TMP/apply-$n-$k.err" ||
      rc=$?
    ms=$(($(now_ms) - t))
    if [ "$rc" != 0 ]; then
      tail -30 "$TMP/apply-$n-$k.out" "$TMP/apply-$n-$k.err" >&2
      die "certgate apply exit $rc"
    fi
    serial=$(sed -n "s/.*revoked device=$victim serial=\([0-9A-F]*\).*/\1/p" "$TMP/apply-$n-$k.err")
    [ -n "$serial" ] || die "certgate did not revoke $victim"
    reloaded=$(grep -c 'deployed target=h[0-9]* .*reloaded=true' "$TMP/apply-$n-$k.err" || true)
    [ "$reloaded" = "$n" ] || die "certgate reloaded $reloaded of $n hosts"
    plan_is_empty "$n" || die "plan not empty after certgate's revocation of $victim"
    for i in $(seq "$n"); do
      openssl crl -in "${CG[$i]}/crl.pem" -noout -text | grep -q "Serial Number: $serial" ||
        die "h$i: crl.pem does not list $victim ($serial)"
    done
    echo "$ms" >>"$TMP/cg-$n.ms"
    line="run $k (revoke $victim): certgate $ms ms (cpu $(cpu_s) s)"
    # --- Ansible: the files certgate just made, to every host
    stage_files "$n"
    for v in "${variants[@]}"; do
      log=$TMP/ansible-$n-$v-$k.log
      t=$(now_ms)
      rc=0
      run_ansible "$n" "$v" "$log" || rc=$?
      ms=$(($(now_ms) - t))
      [ "$rc" = 0 ] || { tail -40 "$log" >&2; die "ansible-playbook ($v) exit $rc"; }
      for i in $(seq "$n"); do
        cmp -s "$TMP/files-$n/crl.pem" "$(adir "$i" "$v")/crl.pem" ||
          die "h$i: Ansible ($v) did not deploy the CRL"
      done
      reloaded=$(ansible_reloaded "$log")
      [ "$reloaded" = "$n" ] || { tail -40 "$log" >&2; die "Ansible $v: $reloaded/$n reloaded"; }
      echo "$ms" >>"$TMP/an-$n-$v.ms"
      line+=", Ansible ($v) $ms ms (cpu $(cpu_s) s)"
    done
    echo "$line"
  done
  masters_stop

  # Where certgate's time goes (medians over the runs, from `certgate -v` timing lines).
  tm() { grep -h -o "$1=[0-9.]*" "$TMP"/apply-"$n"-*.err | cut -d= -f2 | median; }
  echo "certgate phases (median ms): connect + read $n hosts, plan = $(tm load_observe_plan_ms)" \
    "(connect + read the hosts $(tm targets_ms)); revoke + CRL = $(tm apply_ms); rollout = $(tm deploy_ms)" \
    "in $((1 + (n + PAR - 2) / PAR)) stages (per host: nginx -t $(tm nginx_test_ms)," \
    "reload $(tm nginx_reload_ms))"
  echo "Ansible tasks (pipelining on, run $RUNS, ansible.posix.profile_tasks):"
  grep -E -- '-{3,} [0-9.]+s$' "$TMP/ansible-$n-pipe-$RUNS.log" | sed 's/^/  /'
  RES[$n,cg]=$(median <"$TMP/cg-$n.ms")
  for v in "${variants[@]}"; do RES[$n,$v]=$(median <"$TMP/an-$n-$v.ms"); done
done

echo
echo "== rollout of one revocation (median of $RUNS; batch = forks = $PAR; $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg))"
header="hosts | certgate ms | Ansible ms (pipelining) | ratio"
[ "$NOPIPE" = 1 ] && header+=" | Ansible ms (no pipelining) | ratio"
echo "$header"
for n in $HOSTS; do
  row=$(printf '%5d | %11d | %23d | %5s' "$n" "${RES[$n,cg]}" "${RES[$n,pipe]}" \
    "$(awk -v a="${RES[$n,pipe]}" -v b="${RES[$n,cg]}" 'BEGIN {printf "%.1fx", a / b}')")
  [ "$NOPIPE" = 1 ] && row+=$(printf ' | %26d | %5s' "${RES[$n,nopipe]}" \
    "$(awk -v a="${RES[$n,nopipe]}" -v b="${RES[$n,cg]}" 'BEGIN {printf "%.1fx", a / b}')")
  echo "$row"
done
if [ -n "${RES[50,cg]:-}" ]; then
  awk -v a="${RES[50,pipe]}" -v b="${RES[50,cg]}" 'BEGIN {
    r = a / b; printf "target (certgate >= 10x faster than Ansible at 50 hosts): %s (%.1fx)\n",
    (r >= 10 ? "met" : "NOT met"), r }'
fi
