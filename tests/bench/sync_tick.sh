#!/usr/bin/env bash
# certgate sync ticks on a git repository with N devices (default 10,000) and C commits of
# history (default 1,000), deploying to a real nginx on 127.0.0.1 (temp prefix, stopped by pid):
#
#   (1) a tick with nothing new: wall time and peak RSS, median of 5 (target < 100 ms), with the
#       run cache (also with --metrics-file) and without it
#   (2) a tick after a one-device commit: wall time from `certgate sync` starting to nginx
#       having reloaded (sync returns after the reload), split by phase from -v timings
#
# Usage: tests/bench/sync_tick.sh   (env: N, COMMITS, CERTGATE, BENCH_KEEP=1)
set -euo pipefail
N=${N:-10000}
COMMITS=${COMMITS:-1000}
BENCH_NAME=sync
source "$(dirname "${BASH_SOURCE[0]}")/lib_nginx_bench.sh"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com GIT_COMMITTER_NAME=bench \
  GIT_COMMITTER_EMAIL=bench@example.com
write_conf() {  # write_conf 0|1
  local inc_http="" inc_site=""
  [ "$1" = 1 ] && inc_http="include $NGX/certgate/http.conf;" && inc_site="include $NGX/certgate/sites/admin.conf;"
  cat >"$NGX/nginx.conf" <<CONF
worker_processes 1; pid $NGX/nginx.pid; events {}
http { access_log off; client_body_temp_path $NGX/tmp/b; proxy_temp_path $NGX/tmp/p;
  fastcgi_temp_path $NGX/tmp/f; uwsgi_temp_path $NGX/tmp/u; scgi_temp_path $NGX/tmp/s;
  $inc_http
  server { listen 127.0.0.1:$port ssl; server_name admin.test;
    ssl_certificate $NGX/server.crt; ssl_certificate_key $NGX/server.key;
    $inc_site
    location / { return 200; } } }
CONF
}

echo "== setup: $N devices, $COMMITS commits, nginx on 127.0.0.1:$port"
git init -q -b main "$W/repo"
{
  printf 'schema = 1\n\n[ca]\ncommon_name = "Bench CA"\n\n'
  printf '[[site]]\nname = "admin"\nserver_names = ["admin.test"]\nallow_groups = ["staff"]\n\n'
  printf '[nginx]\ndir = "%s"\ntest = "%s -t"\nreload = "%s -s reload"\n\n' "$NGX/certgate" "$ngxcmd" "$ngxcmd"
  for i in $(seq -f '%05g' 1 "$N"); do printf '[[device]]\nname = "d%s"\ngroups = ["staff"]\n\n' "$i"; done
} >"$W/repo/certgate.toml"
git -C "$W/repo" add -A
git -C "$W/repo" commit -qm "devices"
# History: commits that touch a notes file, so the tip is $COMMITS commits deep.
for i in $(seq 2 "$COMMITS"); do
  echo "$i" >"$W/repo/NOTES"
  git -C "$W/repo" add NOTES
  git -C "$W/repo" commit -qm "note $i"
done
echo "history: $(git -C "$W/repo" rev-list --count HEAD) commits"
write_conf 0
start_nginx
cg() { "$CERTGATE" --state-dir "$W/state" --source "$W/repo" "$@"; }
t=$(now_ms); cg sync >/dev/null 2>"$W/first.err"; echo "first sync (CA + $N devices): $(($(now_ms) - t)) ms"
write_conf 1
$ngxcmd -s reload

echo "== (1) a tick with nothing new (cached: the run cache answers; uncached: CERTGATE_NO_CACHE=1)"
no_changes() { grep -q '^No changes' "$1"; }
no_change_runs "tick, cached" no_changes "$CERTGATE" --state-dir "$W/state" --source "$W/repo" sync
no_change_runs "tick, cached, with --metrics-file" no_changes "$CERTGATE" --state-dir "$W/state" \
  --source "$W/repo" sync --metrics-file "$W/certgate.prom"
no_change_runs "tick, uncached" no_changes env CERTGATE_NO_CACHE=1 "$CERTGATE" \
  --state-dir "$W/state" --source "$W/repo" sync

echo "== (2) a tick after a one-device commit, to the nginx reload"
printf '\n[[device]]\nname = "newcomer"\ngroups = ["staff"]\n' >>"$W/repo/certgate.toml"
git -C "$W/repo" commit -qam "newcomer"
t=$(now_ms); cg -v sync >"$W/one.out" 2>"$W/one.err"; total=$(($(now_ms) - t))
grep -q 'Apply complete: 1 issued' "$W/one.out" || { echo "newcomer not issued" >&2; exit 1; }
grep -E 'timing' "$W/one.err" | sed 's/^.*timing /  /'
echo "one-device commit -> reloaded: $total ms"
