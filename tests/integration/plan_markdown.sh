#!/usr/bin/env bash
# `certgate plan --format markdown`, the pull-request comment, read by a real markdown parser
# (Python-Markdown with its `tables` extension, Debian's python3-markdown) and its HTML by
# html.parser:
#  - a typical change on a real state dir (a device added, one revoked, a site opened with
#    public_paths = ["/"] and a hostile public path holding '|', <script>, '*', '_', '[', '`'):
#    an access table and an action table, every row as many cells as the header, no raw HTML;
#  - 10,000 new devices against an empty state dir: at most 60000 bytes, still well-formed, and
#    the comment says exactly how many access changes and actions it leaves out.
# No nginx: [nginx] test and reload are `true`.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_markdown.sh"
cd "$TMP"
access='Device|Site|Change|Why'
actions='Action|Target|Subject|Detail'

write_toml() {  # write_toml FILE EXTRA_SITE_LINES DEVICES...
  local file=$1 extra=$2; shift 2
  printf 'schema = 1\n\n[ca]\ncommon_name = "Markdown CA"\n\n[nginx]\ndir = "%s"\n' "$TMP/nginx" >"$file"
  printf 'test = "true"\nreload = "true"\n' >>"$file"
  for d in "$@"; do printf '\n[[device]]\nname = "%s"\ngroups = ["admins"]\n' "$d" >>"$file"; done
  printf '\n[[site]]\nname = "nas"\nserver_names = ["nas.example.com"]\nallow_groups = ["admins"]\n%b' \
    "$extra" >>"$file"
}
cg() { "$CERTGATE" --source "$TMP/certgate.toml" --state-dir "$TMP/state" "$@"; }

# (a) A typical change on a real state dir.
write_toml certgate.toml '' alice bob carol
expect_exit 0 cg apply
write_toml certgate.toml 'public_paths = ["/", "/p|q<script>alert(1)</script>*_[x]`y"]\n' \
  alice bob carol dave
sed -i '/^name = "carol"$/a revoked = "keyCompromise"' certgate.toml
expect_exit 0 cg validate
expect_exit 2 cg plan --format markdown --detailed-exitcode
cp "$TMP/out" typical.md
expect_grep '^### certgate plan$' typical.md
expect_grep '^1 issue, 1 revoke, 1 crl, [0-9]+ file, 1 reload · 1 device gains access, 1 loses it · 2 doors open to anyone$' typical.md
expect_grep '^> \*\*Warning:\*\* site nas becomes public' typical.md
md_has typical.md "sorted(r[:3] for r in tables[\"$access\"] if r[0] in ('dave', 'carol')) == [['carol', 'nas', 'loses'], ['dave', 'nas', 'gains']]"
md_has typical.md "len(tables[\"$access\"]) == 4"
md_has typical.md "['anyone on /', 'nas', 'gains'] in [r[:3] for r in tables[\"$access\"]]"
# The hostile path comes through as text, whole, in one cell.
md_has typical.md "['anyone on /p|q<script>alert(1)</script>*_[x]\`y', 'nas', 'gains'] in [r[:3] for r in tables[\"$access\"]]"
md_has typical.md "any(r[0] == 'issue' and r[2] == 'dave' for r in tables[\"$actions\"])"
md_has typical.md "any(r[0] == 'revoke' and r[2] == 'carol' and 'keyCompromise' in r[3] for r in tables[\"$actions\"])"
md_has typical.md "any(r[0] == 'reload' for r in tables[\"$actions\"])"
md_has typical.md "tags.count('table') == 2 and 'blockquote' in tags"
md_has typical.md "'<script' not in html_out and 'not shown' not in text"
# The same access rows in the JSON plan, and --json is --format json.
cg plan --json >a.json
cg plan --format json >b.json
cmp -s a.json b.json && ok || bad "--json and --format json differ"
expect_exit 1 cg plan --json --format markdown

# (b) 10,000 new devices against an empty state dir: plan only.
N=10000
{
  printf 'schema = 1\n\n[ca]\ncommon_name = "Scale CA"\n\n[nginx]\ndir = "%s"\ntest = "true"\nreload = "true"\n\n' "$TMP/nginx10k"
  for i in $(seq -f '%05g' 1 $N); do printf '[[device]]\nname = "d%s"\ngroups = ["staff"]\n\n' "$i"; done
  printf '[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_groups = ["staff"]\n'
} >big.toml
expect_exit 0 "$CERTGATE" --source big.toml --state-dir "$TMP/empty-state" plan --format markdown
cp "$TMP/out" big.md
size=$(wc -c <big.md)
[ "$size" -le 60000 ] && ok || bad "10k plan markdown is $size bytes, more than 60000"
[ "$size" -ge 50000 ] && ok || bad "10k plan markdown is only $size bytes: the limit is not used"
[ ! -e "$TMP/empty-state" ] && ok || bad "plan created the state dir"
expect_grep "^[0-9,]+ issue, .* · 10,000 devices gain access$" big.md
md_has big.md "(lambda m: m is not None and len(tables[\"$access\"]) + int(m.group(1).replace(',', '')) == $N)(re.search(r'^… and ([0-9,]+) more access changes \(not shown: the comment limit is 60000 bytes\); run \`certgate plan\` for all of them$', text, re.M))"
md_has big.md "all(r[0] == 'd%05d' % (i + 1) and r[1:3] == ['admin', 'gains'] for i, r in enumerate(tables[\"$access\"]))"
md_has big.md "re.search(r'^[0-9,]+ actions not shown \(the comment limit is 60000 bytes\); run \`certgate plan\` for all of them$', text, re.M) is not None"
md_has big.md "list(tables) == [\"$access\"] and text.endswith('\n') and not text.endswith('\n\n')"
finish
