#!/usr/bin/env bash
# The systemd units in packaging/ pass `systemd-analyze verify` with nothing to say (an unknown
# key is only a warning there, so any output fails this test), pointed at the built binary and
# the example environment file; and the environment file's variables are ones certgate reads.
source "$(dirname "$0")/lib.sh"
P=$CERTGATE_SOURCE_DIR/packaging
for f in "$P"/certgate-*.service "$P"/certgate-*.timer; do
  sed -e "s|/usr/bin/certgate|$CERTGATE|" -e "s|/etc/default/certgate|$P/certgate.default|" \
    "$f" >"$TMP/$(basename "$f")"
done
expect_exit 0 systemd-analyze verify --man=no "$TMP"/certgate-*.service "$TMP"/certgate-*.timer
[ ! -s "$TMP/err" ] && [ ! -s "$TMP/out" ] && ok || { bad "systemd-analyze said:"; cat "$TMP/out" "$TMP/err" >&2; }
# Every CERTGATE_* variable of the environment file is documented by `certgate --help`, or used
# by the units themselves.
for v in $(grep -oE '^CERTGATE_[A-Z_]+' "$P/certgate.default"); do
  if "$CERTGATE" --help | grep -q "$v" || grep -q "\${$v}" "$P"/certgate-*.service; then ok
  else bad "$v in certgate.default is read by nothing"; fi
done
# The sync unit is a oneshot the timer starts; the agent unit reloads with SIGHUP.
expect_grep '^Type=oneshot' "$P/certgate-sync.service"
expect_grep '^ExecReload=/bin/kill -HUP \$MAINPID' "$P/certgate-agent.service"
finish
