# Shared helpers for integration tests: a temp dir removed on exit, and assertions that say
# what they expected. Sourced by each tests/integration/*.sh.
set -euo pipefail
: "${CERTGATE:?set CERTGATE to the certgate binary}"
: "${CERTGATE_SOURCE_DIR:?set CERTGATE_SOURCE_DIR to the repository}"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/certgate-test.XXXXXX")
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
[ -n "${KEEP_TMP:-}" ] && trap - EXIT
fails=0
passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
# expect_exit CODE CMD...: runs CMD, stdout/stderr into $TMP/out and $TMP/err.
expect_exit() {
  local want=$1; shift
  local got=0
  "$@" >"$TMP/out" 2>"$TMP/err" || got=$?
  if [ "$got" = "$want" ]; then ok; else bad "exit $got, want $want: $*"; sed 's/^/  | /' "$TMP/err" >&2; fi
}
expect_grep() {  # expect_grep PATTERN FILE
  if grep -qE -- "$1" "$2"; then ok; else bad "no /$1/ in $2"; sed 's/^/  | /' "$2" >&2; fi
}
# A fixed git identity for the repositories tests make with the git CLI.
export GIT_AUTHOR_NAME=ci GIT_AUTHOR_EMAIL=ci@example.com GIT_COMMITTER_NAME=ci \
  GIT_COMMITTER_EMAIL=ci@example.com
finish() {
  echo "$passes passed, $fails failed"
  [ "$fails" = 0 ]
}
