# Helpers of the CA rollover tests (ca_rollover.sh, two_tier_rollover.sh), sourced after lib.sh
# and lib_nginx.sh, with S set to the state directory.

dev() { echo "--cert $1/cert.pem --key $1/key.pem"; }  # dev FOLDER with cert.pem and key.pem
keep() { mkdir -p "$2" && cp "$S/devices/$1/cert.pem" "$S/devices/$1/key.pem" "$2/"; }  # keep DEVICE FOLDER
certs_in() { grep -c 'BEGIN CERTIFICATE' "$1"; }
crls_in() { grep -c 'BEGIN X509 CRL' "$1"; }
status_of() { curl_status $(dev "$1"); }  # the HTTP status with FOLDER's certificate
wait_until() { while [ "$(date +%s)" -lt "$1" ]; do sleep 1; done; }
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

# sigkill_runs KILLS BASE CHECK CMD...: CMD, with each argument @STATE@ replaced by DIR, on a
# copy DIR of the state BASE, SIGKILLed at KILLS points spread over the time one whole run takes
# (the binary itself is killed, not a shell around it); after each, CHECK DIR I tells whether the
# next run converged.
sigkill_runs() {
  local kills=$1 base=$2 check=$3 start took i pid
  shift 3
  rm -rf "$TMP/timing"; cp -a "$base" "$TMP/timing"
  start=$(date +%s%N); "${@//@STATE@/$TMP/timing}" >/dev/null 2>&1 || true; took=$(($(date +%s%N) - start))
  for i in $(seq 0 $((kills - 1))); do
    rm -rf "$TMP/c"; cp -a "$base" "$TMP/c"
    "${@//@STATE@/$TMP/c}" >/dev/null 2>&1 &
    pid=$!
    sleep "$(awk -v n="$took" -v i="$i" -v k="$kills" 'BEGIN { printf "%.4f", n * i / k / 1e9 }')"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    "$check" "$TMP/c" "$i"
  done
}
