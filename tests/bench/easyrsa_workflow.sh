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

source "$(dirname "$0")/workflow_lib.sh"
workflow_args "$@"
easyrsa=${EASYRSA_BIN:-/usr/share/easy-rsa/easyrsa}
if [[ ! -x $easyrsa ]]; then
  easyrsa=$(command -v easyrsa || true)
  if [[ -z $easyrsa ]]; then
    echo "$0: easyrsa not found (apt-get install easy-rsa, or set EASYRSA_BIN)" >&2
    exit 3
  fi
fi

workflow_log "$out/easyrsa.log"

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

version=$("$easyrsa" --version 2>/dev/null | awk '/Version:/ { print $2 }')
workflow_report "easy-rsa workflow ($version)" "$t_start" "$t_setup" "$t_devices" "$t_end"
