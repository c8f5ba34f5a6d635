# A real nginx for integration tests, from a temp prefix on 127.0.0.1 (DESIGN.md section 6):
# its own server certificate, free ports, a backend that echoes the X-Client-* headers it gets,
# and the site's server{} including certgate's files. Sourced after lib.sh; stops nginx by pid.
#
#   nginx_prepare SITE SERVER_NAME   writes $NGX/nginx.conf (not yet including certgate's files)
#   nginx_start / nginx_include_certgate / nginx_stop
#   nginx_toml_section               the [nginx] table pointing certgate at this nginx
#   NGX, NGX_PORT, NGX_BACKEND, CG_DIR
NGX=$TMP/nginx
CG_DIR=$NGX/certgate
mkdir -p "$NGX/tmp"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
NGX_PORT=$(free_port)
NGX_BACKEND=$(free_port)

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -subj "/CN=localhost" -keyout "$NGX/server.key" -out "$NGX/server.crt" 2>/dev/null

ngx() { nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/error.log" "$@"; }

nginx_toml_section() {
  cat <<TOML
[nginx]
dir = "$CG_DIR"
test = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -t"
reload = "nginx -p $NGX -c $NGX/nginx.conf -e $NGX/error.log -s reload"
TOML
}

# The echo backend: an nginx server{} on $NGX_BACKEND, unless another backend (flask_start)
# listens there.
nginx_backend_server() {
  [ -n "${NGX_NO_BACKEND:-}" ] && return
  echo "server { listen 127.0.0.1:$NGX_BACKEND; location / {"
  cat <<'SERVER'
      return 200 "device=$http_x_client_device groups=$http_x_client_groups serial=$http_x_client_serial verify=$http_x_client_verify\n";
    } }
SERVER
}

# nginx_write_conf INCLUDE(0|1): the whole config; with 1, the gated server{} includes certgate.
# Extra server{} blocks may be added through $NGX_EXTRA_SERVERS, directives placed in the
# gated server{} before certgate's include through $NGX_SERVER_PRE (an operator's rewrite), and
# directives at the top of http{} through $NGX_HTTP_PRE (Debian's stock `include mime.types;
# default_type application/octet-stream;`).
nginx_write_conf() {
  local with=$1 site_inc="" proxy_inc="" http_inc="" logfmt=""
  if [ "$with" = 1 ]; then
    http_inc="include $CG_DIR/http.conf;"
    site_inc="include $CG_DIR/sites/$NGX_SITE.conf;"
    proxy_inc="include $CG_DIR/sites/$NGX_SITE.proxy.conf;"
    logfmt=certgate
  fi
  cat >"$NGX/nginx.conf" <<CONF
worker_processes 1;
pid $NGX/nginx.pid;
events { worker_connections 256; }
http {
  ${NGX_HTTP_PRE:-}
  $http_inc
  access_log $NGX/access.log $logfmt;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  # As many configs have it: a header of the operator's own at http level (HSTS, say), which
  # certgate's includes must not make the gated server lose.
  add_header X-Operator-Header kept always;
  # As most configs have it: a shared session cache at http level.
  ssl_session_cache shared:SSL:1m;
  $(nginx_backend_server)
  server {
    listen 127.0.0.1:$NGX_PORT ssl;
    server_name $NGX_SERVER_NAME;
    ssl_certificate $NGX/server.crt;
    ssl_certificate_key $NGX/server.key;
    ${NGX_SERVER_PRE:-}
    $site_inc
    location / {
      $proxy_inc
      proxy_pass http://127.0.0.1:$NGX_BACKEND;
    }
  }
  ${NGX_EXTRA_SERVERS:-}
}
CONF
}

nginx_prepare() { NGX_SITE=$1; NGX_SERVER_NAME=$2; nginx_write_conf 0; }

nginx_start() {
  ngx 2>>"$NGX/start.err" || { cat "$NGX/start.err" "$NGX/error.log" >&2 2>/dev/null; return 1; }
  for _ in $(seq 50); do [ -s "$NGX/nginx.pid" ] && break; sleep 0.1; done
  NGX_PID=$(cat "$NGX/nginx.pid")
}

# Switches the running nginx to the config that includes certgate's files, and waits until the
# new workers answer (the old ones keep serving the old config for a moment after the signal).
nginx_include_certgate() {
  nginx_write_conf 1
  ngx -s reload
  nginx_settle
}

# Waits for a reload to take effect: the master starts new workers and retires the old ones.
nginx_settle() { sleep 0.5; }

nginx_stop() {
  if [ -n "${NGX_PID:-}" ] && kill -0 "$NGX_PID" 2>/dev/null; then
    kill "$NGX_PID"
    for _ in $(seq 50); do kill -0 "$NGX_PID" 2>/dev/null || break; sleep 0.1; done
  fi
}

# curl_status [CURL ARGS...]: the HTTP status of https://SERVER_NAME:PORT/PATH via 127.0.0.1.
# PATH comes from $CURL_PATH (default /). 000 when the TLS handshake or connection failed.
curl_status() {
  curl -sk -o "$TMP/body" -w '%{http_code}' --max-time 10 \
    --resolve "$NGX_SERVER_NAME:$NGX_PORT:127.0.0.1" "$@" \
    "https://$NGX_SERVER_NAME:$NGX_PORT${CURL_PATH:-/}" || true
}

trap 'nginx_stop; cleanup' EXIT
