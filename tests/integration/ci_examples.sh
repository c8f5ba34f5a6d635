#!/usr/bin/env bash
# The certgate part of examples/ci/ (the GitHub Actions step `id: plan` and the GitLab job's
# `script`, read from the YAML with python3-yaml) run on a local repository laid out as a CI
# checkout sees it: an origin with the base branch main, the branch certgate/snapshot holding
# the CA host's `certgate snapshot`, and a pull request's branch checked out detached, with no
# other ref. The platform (checkout, installing certgate, posting) is not tested here.
#  - a pull request adding dave and revoking carol: exit status 2, plan.md a well-formed comment
#    with the access table, the base named;
#  - a pull request with a typo: status 1, plan.md says it failed and quotes the error as an
#    indented code block; the GitLab script fails (the job fails after after_script posts).
# No nginx: [nginx] test and reload are `true`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_markdown.sh"
examples="$CERTGATE_SOURCE_DIR/examples/ci"
cd "$TMP"
/usr/bin/python3 - "$examples" <<'PY'
import sys, yaml
d = sys.argv[1]
gh = yaml.safe_load(open(f"{d}/github-actions.yml"))
step = [s for s in gh["jobs"]["plan"]["steps"] if s.get("id") == "plan"]
assert len(step) == 1, "github-actions.yml: no single step with id: plan"
open("github.sh", "w").write(step[0]["run"])
gl = yaml.safe_load(open(f"{d}/gitlab-ci.yml"))
open("gitlab.sh", "w").write("\n".join(gl["certgate-plan"]["script"]) + "\n")
assert gl["certgate-plan"]["variables"]["GIT_DEPTH"] == "0"
fetch = [s for s in gh["jobs"]["plan"]["steps"] if s.get("uses", "").startswith("actions/checkout")]
assert fetch and fetch[0]["with"]["fetch-depth"] == 0
PY
[ -s github.sh ] && [ -s gitlab.sh ] && ok || bad "no certgate part found in examples/ci"

toml() {  # toml DEVICES...: a site nas for group admins; "name!" is revoked
  printf 'schema = 1\n\n[ca]\ncommon_name = "CI CA"\n\n[nginx]\ndir = "%s"\n' "$TMP/nginx"
  printf 'test = "true"\nreload = "true"\n'
  for d in "$@"; do
    printf '\n[[device]]\nname = "%s"\ngroups = ["admins"]\n' "${d%!}"
    [ "${d%!}" = "$d" ] || printf 'revoked = "keyCompromise"\n'
  done
  printf '\n[[site]]\nname = "nas"\nserver_names = ["nas.example.com"]\nallow_groups = ["admins"]\n'
}
git init -q --bare origin.git
git init -q -b main admin
toml alice bob carol >admin/certgate.toml
git -C admin add certgate.toml
git -C admin commit -q -m base
git -C admin remote add origin "$TMP/origin.git"
git -C admin push -q origin main
# The CA host: applies main, takes its snapshot, pushes it to certgate/snapshot.
expect_exit 0 "$CERTGATE" --source admin/certgate.toml --state-dir state apply
expect_exit 0 "$CERTGATE" --source admin/certgate.toml --state-dir state snapshot --out "$TMP/snapshot.json"
git -C admin checkout -q --orphan certgate/snapshot
git -C admin rm -q -r --cached .
cp snapshot.json admin/snapshot.json
git -C admin add snapshot.json
git -C admin commit -q -m snapshot
git -C admin push -q origin certgate/snapshot
push_pr() {  # push_pr BRANCH DEVICES...: a pull request's branch off main
  local branch=$1; shift
  git -C admin checkout -q -f main
  git -C admin checkout -q -b "$branch"
  toml "$@" >admin/certgate.toml
  git -C admin commit -q -am "$branch"
  git -C admin push -q origin "$branch"
}
push_pr add-dave alice bob 'carol!' dave
push_pr typo alice
push_pr open-nas alice bob carol eve
sed -i 's/^allow_groups = \["admins"\]$/allow_groups = ["admins"]\npublic_paths = ["\/"]/' admin/certgate.toml
git -C admin commit -q -am "nas public" && git -C admin push -q origin open-nas
git -C admin checkout -q -f typo
sed -i 's/^schema = 1$/schema = 1\nunknown_key = "typo"/' admin/certgate.toml
git -C admin commit -q -am typo2 && git -C admin push -q origin typo

checkout() {  # checkout DIR BRANCH: only the pull request's commit, detached, as CI has it
  git init -q "$1"
  git -C "$1" remote add origin "$TMP/origin.git"
  git -C "$1" fetch -q origin "$2"
  git -C "$1" checkout -q --detach FETCH_HEAD
}
path="$(dirname "$CERTGATE"):$PATH"
run_example() {  # run_example SCRIPT DIR: the example's commands, as the platform runs them
  (cd "$2" && env PATH="$path" BASE=main CI_MERGE_REQUEST_TARGET_BRANCH_NAME=main \
    GITHUB_OUTPUT="$TMP/$2.output" bash -eo pipefail "$TMP/$1")
}

for ci in github gitlab; do
  checkout "$ci-pr" add-dave
  expect_exit 0 run_example "$ci.sh" "$ci-pr"
  md=$ci-pr/plan.md
  [ -s "$md" ] && ok || bad "$ci: no plan.md"
  expect_grep '^### certgate plan$' "$md"
  expect_grep '[Cc]ompared with base origin/main \([0-9a-f]{12}\)' "$md"
  md_has "$md" "sorted(r[:3] for r in tables['Device|Site|Change|Why']) == [['carol', 'nas', 'loses'], ['dave', 'nas', 'gains']]"
  md_has "$md" "any(r[0] == 'issue' and r[2] == 'dave' for r in tables['Action|Target|Subject|Detail'])"
  # The snapshot came from the branch, and nothing but the plan was written to the checkout.
  cmp -s snapshot.json "$ci-pr/snapshot.json" && ok || bad "$ci: snapshot.json differs"
  git -C "$ci-pr" rev-parse -q --verify refs/remotes/origin/main >/dev/null && ok ||
    bad "$ci: the example did not fetch the base branch"
done
expect_grep '^status=2$' "$TMP/github-pr.output"

for ci in github gitlab; do
  checkout "$ci-typo" typo
  want=0; [ "$ci" = gitlab ] && want=1  # GitLab: the script fails; GitHub: a later step does
  expect_exit "$want" run_example "$ci.sh" "$ci-typo"
  md=$ci-typo/plan.md
  expect_grep '^\*\*failed\*\*: certgate plan exited 1$' "$md"
  expect_grep '^    .*unknown_key' "$md"
  md_has "$md" "tags[:2] == ['h3', 'p'] and 'pre' in tags and not tables"
done
expect_grep '^status=1$' "$TMP/github-typo.output"

# A pull request opening the site to everyone fails review: the plan is posted with why.
for ci in github gitlab; do
  checkout "$ci-open" open-nas
  want=0; [ "$ci" = gitlab ] && want=1
  expect_exit "$want" run_example "$ci.sh" "$ci-open"
  md=$ci-open/plan.md
  expect_grep '^### certgate plan$' "$md"
  expect_grep '^\*\*fails review\*\*: certgate plan exited 1$' "$md"
  expect_grep '^    .*site nas becomes public' "$md"
  md_has "$md" "any(r[1] == 'nas' and r[2] == 'gains' for r in tables['Device|Site|Change|Why'])"
done
expect_grep '^status=1$' "$TMP/github-open.output"
finish
