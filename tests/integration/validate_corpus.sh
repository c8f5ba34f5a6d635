# certgate validate through the real binary: every broken file exits 1 and prints exactly its
# expected file:line:col lines, every warnings file exits 0 with its warnings, every example
# exits 0; a broken file changes nothing on disk.
source "$(dirname "$0")/lib.sh"
now=2026-11-23T00:00:00Z
data="$CERTGATE_SOURCE_DIR/tests/data"

for f in "$data"/invalid/*.toml "$data"/warnings/*.toml; do
  dir=$(dirname "$f"); name=$(basename "$f" .toml)
  want=1; [ "$(basename "$dir")" = warnings ] && want=0
  got=0
  (cd "$dir" && "$CERTGATE" validate --now "$now" --source "$name.toml") >"$TMP/out" 2>"$TMP/err" || got=$?
  [ "$got" = "$want" ] && ok || bad "$name: exit $got, want $want"
  # Diagnostics are the lines in file:line:col form; the summary line is not.
  grep -E "^$name\.toml:[0-9]+:[0-9]+: (error|warning): " "$TMP/err" >"$TMP/diags" || true
  if diff -u "$dir/$name.expected" "$TMP/diags" >"$TMP/diff"; then ok; else bad "$name: output differs"; cat "$TMP/diff" >&2; fi
  if [ "$want" = 1 ]; then
    expect_grep "^$name\.toml: [0-9]+ errors?, [0-9]+ warnings?; nothing was changed$" "$TMP/err"
  fi
done

for f in "$CERTGATE_SOURCE_DIR"/examples/*.toml; do
  expect_exit 0 "$CERTGATE" validate --source "$f" --now "$now"
  [ -s "$TMP/err" ] && bad "$(basename "$f") printed warnings: $(cat "$TMP/err")" || ok
done

# A broken file leaves the state directory untouched (here: not even created).
expect_exit 1 "$CERTGATE" validate --source "$data/invalid/unknown_keys.toml" --state-dir "$TMP/state"
[ ! -e "$TMP/state" ] && ok || bad "validate created the state dir"

finish
