#!/usr/bin/env bash
# certgate agent against a real git repository: it applies the first commit, applies a pushed
# commit within its interval, runs a tick at once on SIGHUP, finishes and exits 0 on SIGTERM,
# and backs off (doubling waits) while the remote is broken. Processes are stopped by pid.
source "$(dirname "$0")/lib.sh"
S=$TMP/state
cd "$TMP"
AGENT=""
trap '[ -n "$AGENT" ] && kill "$AGENT" 2>/dev/null; cleanup' EXIT
git init -q -b main repo
printf 'schema = 1\n\n[ca]\ncommon_name = "Agent CA"\n\n[[device]]\nname = "alice"\n' \
  >repo/certgate.toml
git -C repo add -A && git -C repo commit -qm alice
wait_for() {  # wait_for SECONDS TEST...: polls until TEST succeeds
  local n=$(($1 * 10)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.1; done
  return 1
}

"$CERTGATE" --state-dir "$S" --source repo agent --interval 1s --jitter 0s >agent.log 2>&1 &
AGENT=$!
wait_for 15 test -f "$S/devices/alice/cert.pem" && ok || bad "alice not issued by the agent"
printf '\n[[device]]\nname = "bob"\n' >>repo/certgate.toml
git -C repo commit -qam bob
wait_for 15 test -f "$S/devices/bob/cert.pem" && ok || bad "the pushed commit was not applied"
kill -HUP "$AGENT"
wait_for 5 grep -q 'tick requested by SIGHUP' agent.log && ok || bad "no tick on SIGHUP"
kill -0 "$AGENT" && ok || bad "the agent died on SIGHUP"
kill -TERM "$AGENT"
code=0
wait "$AGENT" || code=$?
AGENT=""
[ "$code" = 0 ] && ok || bad "agent exit $code on SIGTERM"
expect_grep 'agent stopping on signal; the last tick has finished' agent.log

# A broken remote: every tick fails and the waits double (1s, 2s, 4s), and SIGTERM still ends it.
"$CERTGATE" --state-dir "$S" --source "file://$TMP/nope.git" agent --interval 1s --jitter 0s \
  >broken.log 2>&1 &
AGENT=$!
wait_for 15 grep -q 'consecutive_failures=3 .*next_in_s=8' broken.log && ok || bad "no backoff"
expect_grep 'consecutive_failures=1 .*next_in_s=2 \(backoff\)' broken.log
expect_grep 'fetch file://.*/nope.git' broken.log
kill -TERM "$AGENT"
code=0
wait "$AGENT" || code=$?
AGENT=""
[ "$code" = 0 ] && ok || bad "broken agent exit $code on SIGTERM"
finish
