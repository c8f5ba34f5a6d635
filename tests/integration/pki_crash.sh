#!/usr/bin/env bash
# Crash safety of an apply: issue 200 devices, SIGKILL the apply at many different points
# (spread over its whole run, sometimes again during the run that recovers), rerun, and check
# the invariants every time:
#   right after a kill: index.txt parses, its serials are unique, each has newcerts/SERIAL.pem;
#   after the rerun: every device has exactly one valid certificate, installed in its folder
#   (cert.pem is that certificate, key.pem its key), newcerts/ and index.txt name the same
#   serials, no staging or temp files remain, `openssl ca -gencrl` works, the plan is empty.
source "$(dirname "$0")/lib.sh"
KILLS=${CERTGATE_CRASH_KILLS:-60}
DEVICES=${CERTGATE_CRASH_DEVICES:-200}
cd "$TMP"
{
  printf 'schema = 1\n\n[ca]\ncommon_name = "Crash CA"\n'
  for i in $(seq -w 1 "$DEVICES"); do printf '\n[[device]]\nname = "dev-%s"\n' "$i"; done
} >certgate.toml

check_after_kill() {  # STATE
  python3 - "$1" <<'PY' || return 1
import os, sys
ca = os.path.join(sys.argv[1], "ca")
if not os.path.exists(os.path.join(ca, "index.txt")):
    sys.exit(0)  # killed before the CA was complete
serials = []
for n, line in enumerate(open(os.path.join(ca, "index.txt")), 1):
    f = line.rstrip("\n").split("\t")
    if len(f) != 6 or f[0] not in "VRE":
        sys.exit(f"index.txt:{n}: torn line {line!r}")
    serials.append(f[3])
if len(set(serials)) != len(serials):
    sys.exit("duplicate serials in index.txt")
for s in serials:
    if not os.path.exists(os.path.join(ca, "newcerts", s + ".pem")):
        sys.exit(f"index.txt names {s} but newcerts/{s}.pem is missing")
PY
}

check_converged() {  # STATE
  python3 - "$1" "$DEVICES" <<'PY' || return 1
import os, sys
state, devices = sys.argv[1], int(sys.argv[2])
ca = os.path.join(state, "ca")
live = {}
serials = set()
for line in open(os.path.join(ca, "index.txt")):
    f = line.rstrip("\n").split("\t")
    serials.add(f[3])
    if f[0] == "V":
        cn = f[5].split("CN=")[-1]
        if cn in live:
            sys.exit(f"{cn} has two valid certificates: {live[cn]} and {f[3]}")
        live[cn] = f[3]
if len(live) != devices:
    sys.exit(f"{len(live)} devices have a valid certificate, want {devices}")
newcerts = {n[:-4] for n in os.listdir(os.path.join(ca, "newcerts"))}
if newcerts != serials:
    sys.exit(f"newcerts/ and index.txt differ: {sorted(newcerts ^ serials)[:3]}")
for cn, serial in live.items():
    d = os.path.join(state, "devices", cn)
    if open(os.path.join(d, "cert.pem")).read() != open(os.path.join(ca, "newcerts", serial + ".pem")).read():
        sys.exit(f"{cn}/cert.pem is not its valid certificate {serial}")
    for f in ("key.pem", "bundle.p12", "bundle.pass"):
        if not os.path.exists(os.path.join(d, f)):
            sys.exit(f"{cn}/{f} is missing")
    if os.path.exists(os.path.join(d, "next")):
        sys.exit(f"{cn}/next was left behind")
for root, dirs, files in os.walk(state):
    for f in files:
        if ".tmp." in f:
            sys.exit(f"temp file left: {os.path.join(root, f)}")
PY
}

key_matches() {  # STATE DEVICE
  local d=$1/devices/$2
  [ "$(openssl pkey -in "$d/key.pem" -pubout 2>/dev/null)" = \
    "$(openssl x509 -in "$d/cert.pem" -noout -pubkey)" ]
}

apply_cmd() { "$CERTGATE" --source certgate.toml --state-dir "$1" apply >/dev/null 2>&1; }

# Seconds for sleep(1) from microseconds, for any duration (printf '0.%06d' made 1.2 s 0.12 s).
seconds() { LC_ALL=C awk -v us="$1" 'BEGIN { printf "%.6f", us / 1000000 }'; }
[ "$(seconds 1200000)" = 1.200000 ] && [ "$(seconds 870000)" = 0.870000 ] &&
  [ "$(seconds 5)" = 0.000005 ] && ok || bad "seconds() miscomputes a delay"

# How long one full apply takes here, to spread the kills over it.
start=$(date +%s%N)
apply_cmd "$TMP/probe" || bad "a full apply failed"
full_ms=$((($(date +%s%N) - start) / 1000000))
rm -rf "$TMP/probe"
echo "one apply of $DEVICES devices: ${full_ms} ms; $KILLS kills"

kills=0
i=0
while [ "$kills" -lt "$KILLS" ]; do
  i=$((i + 1))
  st=$TMP/state-$i
  # Delays from 0 to 120% of a full apply, stepping through the whole run.
  delay_us=$((full_ms * 1200 * (i % 25) / 25))
  "$CERTGATE" --source certgate.toml --state-dir "$st" apply >/dev/null 2>&1 &
  pid=$!
  sleep "$(seconds "$delay_us")"
  if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
  wait "$pid" 2>/dev/null || true
  check_after_kill "$st" && ok || bad "invariants broken right after kill $i (delay ${delay_us}us)"
  if [ $((i % 3)) = 0 ]; then  # kill the recovering run too
    "$CERTGATE" --source certgate.toml --state-dir "$st" apply >/dev/null 2>&1 &
    pid=$!
    sleep "0.0$((i % 9))"
    if kill -KILL "$pid" 2>/dev/null; then kills=$((kills + 1)); fi
    wait "$pid" 2>/dev/null || true
    check_after_kill "$st" && ok || bad "invariants broken after a kill during recovery ($i)"
  fi
  apply_cmd "$st" || bad "the rerun after kill $i failed"
  check_converged "$st" && ok || bad "not converged after kill $i"
  key_matches "$st" "dev-$(printf '%03d' $((i % DEVICES + 1)))" && ok || bad "key mismatch ($i)"
  expect_exit 0 "$CERTGATE" --source certgate.toml --state-dir "$st" plan --detailed-exitcode
  if [ $((i % 10)) = 1 ]; then
    expect_exit 0 openssl ca -config "$st/ca/openssl.cnf" -gencrl -out "$TMP/crl.pem"
  fi
  rm -rf "$st"
done
echo "$kills kills in $i runs"
[ "$kills" -ge 50 ] && ok || bad "only $kills kills landed"
finish
