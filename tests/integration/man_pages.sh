#!/usr/bin/env bash
# The man pages the build generated (build/doc) are what `certgate __doc` prints now, render
# without warnings (groff -ww, mandoc -T lint, man -l), and certgate(1) names every command
# `certgate --help` lists and every option each command's --help lists (the keys of
# certgate.toml(5) against desired/keys.cc: the unit test "man page certgate.toml(5) ...").
source "$(dirname "$0")/lib.sh"
DOC=$(dirname "$CERTGATE")/doc
cd "$TMP"
"$CERTGATE" __doc man1 >certgate.1
"$CERTGATE" __doc man5 --schema "$CERTGATE_SOURCE_DIR/schemas/certgate.schema.json" >certgate.toml.5
for page in certgate.1 certgate.toml.5; do
  cmp -s "$page" "$DOC/$page" && ok || bad "$DOC/$page is not what certgate __doc prints"
  expect_exit 0 groff -ww -z -man "$page"
  [ ! -s "$TMP/err" ] && ok || { bad "groff -ww $page:"; cat "$TMP/err" >&2; }
  expect_exit 0 mandoc -T lint "$page"
  [ ! -s "$TMP/out" ] && ok || { bad "mandoc -T lint $page:"; cat "$TMP/out" >&2; }
  MANWIDTH=80 expect_exit 0 man --warnings -l "$page"
  [ ! -s "$TMP/err" ] && ok || { bad "man -l $page warned:"; cat "$TMP/err" >&2; }
done
MANWIDTH=200 man -l certgate.1 2>/dev/null | col -b >certgate.txt
# Each command of --help has its section, with each option its --help lists.
commands=$("$CERTGATE" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}')
[ "$(echo "$commands" | wc -w)" -ge 14 ] && ok || bad "--help lists too few commands: $commands"
for c in $commands; do
  subs=$("$CERTGATE" "$c" --help | sed -n '/^Subcommands:/,$p' | awk 'NR > 1 && NF {print $1}')
  for path in "$c" $(for s in $subs; do echo "$c:$s"; done); do
    words=${path/:/ }
    # shellcheck disable=SC2086
    "$CERTGATE" $words --help >help.txt
    # A command with subcommands and no options of its own has no section.
    if [ -n "$subs" ] && [ "$path" = "$c" ]; then continue; fi
    grep -q "^   certgate $words\$" certgate.txt && ok || { bad "certgate(1) has no section for $words"; continue; }
    sed -n "/^   certgate $words\$/,/^   certgate /p" certgate.txt >section.txt
    for opt in $(sed -n '/^Options:/,/^Subcommands:/p' help.txt | grep -oE '^ +(-[a-z],)?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
      [ "$opt" = --help ] && continue
      grep -qF -- "$opt" section.txt && ok || bad "certgate(1), certgate $words: no $opt"
    done
  done
done
# Every global option of --help is in GLOBAL OPTIONS, and each environment variable is named.
for opt in $("$CERTGATE" --help | sed -n '/^Options:/,/^Subcommands:/p' | grep -oE '^ +(-[a-z],)?--[a-z][a-z-]*' | grep -oE -- '--[a-z-]+'); do
  [ "$opt" = --help ] && continue
  sed -n '/^GLOBAL OPTIONS/,/^COMMANDS/p' certgate.txt | grep -qF -- "$opt" && ok || bad "GLOBAL OPTIONS lacks $opt"
done
for v in $("$CERTGATE" --help | grep -oE 'Env:CERTGATE_[A-Z_]+' | cut -d: -f2 | sort -u); do
  sed -n '/^ENVIRONMENT/,/^FILES/p' certgate.txt | grep -qF "$v" && ok || bad "ENVIRONMENT lacks $v"
done
# certgate.toml(5) names each table of the schema.
MANWIDTH=200 man -l certgate.toml.5 2>/dev/null | col -b >toml.txt
for t in '\[ca\]' '\[defaults\]' '\[\[device\]\]' '\[\[site\]\]' '\[site.fallback\]' '\[nginx\]' \
  '\[\[host\]\]' '\[rollout\]' '\[safety\]' '\[enroll\]' '\[publish\]'; do
  expect_grep "^   $t\$" toml.txt
done
finish
