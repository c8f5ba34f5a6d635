#include "render/pickup_conf.h"

#include <algorithm>
#include <string_view>

#include "base/result.h"

namespace certgate::render {

namespace {

// `text` as part of a regex: the enroll path holds only letters, digits and ._~/- (desired/).
std::string regex_escaped(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '.') out += '\\';
    out += c;
  }
  return out;
}

// `text` inside a double-quoted nginx string: quotes and backslashes escaped. A '$' would start
// a variable there; the pages certgate renders hold none.
std::string nginx_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    CG_CHECK(c != '$');
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

constexpr const char* kNoFilePage =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><meta name=\"viewport\" "
    "content=\"width=device-width, initial-scale=1\"><title>Nothing here</title></head>\n<body>"
    "<h1>Nothing to download here</h1><p>This device has no such file. Ask the administrator."
    "</p></body>\n</html>\n";

struct Served {
  const char* name;  // under {path}
  const char* type;  // the Content-Type nginx sends
  const char* suffix;
};

// What a device fetches, as the URL names it, and the file of DIR/pickup it is.
constexpr Served kPickup[] = {
    {"bundle.p12", "application/x-pkcs12", ".p12"},
    {"bundle.mobileconfig", "application/x-apple-aspen-config", ".mobileconfig"},
    {"cert.pem", "application/x-pem-file", ".pem"},
};

// Where a pickup or link location's refusals end: a page of its own. Never the server's
// error_page lines: the gate let this raw path in, and $request_uri (what the gate decides on)
// stays the same through an internal redirect, so an operator's `error_page 404 = @app` would
// hand the request to the upstream past the allowlist.
std::string no_file_location(const std::string& id) { return "@certgate_" + id + "_no_file"; }

// One exact location serving DIR/pickup/FILE: `types { }` so the request's extension picks no
// type, and a missing or unreadable file (404, 403) or a method the static module refuses (405)
// answered by no_file_location. `access_log off` where the URI holds a link's token.
std::string file_location(const std::string& id, const std::string& uri, const std::string& dir,
                          const char* type, const std::string& file, bool holds_token) {
  return "location = " + uri + " {\n  root " + dir + "/" + kPickupDir +
         ";\n  types { }\n  default_type \"" + type + "\";\n" +
         (holds_token ? "  access_log off;\n" : "") +
         "  error_page 403 404 405 = " + no_file_location(id) + ";\n  try_files /" + file +
         " =404;\n}\n";
}

}  // namespace

bool is_enroll_site(const desired::DesiredState& desired, const desired::Site& site) {
  return desired.enroll && desired.enroll->site == site.name;
}

bool serves_enroll(const desired::DesiredState& desired, const std::vector<std::string>& sites) {
  return desired.enroll &&
         std::find(sites.begin(), sites.end(), desired.enroll->site) != sites.end();
}

std::string pickup_map(const std::string& id, const desired::Enroll& enroll) {
  // Device names are [a-z0-9][a-z0-9._-]*; $certgate_device is empty for any other certificate
  // and for none. The raw path must be exactly one of the three: no query, no other spelling.
  return "map \"$certgate_device:$request_uri\" $certgate_" + id +
         "_pickup {\n  default 0;\n  \"~^[a-z0-9][a-z0-9._-]*:" + regex_escaped(enroll.path) +
         "(bundle\\.p12|bundle\\.mobileconfig|cert\\.pem)$\" 1;  # pickup ([enroll])\n}\n";
}

std::string enroll_public_entry(const desired::Enroll& enroll) {
  return "  \"~^" + regex_escaped(enroll.path) +
         "e/[0-9a-f]{32,128}/(bundle\\.p12|bundle\\.mobileconfig)?(\\?|$)\" 1;  # enrollment "
         "links\n";
}

std::string pickup_locations(const std::string& id, const desired::Enroll& enroll,
                             const std::string& dir, const std::string& dead_link_page) {
  std::string out =
      "# Pickup ([enroll]): the newest certificate and bundle of the device whose certificate "
      "is\n# presented, chosen by its serial ($certgate_device), whatever the allowlists.\n";
  for (const Served& s : kPickup)
    out += file_location(id, enroll.path + s.name, dir, s.type,
                         std::string("$certgate_device") + s.suffix, false);
  // `return` with a text sends it as it is: no error_page applies.
  out += "location " + no_file_location(id) +
         " {\n  types { }\n  default_type \"text/html; charset=utf-8\";\n  return 404 " +
         nginx_quoted(kNoFilePage) + ";\n}\n";
  out += "# First-enrollment links: the open ones in links.conf, any other is dead.\n";
  out += "location ^~ " + enroll.path +
         "e/ {\n  types { }\n  default_type \"text/html; charset=utf-8\";\n  access_log off;\n" +
         "  return 404 " + nginx_quoted(dead_link_page) + ";\n}\n";
  out += "include " + dir + "/" + kLinksConf + ";\n";
  return out;
}

std::string links_conf(const std::string& id, const desired::Enroll& enroll, const std::string& dir,
                       const std::vector<EnrollLinkRef>& links, const std::string& header) {
  std::string out = header;
  for (const EnrollLinkRef& link : links) {
    const std::string base = enroll.path + "e/" + link.token + "/";
    out += "# " + link.device + "\n";
    out += file_location(id, base, dir, "text/html; charset=utf-8", link.device + ".html", true);
    out += file_location(id, base + "bundle.p12", dir, "application/x-pkcs12", link.device + ".p12",
                         true);
    out += file_location(id, base + "bundle.mobileconfig", dir, "application/x-apple-aspen-config",
                         link.device + ".mobileconfig", true);
  }
  return out;
}

std::string without_links(std::string_view links_conf, const std::set<std::string>& open) {
  std::string out;
  bool skipping = false;
  size_t pos = 0;
  while (pos < links_conf.size()) {
    size_t end = links_conf.find('\n', pos);
    end = end == std::string_view::npos ? links_conf.size() : end + 1;
    const std::string_view line = links_conf.substr(pos, end - pos);
    pos = end;
    // "location = {path}e/TOKEN/... {" opens a link's block; "}" closes it (links_conf above).
    const size_t e = line.find("/e/");
    if (!skipping && line.starts_with("location = ") && e != std::string_view::npos) {
      const size_t slash = line.find('/', e + 3);
      skipping = slash == std::string_view::npos ||
                 !open.contains(std::string(line.substr(e + 3, slash - e - 3)));
    }
    if (!skipping) out.append(line);
    if (skipping && line.starts_with("}")) skipping = false;
  }
  return out;
}

}  // namespace certgate::render
