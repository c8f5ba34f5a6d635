#!/usr/bin/env bash
# The gate decides on what the upstream receives. A real nginx in front of a stock Flask backend
# that routes the raw request path (as `proxy_pass http://127.0.0.1:PORT;` forwards it): without
# a certificate, no spelling of an admin path passes as a public one (encoded dots and slashes,
# dot segments, case, path parameters), an operator's server-level `rewrite ... last` before
# certgate's include does not skip the gate, and the public paths themselves still work.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_nginx.sh"
S=$TMP/state
cd "$TMP"
NGX_NO_BACKEND=1
# The operator's own rewrite, placed before certgate's include: it runs first at server level.
NGX_SERVER_PRE='rewrite ^/legacy/(.*)$ /$1 last;'
nginx_prepare admin admin.test
python3 "$CERTGATE_SOURCE_DIR/tests/integration/backend/flask_app.py" "$NGX_BACKEND" \
  >"$TMP/flask.log" 2>&1 &
FLASK_PID=$!
trap 'kill "$FLASK_PID" 2>/dev/null; nginx_stop; cleanup' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$NGX_BACKEND/healthz" && break
  sleep 0.1
done

cat >certgate.toml <<TOML
schema = 1

[ca]
common_name = "Paths CA"

[[device]]
name = "alice"
groups = ["admins"]

[[site]]
name = "admin"
server_names = ["admin.test"]
allow_groups = ["admins"]
public_paths = ["/healthz", "/api/public/"]
probe = "https://127.0.0.1:$NGX_PORT/admin"

$(nginx_toml_section)
TOML
cg() { "$CERTGATE" --source certgate.toml --state-dir "$S" "$@"; }
nginx_start
# The first apply writes the files; nginx.conf includes them only then (the door is open until,
# and the first apply says which lines to add).
expect_exit 0 cg apply
expect_grep "^Next: nginx does not include certgate's files yet" "$TMP/out"
nginx_include_certgate

# page TARGET [CURL ARGS...]: "STATUS page=NAME" as the client sees it (page=- when the upstream
# did not answer). --request-target sends TARGET as it is (dot segments, '#'), as an attacker's
# client does.
page() {
  local path=$1; shift
  local status
  status=$(curl_status --request-target "$path" "$@")
  local name
  name=$(sed -n 's/^page=\([a-z]*\).*/\1/p' "$TMP/body")
  echo "$status page=${name:--}"
}
alice=(--cert "$S/devices/alice/cert.pem" --key "$S/devices/alice/key.pem")

# The public paths themselves, exact and prefix, with and without a query.
for p in /healthz '/healthz?full=1' /api/public/status '/api/public/a%41b' /api/public/x/y \
  '/api/public/x?next=/../admin'; do
  got=$(page "$p")
  case "$got" in 200\ page=healthz | 200\ page=public) ok ;; *) bad "public $p: $got" ;; esac
done
# The admin page without a certificate: every spelling is refused by the gate (403) before the
# upstream is asked.
for p in /admin /admin/ /admin/x \
  '/admin/..%2Fhealthz' '/admin/%2e%2e/healthz' '/admin/%2E%2E%2Fhealthz' '/admin/../healthz' \
  '/admin/..%2Fapi/public/x' '/admin/%2e%2e%2fapi/public/x' '/api/public/..%2F..%2Fadmin' \
  '/api/public/../../admin' '/api/public/%2e%2e/%2e%2e/admin' '/api/public/..%5C..%5Cadmin' \
  '/healthz/../admin' '/healthz;/../admin' '/api/public/..;/admin' '/api/public/%252e%252e/admin' \
  /HEALTHZ /Healthz '/healthz%3F' /API/public/x /legacy/admin /legacy/healthz '/legacy/..%2Fadmin' \
  '/api/public/..#' '/api/public/x/..#' '/healthz#' '/api/public/%c0%ae%c0%ae/admin' \
  '/api/public/..%20/admin' '/api/public/%zz/../admin' '/api/public/%2' '//healthz'; do
  got=$(page "$p")
  case "$got" in
    403\ page=- | 400\ page=-) ok ;;  # 400: nginx itself refuses a malformed encoding
    *) bad "no certificate, $p: $got (want 403 before the upstream)" ;;
  esac
done
# alice reaches the admin pages, directly and through the operator's rewrite.
for p in /admin /admin/x /legacy/admin; do
  got=$(page "$p" "${alice[@]}")
  [ "$got" = "200 page=admin" ] && ok || bad "alice, $p: $got"
done
# verify finds the doors closed, including the ambiguous spellings of each public path.
expect_exit 0 cg verify
expect_grep '^All doors closed' "$TMP/out"
expect_grep '^  public path spelling +refused \(403\)' "$TMP/out"
# ...and says so when a gate decides on nginx's normalised $uri (the files before this fix,
# edited back by hand here): the gated path spelled to look public reaches the upstream.
sed -i 's/^map \$request_uri \$certgate_admin_public/map $uri $certgate_admin_public/; /never public/d' \
  "$CG_DIR/http.conf"
ngx -s reload
nginx_settle
expect_exit 1 cg verify
expect_grep '^OPEN DOOR: admin: public path spelling gets in \(HTTP 200' "$TMP/out"
expect_exit 0 cg apply  # heals the hand edit
expect_exit 0 cg verify
finish
