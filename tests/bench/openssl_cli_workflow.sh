#!/usr/bin/env bash
# Baseline for tests/bench/run: the manual private-CA workflow of the guides certgate replaces
# (../shared/seeds), done with the openssl CLI alone, from an empty directory:
#
#   CA        EC P-256 key + self-signed certificate (openssl req -x509), an `openssl ca`
#             database (index.txt, serial, crlnumber, newcerts/) and a minimal openssl.cnf
#   device    openssl genpkey (EC P-256), openssl req -new, openssl ca -batch (clientAuth),
#             openssl rand (24-char password), openssl pkcs12 -export with 3DES + SHA-1 MAC
#             (the same "compat" bundle certgate and certgate_bench_raw make)
#   CRL       openssl ca -gencrl
#
# Usage: openssl_cli_workflow.sh N OUTDIR      (OUTDIR must be absent or empty)
# Output ends with machine-readable lines: setup_ms=, devices=, device_loop_ms=,
# ms_per_device_loop=, crl_ms=, total_ms=. Everything is local; no network.
set -euo pipefail

source "$(dirname "$0")/workflow_lib.sh"
workflow_args "$@"
ca=$out/ca
mkdir -p "$ca/newcerts" "$out/devices"
workflow_log "$out/openssl.log"

t_start=$(now_us)

# --- CA and database -----------------------------------------------------------------------
cat >"$ca/openssl.cnf" <<EOF
[ ca ]
default_ca = CA_default

[ CA_default ]
dir              = $ca
database         = \$dir/index.txt
new_certs_dir    = \$dir/newcerts
certificate      = \$dir/ca.crt
private_key      = \$dir/ca.key
serial           = \$dir/serial
crlnumber        = \$dir/crlnumber
default_md       = sha256
default_days     = 365
default_crl_days = 30
unique_subject   = no
email_in_dn      = no
copy_extensions  = none
policy           = policy_anything
x509_extensions  = client_ext

[ policy_anything ]
countryName            = optional
stateOrProvinceName    = optional
localityName           = optional
organizationName       = optional
organizationalUnitName = optional
commonName             = supplied
emailAddress           = optional

[ client_ext ]
basicConstraints       = critical, CA:FALSE
keyUsage               = critical, digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[ req ]
distinguished_name = req_dn
prompt             = no

[ req_dn ]
CN = unused

[ v3_ca ]
basicConstraints     = critical, CA:TRUE
keyUsage             = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
EOF
: >"$ca/index.txt"
echo 1000 >"$ca/serial"
echo 1000 >"$ca/crlnumber"
cnf=$ca/openssl.cnf

(
  umask 077
  openssl req -config "$cnf" -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc \
    -keyout "$ca/ca.key" -out "$ca/ca.crt" -sha256 -days 3650 -extensions v3_ca \
    -subj "/CN=Bench CA" 2>>"$log"
)
t_setup=$(now_us)

# --- devices ---------------------------------------------------------------------------------
# shellcheck disable=SC2129 # one redirect per command keeps each line readable
for ((i = 1; i <= n; i++)); do
  name=$(printf 'dev-%04d' "$i")
  d=$out/devices/$name
  mkdir -p "$d"
  (
    umask 077
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$d/key.pem" 2>>"$log"
    openssl rand -base64 18 >"$d/bundle.pass" 2>>"$log" # 24 characters
  )
  openssl req -config "$cnf" -new -key "$d/key.pem" -subj "/CN=$name" -out "$d/req.csr" 2>>"$log"
  openssl ca -config "$cnf" -batch -notext -in "$d/req.csr" -out "$d/cert.pem" >>"$log" 2>&1
  openssl pkcs12 -export -inkey "$d/key.pem" -in "$d/cert.pem" -certfile "$ca/ca.crt" \
    -name "$name" -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -iter 2048 \
    -passout "file:$d/bundle.pass" -out "$d/bundle.p12" 2>>"$log"
done
t_devices=$(now_us)

# --- CRL -------------------------------------------------------------------------------------
openssl ca -config "$cnf" -gencrl -out "$ca/crl.pem" >>"$log" 2>&1
t_end=$(now_us)
trap - ERR

issued=$(grep -c '^V' "$ca/index.txt" || true)
if [[ $issued -ne $n ]]; then
  echo "$0: index.txt holds $issued valid certificates, expected $n" >&2
  exit 1
fi

workflow_report "openssl CLI workflow" "$t_start" "$t_setup" "$t_devices" "$t_end"
