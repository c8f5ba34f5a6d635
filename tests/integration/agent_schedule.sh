#!/usr/bin/env bash
# certgate agent wakes when the desired state changes by itself, not an interval later: with
# --interval 10m and a fallback whose `until` is a few seconds ahead, the side door leaves
# http.conf's geo block within a few seconds of `until` (plan/next_change.h). No nginx needed:
# [nginx] test and reload are `true`; the check is on the deployed file.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
AGENT=""
trap '[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null; cleanup' EXIT
wait_for() {  # wait_for SECONDS TEST...: polls until TEST succeeds
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}
door_closed() { ! grep -q '203.0.113.7/32' nginx/http.conf; }

# 15 s: the first tick makes a CA and a certificate, which takes seconds on a loaded 2-core CI.
until=$(date -u -d '+15 seconds' +%Y-%m-%dT%H:%M:%SZ)
cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Schedule CA"

[nginx]
dir = "$TMP/nginx"
test = "true"
reload = "true"

[[device]]
name = "alice"

[[site]]
name = "admin"
server_names = ["admin.example.com"]

[site.fallback]
allow_ips = ["203.0.113.7/32"]
until = "$until"
TOML

"$CERTGATE" --state-dir "$S" --source certgate.toml agent --interval 10m --jitter 0s \
  >agent.log 2>&1 &
AGENT=$!
wait_for 15 grep -q '203.0.113.7/32 1;' nginx/http.conf && ok || bad "the fallback was not deployed"
# The tick logs when it wakes next once it has finished (after the deploy that wrote http.conf).
early='next tick early next_in_s=([1-9]|1[0-6]) reason="the fallback of site admin closes"'
wait_for 10 grep -qE "$early" agent.log
expect_grep "$early" agent.log
# `until` is at most 15 s away; the agent wakes 1 s after it.
wait_for 25 door_closed && ok || bad "the fallback door is still in http.conf after its until"
closed_at=$(date -u +%s)
[ "$closed_at" -le $(($(date -u -d "$until" +%s) + 4)) ] && ok || bad "the door closed late"
kill -0 "$AGENT" && ok || bad "the agent died"
kill -TERM "$AGENT"
code=0
wait "$AGENT" || code=$?
AGENT=""
[ "$code" = 0 ] && ok || bad "agent exit $code on SIGTERM"
finish
