#include "render/include_lines.h"

namespace certgate::render {

std::string site_include_lines(const desired::Site& site, const std::string& dir) {
  std::string names;
  for (const std::string& n : site.server_names) names += " " + n;
  return "    server {\n"
         "        listen 443 ssl;\n"
         "        server_name" +
         names +
         ";\n"
         "        ssl_certificate ...; ssl_certificate_key ...;   # your own server certificate\n"
         "        include " +
         dir + "/sites/" + site.name +
         ".conf;\n"
         "        location / {\n"
         "            include " +
         dir + "/sites/" + site.name +
         ".proxy.conf;   # in every location{} of this server\n"
         "            proxy_pass http://127.0.0.1:8080;          # your upstream, no URI part\n"
         "        }\n"
         "    }\n";
}

std::string include_lines(const desired::DesiredState& state) {
  const std::string& dir = state.nginx.dir;
  std::string out =
      "# certgate's files in nginx: add these lines to your nginx config once.\n"
      "# They exist after the first `certgate apply`, which may run while nginx is stopped:\n"
      "# run it first, then add the lines, then start nginx (or `nginx -t && nginx -s reload`).\n"
      "# Debian and Ubuntu: /etc/nginx/nginx.conf's http{} reads /etc/nginx/conf.d/*.conf and\n"
      "# /etc/nginx/sites-enabled/*: put the http.conf line in conf.d/certgate.conf and each\n"
      "# server{} in sites-enabled/.\n"
      "http {\n"
      "    include " +
      dir + "/http.conf;   # maps, log_format certgate, hash sizes\n";
  for (const desired::Site& site : state.sites) {
    out += "\n    # site " + site.name + "\n";
    out += site_include_lines(site, dir);
  }
  out += "}\n";
  for (const desired::Host& h : state.hosts)
    if (h.nginx.dir != dir)
      out +=
          "# on host " + h.name + " the files are in " + h.nginx.dir + " instead of " + dir + "\n";
  return out;
}

}  // namespace certgate::render
