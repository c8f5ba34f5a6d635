#!/usr/bin/env bash
# A saved plan (plan --out) is applied only when it is the plan computed now: a reviewer's plan
# whose action detail or access change was edited is stale, and a file that is not one of
# certgate's plans (another format_version, "inputs" not an object) is a clear error, never an
# internal one; neither changes anything. The plan as saved applies.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
trap '[ -n "${KEEP_TMP:-}" ] || cleanup' EXIT
write_toml() {  # write_toml EXTRA
  cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Saved CA"

[[device]]
name = "alice"
groups = ["admins"]
$1

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"
TOML
}
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
edit() {  # edit OUT PYTHON: OUT is plan.json changed by PYTHON on the document `p`
  python3 - "$TMP/plan.json" "$1" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(p, open(sys.argv[2], "w"))
PY
}
nothing_changed() {
  [ "$(sha256sum <"$S/ca/index.txt")" = "$index" ] && [ ! -e "$S/devices/bob" ] && ok ||
    bad "$1 changed the state"
}

write_toml ""
expect_exit 0 cg apply
write_toml $'\n[[device]]\nname = "bob"\ngroups = ["admins"]'
expect_exit 0 cg plan --out "$TMP/plan.json"
index=$(sha256sum <"$S/ca/index.txt")

edit edited.json 'p["actions"][0]["detail"] += ", groups admins,root"'
expect_exit 1 cg apply edited.json
expect_grep 'plan is stale: action 1 \(issue device bob\) differs: detail was "[^"]*, groups admins,root", now "' "$TMP/err"
nothing_changed "a saved plan with an edited detail"

edit access.json 'p["access"] = []'
expect_exit 1 cg apply access.json
expect_grep 'plan is stale: the access changes differ' "$TMP/err"
nothing_changed "a saved plan with its access changes removed"

edit version.json 'p["format_version"] = "1"'
expect_exit 1 cg apply version.json
expect_grep 'version.json is not a plan certgate can apply: "format_version" is the string "1"; this certgate reads and writes the number 1' "$TMP/err"
if grep -q 'internal error' "$TMP/err"; then bad "format_version \"1\": an internal error"; else ok; fi
nothing_changed "a plan of another format"

edit inputs.json 'p["inputs"] = "x"'
expect_exit 1 cg apply inputs.json
expect_grep 'inputs.json is not a plan certgate can apply: "inputs" is the string "x"; a plan has an object' "$TMP/err"
nothing_changed "a plan whose inputs are a string"

expect_exit 0 cg apply "$TMP/plan.json"
expect_grep 'Apply complete: 1 issued' "$TMP/out"
finish
