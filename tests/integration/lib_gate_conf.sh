# The nginx.conf of a test host whose admin.test site is gated by certgate's files: a backend on
# 127.0.0.1:BACKEND that echoes LABEL and the device header it gets, and the TLS site on
# 127.0.0.1:HTTPS proxying to it. Shared by lib_hosts.sh (push hosts) and pull_fleet.sh (edges).
#
#   gate_nginx_conf DIR CGDIR HTTPS BACKEND LABEL INCLUDE(0|1) [EXTRA HTTP LINES] > DIR/nginx.conf
#   (DIR holds tmp/ and nginx.pid; CGDIR is certgate's dir; $TMP/server.{crt,key} serve TLS)
gate_nginx_conf() {
  local d=$1 cg=$2 https=$3 backend=$4 label=$5 with=$6 extra=${7:-}
  local http_inc="" site_inc="" proxy_inc=""
  if [ "$with" = 1 ]; then
    http_inc="include $cg/http.conf;"
    site_inc="include $cg/sites/admin.conf;"
    proxy_inc="include $cg/sites/admin.proxy.conf;"
  fi
  cat <<CONF
worker_processes 1;
pid $d/nginx.pid;
events { worker_connections 64; }
http {
  $http_inc
  $extra
  access_log off;
  client_body_temp_path $d/tmp/body;
  proxy_temp_path $d/tmp/proxy;
  fastcgi_temp_path $d/tmp/fastcgi;
  uwsgi_temp_path $d/tmp/uwsgi;
  scgi_temp_path $d/tmp/scgi;
  server {
    listen 127.0.0.1:$backend;
    location / { return 200 "$label device=\$http_x_client_device\n"; }
  }
  server {
    listen 127.0.0.1:$https ssl;
    server_name admin.test;
    ssl_certificate $TMP/server.crt;
    ssl_certificate_key $TMP/server.key;
    $site_inc
    location / {
      $proxy_inc
      proxy_pass http://127.0.0.1:$backend;
    }
  }
}
CONF
}
