#!/usr/bin/env bash
# certgate benchmark: the CA's rollover with N devices. certgate makes the next CA and gives
# every device a successor from it in one apply (group-committed like any issuance), while the
# old certificates stay valid. By hand, a rollover is a new CA and every device issued again: the
# seed guides' openssl CLI workflow and easy-rsa 3 redone from the start (easy-rsa's own tracker
# calls renewing its CA "not possible", OpenVPN/easy-rsa#936). Their figures are measured on
# fewer devices and scaled to N (setup + CRL + N x per-device loop), as tests/bench/run does.
#
# Usage: tests/bench/ca_rollover.sh [N]   (default 10000)
#
# Environment:
#   CERTGATE          certgate binary (default: build/certgate of this repository)
#   BENCH_OPENSSL_N   devices for the openssl CLI baseline (default min(N, 1000))
#   BENCH_EASYRSA_N   devices for the easy-rsa baseline (default min(N, 100))
#   BENCH_KEEP=1      keep the work directory (printed)
#
# Everything runs locally in a temporary directory. Exit status: 0 when every step succeeded.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-10000}
[[ $n =~ ^[1-9][0-9]*$ ]] || { sed -n '2,/^# Everything/p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
certgate=${CERTGATE:-$root/build/certgate}
[[ $certgate == /* ]] || certgate=$PWD/$certgate
openssl_n=${BENCH_OPENSSL_N:-$((n < 1000 ? n : 1000))}
easyrsa_n=${BENCH_EASYRSA_N:-$((n < 100 ? n : 100))}

work=$(mktemp -d "${TMPDIR:-/tmp}/certgate-rollover-bench.XXXXXX") || exit 1
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { if [[ ${BENCH_KEEP:-} == 1 ]]; then echo "work directory kept: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }
kv() { sed -n "s/^$1=//p" "$2" | tail -n 1; }
failed=0
certgate_env=()
for v in $(compgen -e); do [[ $v == CERTGATE_* || $v == CERTGATE ]] && certgate_env+=(-u "$v"); done
cg() { env "${certgate_env[@]}" "$certgate" --source "$work/certgate.toml" --state-dir "$work/state" "$@"; }
write_toml() {  # write_toml COMMON_NAME
  awk -v n="$n" -v cn="$1" 'BEGIN {
    printf "schema = 1\n\n[ca]\ncommon_name = \"%s\"\n", cn
    for (i = 1; i <= n; i++) printf "\n[[device]]\nname = \"dev-%05d\"\n", i
  }' >"$work/certgate.toml"
}

echo "certgate CA rollover benchmark: N=$n devices (work directory $work)"
echo "  host:     $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1), $(nproc) CPUs"
echo "  openssl:  $(openssl version); certgate: $("$certgate" --version 2>/dev/null)"

echo
echo "== certgate: the state of $n devices, then the apply that rolls the CA over =="
mkdir -m 700 "$work/state"
write_toml "Bench CA"
t0=$(now_us)
cg apply >"$work/build.log" 2>&1 || { echo "  FAILED: building the state"; tail "$work/build.log"; exit 1; }
t1=$(now_us)
build_ms=$(calc "($t1 - $t0) / 1000" 0)
echo "  built in $build_ms ms"
sync
# Another common_name in [ca] starts the rollover now (as the CA's end within rollover_before
# does; ca_rollover.sh tests that path with real time).
write_toml "Bench CA 2"
cg plan >"$work/plan.log" 2>&1
renewals=$(grep -cE '^ *~ *renew' "$work/plan.log")
starts=$(grep -cE 'issue +next-ca ' "$work/plan.log")
echo "  plan: $starts next-ca, $renewals renewals"
t0=$(now_us)
if cg -v apply >"$work/rollover.log" 2>&1; then
  t1=$(now_us)
  cg_ms=$(calc "($t1 - $t0) / 1000" 0)
  cg_per=$(calc "$cg_ms / $n" 3)
  echo "  rollover apply: wall $cg_ms ms, $cg_per ms/device"
  grep -o 'Apply complete: .*' "$work/rollover.log" | sed 's/^/  /'
  echo "  phases: $(grep -o 'timing .*' "$work/rollover.log" | sed 's/^timing //' | tr '\n' ' ')"
  new=$(grep -c '^V' "$work/state/ca/index.txt")
  old=$(grep -c '^V' "$work/state/ca-previous/index.txt")
  echo "  check: $new valid certificates under the new CA, $old still valid under the previous one"
  [[ $new -eq $n && $old -eq $n && $renewals -eq $n && $starts -eq 1 ]] || { echo "  FAILED: expected $n of each"; failed=1; }
else
  echo "  FAILED: the rollover apply"; tail "$work/rollover.log"; failed=1; cg_per=""
fi
rm -rf "$work/state"

baseline() {  # baseline NAME SCRIPT COUNT: sets b_per (ms/device scaled to N)
  local log=$work/$1.log setup crl per
  b_per=""
  if ! "$2" "$3" "$work/$1" >"$log" 2>&1; then echo "  FAILED: $(basename "$2")"; tail "$log"; failed=1; return; fi
  setup=$(kv setup_ms "$log"); crl=$(kv crl_ms "$log"); per=$(kv ms_per_device_loop "$log")
  b_per=$(calc "($setup + $crl + $per * $n) / $n" 3)
  echo "  measured on $3 devices: setup $setup ms, $per ms/device, CRL $crl ms; scaled to N=$n: $b_per ms/device"
  rm -rf "${work:?}/$1"
}
echo
echo "== by hand with the openssl CLI: a new CA and every device issued again ($openssl_n devices) =="
baseline openssl "$here/openssl_cli_workflow.sh" "$openssl_n"
ossl_per=$b_per
echo
echo "== by hand with easy-rsa: a new PKI and every device issued again ($easyrsa_n devices) =="
baseline easyrsa "$here/easyrsa_workflow.sh" "$easyrsa_n"
ersa_per=$b_per

ratio() { if [[ -n $1 && -n $2 ]]; then echo "$(calc "$1 / $2" 1)x"; else echo "n/a"; fi; }
echo
echo "== summary (N=$n) =="
printf '  %-40s %s ms/device\n' "certgate rollover apply" "${cg_per:-FAILED}"
printf '  %-40s %s ms/device\n' "openssl CLI, new CA + reissue (scaled)" "${ossl_per:-FAILED}"
printf '  %-40s %s ms/device\n' "easy-rsa, new PKI + reissue (scaled)" "${ersa_per:-FAILED}"
echo "  openssl-cli / certgate   $(ratio "$ossl_per" "$cg_per")"
echo "  easy-rsa / certgate      $(ratio "$ersa_per" "$cg_per")"
echo "  (by hand, the time is only the signing: joining both CAs into nginx's trust and CRL files,"
echo "   keeping both CRLs signed until the old certificates end, and retiring the old CA are left"
echo "   to the operator; certgate's figure includes them, and the bundles)"
exit "$failed"
