# Shared by the baseline workflows (openssl_cli_workflow.sh, easyrsa_workflow.sh): arguments,
# clock, the error trap that shows the log, and the machine-readable report tests/bench/run reads.
# Sourced; sets n, out.

workflow_args() {  # workflow_args "$@": N OUTDIR (OUTDIR absent or empty)
  if [[ $# -ne 2 || ! $1 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 N OUTDIR   (N devices >= 1; OUTDIR absent or empty)" >&2
    exit 2
  fi
  n=$1
  mkdir -p "$2"
  out=$(cd "$2" && pwd)
  if [[ -n $(ls -A "$out") ]]; then
    echo "$0: $out is not empty" >&2
    exit 2
  fi
}

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

workflow_log() {  # workflow_log FILE: commands log there; a failure shows its last lines
  log=$1
  : >"$log"
  trap 'rc=$?; echo "$0: failed (exit $rc); last lines of $log:" >&2; tail -n 20 "$log" >&2; exit "$rc"' ERR
}

workflow_report() {  # workflow_report TITLE T_START T_SETUP T_DEVICES T_END
  local loop_ms
  loop_ms=$(ms_between "$3" "$4")
  echo "$1: $n devices in $out"
  echo "setup_ms=$(ms_between "$2" "$3")"
  echo "devices=$n"
  echo "device_loop_ms=$loop_ms"
  echo "ms_per_device_loop=$(awk -v t="$loop_ms" -v n="$n" 'BEGIN { printf "%.3f", t / n }')"
  echo "crl_ms=$(ms_between "$4" "$5")"
  echo "total_ms=$(ms_between "$2" "$5")"
}
