#!/usr/bin/env bash
# Hostile certgate.toml shapes (issue #12, finding 14): ~100 KB files with a 50,000-part dotted
# table header or key, or arrays / inline tables opened 50,000 deep. toml++ 3.3 overflowed the
# stack on the dotted ones (SIGSEGV in every command); certgate must refuse each with one
# file:line:col diagnostic and exit 1 before toml++ sees it, for validate and plan alike.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
python3 - <<'PY'
head = 'schema = 1\n\n[ca]\ncommon_name = "Test CA"\n\n'
dotted = ".".join(["a"] * 50_000)
shapes = {
    "header": "[" + dotted + "]\n",
    "key": dotted + " = 1\n",
    "arrays": "x = " + "[" * 50_000 + "]" * 50_000 + "\n",
    "inline": "x = " + "{a=" * 50_000 + "1" + "}" * 50_000 + "\n",
}
for name, body in shapes.items():
    open(f"{name}.toml", "w").write(head + body)
PY
want_header='^header\.toml:6:129: error: table header has more than 64 dotted parts$'
want_key='^key\.toml:6:128: error: dotted key has more than 64 parts$'
want_arrays='^arrays\.toml:6:69: error: arrays and inline tables are nested more than 64 deep$'
want_inline='^inline\.toml:6:197: error: arrays and inline tables are nested more than 64 deep$'
for name in header key arrays inline; do
  want_var="want_$name"
  expect_exit 1 timeout 20 "$CERTGATE" validate --source "$name.toml"
  expect_grep "${!want_var}" "$TMP/err"
  expect_exit 1 timeout 20 "$CERTGATE" plan --source "$name.toml" --state-dir "$TMP/state"
  expect_grep "${!want_var}" "$TMP/err"
done

# Over 8 MiB: refused at its first byte, whatever it holds.
python3 -c 'import sys; sys.stdout.write("schema = 1\n" + "# padding\n" * 900_000)' >big.toml
expect_exit 1 timeout 20 "$CERTGATE" validate --source big.toml
expect_grep '^big\.toml:1:1: error: file is larger than 8 MiB \(9000011 bytes\)' "$TMP/err"
finish
