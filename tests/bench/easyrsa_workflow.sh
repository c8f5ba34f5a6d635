#!/usr/bin/env bash
# Baseline for tests/bench/run: the same job done with easy-rsa 3 (Debian package `easy-rsa`),
# from an empty directory:
#
#   init-pki; build-ca nopass (EC P-256); per device build-client-full NAME nopass and
#   export-p12 NAME usefn (CA included, friendly name, 24-char password); gen-crl
#
# easy-rsa 3.1.x has no option for the PKCS#12 algorithms: export-p12 runs a bare
# `openssl pkcs12 -export`, so the bundle gets OpenSSL 3's defaults (AES-256-CBC, PBKDF2,
# HMAC-SHA-256 MAC, 2048 iterations), i.e. certgate's "modern" profile, not "compat".
# The password reaches openssl as `-passout file:...` (EASYRSA_PASSOUT), never on a command line.
#
# Usage: easyrsa_workflow.sh N OUTDIR      (OUTDIR must be absent or empty)
# env EASYRSA_BIN: the easyrsa script (default /usr/share/easy-rsa/easyrsa, then PATH)
# Output ends with machine-readable lines: setup_ms=, devices=, device_loop_ms=,
# ms_per_device_loop=, crl_ms=, total_ms=. Everything is local; no network.
set -Eeuo pipefail # -E: the ERR trap also fires inside run()

usage() {
  echo "usage: $0 N OUTDIR   (N devices >= 1; OUTDIR absent or empty)" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
n=$1
out=$2
[[ $n =~ ^[1-9][0-9]*$ ]] || usage

easyrsa=${EASYRSA_BIN:-/usr/share/easy-rsa/easyrsa}
if [[ ! -x $easyrsa ]]; then
  easyrsa=$(command -v easyrsa || true)
  if [[ -z $easyrsa ]]; then
    echo "$0: easyrsa not found (apt-get install easy-rsa, or set EASYRSA_BIN)" >&2
    exit 3
  fi
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ -n $(ls -A "$out") ]]; then
  echo "$0: $out is not empty" >&2
  exit 2
fi

now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

log=$out/easyrsa.log
: >"$log"
on_error() {
  local rc=$?
  echo "$0: failed (exit $rc); last lines of $log:" >&2
  tail -n 20 "$log" >&2
  exit "$rc"
}
trap on_error ERR

# Nothing from the caller's environment or working directory may steer easy-rsa: no vars file
# (it is looked for in the PKI and the current directory), no inherited EASYRSA_* settings.
for v in $(compgen -e); do
  [[ $v == EASYRSA_* && $v != EASYRSA_BIN ]] && unset "$v"
done
cd "$out"
export EASYRSA_PKI=$out/pki
export EASYRSA_BATCH=1
export EASYRSA_NO_VARS=1
export EASYRSA_ALGO=ec
export EASYRSA_CURVE=prime256v1
export EASYRSA_DIGEST=sha256
export EASYRSA_CERT_EXPIRE=365
export EASYRSA_CRL_DAYS=30
export EASYRSA_REQ_CN=ChangeMe # build-client-full refuses any other value (it sets the CN itself)

run() { "$easyrsa" "$@" >>"$log" 2>&1; }

t_start=$(now_us)
run init-pki
EASYRSA_REQ_CN="Bench CA" run build-ca nopass
t_setup=$(now_us)

umask 077
mkdir -p "$out/pass"
for ((i = 1; i <= n; i++)); do
  name=$(printf 'dev-%04d' "$i")
  pass=$out/pass/$name
  openssl rand -base64 18 >"$pass" 2>>"$log" # 24 characters
  run build-client-full "$name" nopass
  EASYRSA_PASSOUT=file:$pass run export-p12 "$name" usefn
done
t_devices=$(now_us)

run gen-crl
t_end=$(now_us)
trap - ERR

issued=$(grep -c '^V' "$EASYRSA_PKI/index.txt" || true)
bundles=$(find "$EASYRSA_PKI/private" -name '*.p12' | wc -l)
if [[ $issued -ne $n || $bundles -ne $n || ! -s $EASYRSA_PKI/crl.pem ]]; then
  echo "$0: expected $n certificates, $n bundles and a CRL; found $issued, $bundles" >&2
  exit 1
fi

loop_ms=$(ms_between "$t_setup" "$t_devices")
echo "easy-rsa workflow ($("$easyrsa" --version 2>/dev/null | awk '/Version:/ { print $2 }')): $n devices in $out"
echo "setup_ms=$(ms_between "$t_start" "$t_setup")"
echo "devices=$n"
echo "device_loop_ms=$loop_ms"
echo "ms_per_device_loop=$(awk -v t="$loop_ms" -v n="$n" 'BEGIN { printf "%.3f", t / n }')"
echo "crl_ms=$(ms_between "$t_devices" "$t_end")"
echo "total_ms=$(ms_between "$t_start" "$t_end")"
