#!/usr/bin/env bash
# The bash completion generated from the binary (certgate __doc bash) completes commands,
# options, the values of --profile and --log-format, files, and device and site names read
# from the desired state that --source names (or ./certgate.toml), never hidden commands; the
# zsh one parses. Driven by calling the completion function as bash's `complete` does.
source "$(dirname "$0")/lib.sh"
cd "$TMP"
mkdir bin other
ln -s "$CERTGATE" bin/certgate
export PATH=$TMP/bin:$PATH
"$CERTGATE" __doc bash >certgate.bash
"$CERTGATE" __doc zsh >_certgate
cat >certgate.toml <<'TOML'
schema = 1
[ca]
common_name = "Completion CA"
[[device]]
name = "alice-phone"
[[device]]
name = "bob-laptop"
[[site]]
name = "admin"
server_names = ["admin.test"]
[[site]]
name = "grafana"
server_names = ["grafana.test"]
TOML
cat >other/team.toml <<'TOML'
schema = 1
[ca]
common_name = "Other CA"
[[device]]
name = "carol-ipad"
TOML

# complete WORDS...: the last word is the one being completed ("" for a new one).
complete_words() {
  bash -c '
    source ./certgate.bash
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    _certgate
    printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$@"
}
expect_completion() {  # expect_completion "WANT WORDS" WORDS...
  local want=$1; shift
  local got; got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
  [ "$got" = "$want" ] && ok || bad "completing '$*': got '$got', want '$want'"
}
expect_includes() {  # expect_includes "WORD..." WORDS...
  local want=$1; shift
  local got; got=" $(complete_words "$@" | tr '\n' ' ') "
  for w in $want; do [[ $got == *" $w "* ]] && ok || bad "completing '$*': no $w in:$got"; done
}
expect_completion "plan" certgate pl
expect_includes "init validate plan apply bundle status sync verify agent enroll snapshot edge ca root --source --state-dir --version" certgate ""
if complete_words certgate "" | grep -q '^__'; then bad "a hidden command is offered"; else ok; fi
expect_completion "crl init sign" certgate root ""
expect_completion "protect" certgate ca ""
expect_includes "--json --out --detailed-exitcode --observed --source" certgate plan --
expect_completion "--audit" certgate status --au
expect_completion "compat modern" certgate bundle --profile ""
expect_completion "json" certgate --log-format j
expect_completion "alice-phone bob-laptop" certgate bundle ""
expect_completion "bob-laptop" certgate enroll b
expect_completion "admin grafana" certgate verify ""
# A global option after the command, and the names of the file it names.
expect_completion "carol-ipad" certgate bundle --source other/team.toml ""
expect_completion "carol-ipad" certgate --source other/team.toml enroll ""
# A value of an option is not taken for the DEVICE argument.
expect_completion "alice-phone bob-laptop" certgate bundle --out x.p12 ""
# Options that take a file complete files.
expect_completion "other/team.toml" certgate --source other/t
# --option=VALUE, which bash splits into --option, =, VALUE.
expect_completion "carol-ipad" certgate --source = other/team.toml enroll ""
expect_completion "carol-ipad" certgate bundle --source = other/team.toml ""
expect_completion "compat modern" certgate bundle --profile = ""
# A file name with a space is one candidate.
touch "my plan.json"
[ "$(complete_words certgate --ca-passphrase-file my | grep -cx 'my plan.json')" = 1 ] && ok \
  || bad "a file name with a space was split: $(complete_words certgate --ca-passphrase-file my)"
# A source that does not parse gives no names, and no error in the command line.
echo 'this is [not toml' >broken.toml
expect_completion "" certgate --source broken.toml bundle ""
# zsh: the script parses, and defines the function compdef calls.
expect_exit 0 zsh -n _certgate
expect_grep '^#compdef certgate' _certgate
expect_exit 0 zsh -c 'autoload -U compinit && compinit -u -D && source ./_certgate >/dev/null 2>&1; (( $+functions[_certgate_cmd_bundle] ))'
# zsh: _certgate notes the source options before _arguments shifts $words, so names come from
# the file --source names (stubbing compadd and _arguments to see what would be offered).
cat >zsh_drive <<'ZSH'
autoload -U compinit && compinit -u -D
source ./_certgate >/dev/null 2>&1
compadd() { shift $(( $# - 1 )); print -l -- ${(P)1}; }
_arguments() { :; }
words=(certgate --source other/team.toml bundle "")
CURRENT=5
_certgate
words=(bundle "")  # as _arguments '*::arg:->args' leaves them for the command's function
CURRENT=2
_certgate_names device
ZSH
expect_exit 0 zsh -f zsh_drive
expect_grep '^carol-ipad$' "$TMP/out"
finish
