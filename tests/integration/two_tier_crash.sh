#!/usr/bin/env bash
# Crash safety of a two-tier CA's setup: the apply that makes the intermediate's key and CSR and
# the apply that installs what the root signed (root.crt, root.crl, ca.crt, then 30 devices) are
# SIGKILLed at points spread over their run; after each kill the next apply converges: a kill
# before intermediate.csr was written makes a new key and CSR (the half-made key is set aside,
# never used), a kill during the installation installs again, and in the end every device has a
# certificate that verifies through the chain with both CRLs, and the plan is empty.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
KILLS=${CERTGATE_CRASH_KILLS:-16}
"$CERTGATE" root init "$TMP/offline" --common-name "Crash Root" >/dev/null
mkdir -p src/ca
cp offline/ca/ca.crt src/ca/root.crt
cp offline/ca/crl.pem src/ca/root.crl
{
  printf 'schema = 1\n\n[ca]\ncommon_name = "Crash Issuing CA"\nmode = "intermediate"\n'
  for i in $(seq -w 1 30); do printf '\n[[device]]\nname = "dev-%s"\n' "$i"; done
} >src/certgate.toml
run_ns() {  # run_ns STATE: how long one apply takes there, in ns
  local start; start=$(date +%s%N)
  "$CERTGATE" --source src --state-dir "$1" apply >/dev/null 2>&1 || true
  echo $(($(date +%s%N) - start))
}
kill_apply() {  # kill_apply STATE SECONDS
  "$CERTGATE" --source src --state-dir "$1" apply >/dev/null 2>&1 &
  local pid=$!
  sleep "$2"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
delay() { awk -v n="$1" -v i="$2" -v k="$KILLS" 'BEGIN { printf "%.4f", n * i / k / 1e9 }'; }

# 1. The key and CSR.
first=$(run_ns "$TMP/probe1")
for i in $(seq 0 $((KILLS - 1))); do
  rm -rf "$TMP/s"
  kill_apply "$TMP/s" "$(delay "$first" "$i")"
  expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/s" apply
  if openssl req -in "$TMP/s/ca/intermediate.csr" -noout -verify 2>&1 | grep -q 'verify OK' &&
    [ "$(openssl req -in "$TMP/s/ca/intermediate.csr" -noout -pubkey)" = "$(openssl pkey -in "$TMP/s/ca/ca.key" -pubout)" ]; then
    ok; else bad "kill $i of the first apply: no CSR for the CA key"; fi
done

# 2. The installation and the devices, from one waiting state.
rm -rf "$TMP/w" && "$CERTGATE" --source src --state-dir "$TMP/w" apply >/dev/null 2>&1
"$CERTGATE" root sign offline "$TMP/w/ca/intermediate.csr" --out src/ca/intermediate.crt >/dev/null
rm -rf "$TMP/probe2" && cp -a "$TMP/w" "$TMP/probe2"
second=$(run_ns "$TMP/probe2")
for i in $(seq 0 $((KILLS - 1))); do
  rm -rf "$TMP/s" && cp -a "$TMP/w" "$TMP/s"
  kill_apply "$TMP/s" "$(delay "$second" "$i")"
  expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/s" apply
  expect_exit 0 "$CERTGATE" --source src --state-dir "$TMP/s" plan --detailed-exitcode
  bad_certs=0
  for d in "$TMP"/s/devices/dev-*; do
    openssl verify -crl_check_all -CAfile src/ca/root.crt -untrusted "$TMP/s/ca/ca.crt" \
      -CRLfile "$TMP/s/ca/crl.pem" -CRLfile src/ca/root.crl "$d/cert.pem" >/dev/null 2>&1 ||
      bad_certs=$((bad_certs + 1))
  done
  [ "$(ls -d "$TMP"/s/devices/dev-* | wc -l)" = 30 ] && [ "$bad_certs" = 0 ] && ok ||
    bad "kill $i of the installing apply: $(ls -d "$TMP"/s/devices/dev-* 2>/dev/null | wc -l) devices, $bad_certs not verifying"
done
finish
