# schemas/certgate.schema.json is a valid draft 2020-12 schema; every example passes both it and
# `certgate validate`; broken files that the schema can judge alone fail it too.
source "$(dirname "$0")/lib.sh"
py=/usr/bin/python3   # Debian's python3, which has python3-jsonschema
cat >"$TMP/check.py" <<'PY'
import json, sys, tomllib
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
v = Draft202012Validator(schema)
want_valid = sys.argv[2] == "valid"
bad = 0
for path in sys.argv[3:]:
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
    if bool(errors) == want_valid:
        bad += 1
        print(f"{path}: schema says {'invalid' if errors else 'valid'}", file=sys.stderr)
        for e in errors:
            print(f"  {list(e.path)}: {e.message}", file=sys.stderr)
sys.exit(1 if bad else 0)
PY
schema="$CERTGATE_SOURCE_DIR/schemas/certgate.schema.json"
inv="$CERTGATE_SOURCE_DIR/tests/data/invalid"
expect_exit 0 "$py" "$TMP/check.py" "$schema" valid "$CERTGATE_SOURCE_DIR"/examples/*.toml \
  "$CERTGATE_SOURCE_DIR"/tests/data/warnings/*.toml
for f in "$CERTGATE_SOURCE_DIR"/examples/*.toml; do
  expect_exit 0 "$CERTGATE" validate --source "$f"
done
# Files whose problems are visible to the schema alone (no cross-references, no syntax error).
expect_exit 0 "$py" "$TMP/check.py" "$schema" invalid \
  "$inv"/unknown_keys.toml "$inv"/wrong_types.toml "$inv"/unsupported_schema.toml \
  "$inv"/missing_schema_and_ca.toml "$inv"/bad_durations.toml "$inv"/bad_names.toml \
  "$inv"/weak_keys.toml "$inv"/revocation_reasons.toml "$inv"/public_paths.toml \
  "$inv"/bad_fields.toml "$inv"/not_array_of_tables.toml
# The starter file of `certgate init` passes the schema too.
"$CERTGATE" init "$TMP/init" >/dev/null
expect_exit 0 "$py" "$TMP/check.py" "$schema" valid "$TMP/init/certgate.toml"
# `certgate plan --json` matches schemas/plan.schema.json, from an empty state and after apply.
cat >"$TMP/check_json.py" <<'PY'
import json, sys
from jsonschema import Draft202012Validator
schema = json.load(open(sys.argv[1]))
Draft202012Validator.check_schema(schema)
errors = list(Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
for e in errors:
    print(f"{list(e.path)}: {e.message}", file=sys.stderr)
sys.exit(1 if errors else 0)
PY
plan_schema="$CERTGATE_SOURCE_DIR/schemas/plan.schema.json"
# team.toml's edge hosts, pointed at a closed port on 127.0.0.1 (tests reach nothing else): both
# unreachable, which the plan notes and status reports.
closed_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sed -e 's/^address = "edge-[12].example.com"/address = "127.0.0.1"\nport = '"$closed_port"'/' \
  -e '/^port = 22$/d' "$CERTGATE_SOURCE_DIR/examples/team.toml" >"$TMP/team.toml"
cp -r "$CERTGATE_SOURCE_DIR/examples/csr" "$TMP/" 2>/dev/null || true
cg() { "$CERTGATE" --source "$TMP/team.toml" --state-dir "$TMP/state" --known-hosts /dev/null "$@"; }
cg plan --out "$TMP/plan1.json" >/dev/null 2>&1 || true
expect_exit 0 "$py" "$TMP/check_json.py" "$plan_schema" "$TMP/plan1.json"
expect_grep '"kind": "issue"' "$TMP/plan1.json"
# The CA side is done; the rollout fails on the two unreachable hosts and says so.
expect_exit 1 cg apply
expect_grep 'the rollout failed on edge-1; it stopped there' "$TMP/err"
[ -s "$TMP/state/ca/ca.crt" ] && ok || bad "apply did not create the CA"
expect_exit 1 cg plan --json
cp "$TMP/out" "$TMP/plan2.json"
expect_grep 'edge-1 is unreachable, its files were not compared: connect to 127.0.0.1' "$TMP/plan2.json"
expect_exit 0 "$py" "$TMP/check_json.py" "$plan_schema" "$TMP/plan2.json"
# `certgate status --json` matches schemas/status.schema.json after an apply.
cg status --json >"$TMP/status.json" 2>/dev/null
expect_exit 0 "$py" "$TMP/check_json.py" "$CERTGATE_SOURCE_DIR/schemas/status.schema.json" \
  "$TMP/status.json"
expect_grep '"last_applied_commit": ""' "$TMP/status.json"
expect_grep '"reachable": false' "$TMP/status.json"
# A saved plan whose inputs changed is refused and changes nothing.
expect_exit 1 cg apply "$TMP/plan1.json"
expect_grep 'plan is stale: state:ca/' "$TMP/err"
# With nginx files to deploy (home-lab, pointed at a temp dir with no-op test and reload): file
# and reload actions, and status with a target, also match their schemas. A hand edit of a
# deployed file makes a saved plan stale.
sed -e '/^\[nginx\]/,$d' -e '/^probe = /d' "$CERTGATE_SOURCE_DIR/examples/home-lab.toml" >"$TMP/lab.toml"
printf '[nginx]\ndir = "%s"\ntest = "true"\nreload = "true"\n' "$TMP/nginx" >>"$TMP/lab.toml"
lab() { "$CERTGATE" --source "$TMP/lab.toml" --state-dir "$TMP/lab" "$@"; }
lab plan --json >"$TMP/plan3.json" 2>/dev/null
expect_exit 0 "$py" "$TMP/check_json.py" "$plan_schema" "$TMP/plan3.json"
expect_grep '"kind": "reload"' "$TMP/plan3.json"
lab apply >/dev/null 2>&1
lab plan --out "$TMP/plan4.json" >/dev/null 2>&1
lab status --json >"$TMP/status2.json" 2>/dev/null
expect_exit 0 "$py" "$TMP/check_json.py" "$CERTGATE_SOURCE_DIR/schemas/status.schema.json" \
  "$TMP/status2.json"
expect_grep '"in_sync": true' "$TMP/status2.json"
echo "# edit" >>"$TMP/nginx/sites/nas.conf"
expect_exit 1 lab apply "$TMP/plan4.json"
expect_grep 'plan is stale: target:local:sites/nas.conf changed' "$TMP/err"
finish
