# The command line of DESIGN.md section 2: help, version, global options before or after the
# subcommand and from the environment, commands not built yet refuse, apply refuses --now.
source "$(dirname "$0")/lib.sh"

expect_exit 0 "$CERTGATE" --help
cp "$TMP/out" "$TMP/help"
for opt in --source --ref --file --state-dir --now --log-format --ssh-key --known-hosts; do
  expect_grep "^  $opt " "$TMP/help"
done
for cmd in init validate plan apply sync agent status bundle verify; do
  expect_grep "^  $cmd " "$TMP/help"
  expect_exit 0 "$CERTGATE" "$cmd" --help
  expect_grep "^Usage: certgate $cmd" "$TMP/out"
done
expect_exit 0 "$CERTGATE" --version
expect_grep '^certgate [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out"
expect_exit 1 "$CERTGATE"
expect_exit 1 "$CERTGATE" no-such-command
expect_exit 1 "$CERTGATE" validate --no-such-flag

ex="$CERTGATE_SOURCE_DIR/examples/home-lab.toml"
expect_exit 0 "$CERTGATE" --source "$ex" validate
expect_exit 0 "$CERTGATE" validate --source "$ex"
expect_exit 0 env CERTGATE_SOURCE="$ex" "$CERTGATE" validate
expect_grep 'home-lab.toml: valid \(3 devices, 1 site, 0 hosts\)' "$TMP/out"
# The command line wins over the environment.
expect_exit 0 env CERTGATE_SOURCE=/nonexistent "$CERTGATE" validate --source "$ex"
expect_exit 1 env CERTGATE_SOURCE=/nonexistent "$CERTGATE" validate
expect_grep '/nonexistent' "$TMP/err"

# A directory source with --file, and --now as an RFC 3339 instant.
expect_exit 0 "$CERTGATE" validate --source "$CERTGATE_SOURCE_DIR/examples" --file team.toml \
  --now 2026-11-23T00:00:00Z
expect_exit 1 "$CERTGATE" validate --source "$ex" --now yesterday
expect_grep 'now: bad RFC 3339 time' "$TMP/err"

# Commands that change things act in real time only.
expect_exit 1 "$CERTGATE" apply --now 2026-11-23T00:00:00Z --source "$ex"
expect_grep 'only for plan, status and validate' "$TMP/err"
expect_exit 1 env CERTGATE_NOW=2026-11-23T00:00:00Z "$CERTGATE" sync --source "$ex"
expect_grep 'only for plan, status and validate' "$TMP/err"
expect_exit 1 env CERTGATE_NOW=2026-11-23T00:00:00Z "$CERTGATE" agent --source "$ex"
expect_grep 'only for plan, status and validate' "$TMP/err"

# init writes a starter that validates, and never overwrites.
expect_exit 0 "$CERTGATE" init "$TMP/new/site"
expect_exit 0 "$CERTGATE" validate --source "$TMP/new/site"
expect_grep 'valid \(1 device, 1 site, 0 hosts\)' "$TMP/out"
cp "$TMP/new/site/certgate.toml" "$TMP/before"
expect_exit 1 "$CERTGATE" init "$TMP/new/site"
expect_grep 'already exists' "$TMP/err"
cmp -s "$TMP/before" "$TMP/new/site/certgate.toml" && ok || bad "init changed an existing file"

# A git source that cannot be fetched is a plain error (git_sync.sh covers the working ones).
expect_exit 1 "$CERTGATE" validate --source ssh://git@127.0.0.1:1/repo.git --state-dir "$TMP/st"
expect_grep 'fetch ssh://git@127.0.0.1:1/repo.git: ' "$TMP/err"

finish
