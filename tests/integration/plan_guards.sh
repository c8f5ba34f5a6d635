#!/usr/bin/env bash
# What a reviewer reads in a plan, and what apply refuses, on the real binary:
#  - the access diff: deleting an allowed device and editing allow_groups show in `plan` text
#    and `plan --json`; public path "/" and a 0.0.0.0/0 fallback are loud in plan and validate;
#  - the relative mass-revocation rule: deleting all 3 of 3 devices is refused (the default
#    max_revocations = 5 would pass it), --allow-mass-revoke gets past;
#  - a clock that jumped: an apply under `faketime +340d`, then plan and apply at the real time
#    are refused, the CRL is signed again at the real time, the not-yet-valid certificates are
#    named; --allow-clock-rewind gets past. Without faketime, `plan --now` in the past.
# No nginx: [nginx] test and reload are `true`.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
write_toml() {  # write_toml FILE ADMIN_GROUPS DEVICES...: a site "nas" for groups ADMIN_GROUPS
  local file=$1 groups=$2; shift 2
  printf 'schema = 1\n\n[ca]\ncommon_name = "Guard CA"\n\n[nginx]\ndir = "%s"\n' "$TMP/nginx" >"$file"
  printf 'test = "true"\nreload = "true"\n' >>"$file"
  for d in "$@"; do
    printf '\n[[device]]\nname = "%s"\ngroups = ["%s"]\n' "${d%%:*}" "${d#*:}" >>"$file"
  done
  printf '\n[[site]]\nname = "nas"\nserver_names = ["nas.example.com"]\nallow_groups = %s\n' \
    "$groups" >>"$file"
}
json_has() {  # json_has FILE PYTHON_EXPR: the plan JSON in FILE makes EXPR true (j = the plan)
  if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$1" "$2"; then ok; else bad "plan JSON: not $2"; sed 's/^/  | /' "$1" >&2; fi
}
cg() { "$CERTGATE" --source "$TMP/certgate.toml" --state-dir "$TMP/state" "$@"; }

write_toml certgate.toml '["admins"]' alice:admins bob:ops carol:admins
expect_exit 0 cg apply

# Deleting alice, who may pass nas: she loses the door, in text and JSON.
write_toml certgate.toml '["admins"]' bob:ops carol:admins
expect_exit 0 cg plan
expect_grep '^Access: - alice -> nas$' "$TMP/out"
cg plan --json >plan.json
json_has plan.json '{"kind": "device", "device": "alice", "site": "nas", "change": "lose", "why": "deleted"} in j["access"]'

# allow_groups admins -> ops: bob gains, alice and carol lose, with no certificate changing.
write_toml certgate.toml '["ops"]' alice:admins bob:ops carol:admins
expect_exit 0 cg plan
expect_grep '^Access: \+ bob -> nas  - alice -> nas  - carol -> nas$' "$TMP/out"
cg plan --json >plan.json
json_has plan.json 'sorted((a["device"], a["change"], a["why"]) for a in j["access"]) == [("alice", "lose", "no longer allowed"), ("bob", "gain", "group ops"), ("carol", "lose", "no longer allowed")]'

# A site opened to everyone: a WARNING in plan, a warning at file:line:col in validate.
write_toml certgate.toml '["admins"]' alice:admins bob:ops carol:admins
printf 'public_paths = ["/"]\n\n[site.fallback]\nallow_ips = ["0.0.0.0/0"]\nuntil = "2099-01-01T00:00:00Z"\n' \
  >>certgate.toml
expect_exit 0 cg plan
expect_grep '\+ public / -> nas' "$TMP/out"
expect_grep '\+ fallback 0.0.0.0/0 -> nas' "$TMP/out"
expect_grep '^WARNING: site nas becomes public: public path "/"' "$TMP/out"
expect_grep '^WARNING: site nas opens to much of the Internet: fallback 0.0.0.0/0' "$TMP/out"
expect_exit 0 cg validate
expect_grep 'certgate.toml:[0-9]+:[0-9]+: warning: public path "/" opens the whole site' "$TMP/err"
expect_grep 'certgate.toml:[0-9]+:[0-9]+: warning: "0.0.0.0/0" opens the site to much of the Internet' "$TMP/err"

# All 3 of 3 devices deleted: refused by the relative rule, nothing revoked; then allowed.
write_toml certgate.toml '["admins"]'
expect_exit 1 cg apply
expect_grep 'refused: this plan revokes or replaces the certificates of 3 devices of the 3 that hold a live certificate, more than half of them' "$TMP/err"
grep -q '^R' state/ca/index.txt && bad "a refused plan revoked certificates" || ok
expect_exit 0 cg apply --allow-mass-revoke
[ "$(grep -c '^R' state/ca/index.txt)" -ge 3 ] && ok || bad "--allow-mass-revoke did not revoke"

# A clock 340 days ahead, then back.
write_toml clock.toml '["admins"]' alice:admins bob:admins
ck() { "$CERTGATE" --source "$TMP/clock.toml" --state-dir "$TMP/clock" "$@"; }
if command -v faketime >/dev/null; then
  expect_exit 0 faketime -f '+340d' "$CERTGATE" --source "$TMP/clock.toml" --state-dir "$TMP/clock" apply
  expect_exit 0 ck plan
  expect_grep '^Refused: the clock reads .*, before the last apply at ' "$TMP/out"
  expect_grep '^Note: certificates of alice, bob are not valid yet' "$TMP/out"
  expect_grep '^Note: the CA certificate is not valid before ' "$TMP/out"
  ck plan --json >clock.json
  json_has clock.json 'any(a["kind"] == "crl" and "is in the future" in a["reason"] for a in j["actions"])'
  expect_exit 1 ck apply
  expect_grep '^Refreshed the CRL only: CRL [0-9]+' "$TMP/out"
  last=$(date -u -d "$(openssl crl -in clock/ca/crl.pem -noout -lastupdate | cut -d= -f2)" +%s)
  [ "$last" -le "$(date -u +%s)" ] && ok || bad "the CRL's thisUpdate is still in the future"
  expect_exit 0 ck plan
  expect_grep '^Refused: the clock reads .*, before the last apply at ' "$TMP/out"
  expect_exit 0 ck apply --allow-clock-rewind
else
  echo "faketime is not installed: checking with plan --now only"
  expect_exit 0 ck apply
fi
expect_exit 0 ck plan --now 2000-01-01T00:00:00Z
expect_grep '^Refused: the clock reads 2000-01-01T00:00:00Z, before the last apply at ' "$TMP/out"
finish
