#include "render/pickup_conf.h"

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

// One exact location serving DIR/pickup/FILE: `types { }` so the request's extension picks no
// type, and try_files so that a missing file is a plain 404.
std::string file_location(const std::string& uri, const std::string& dir, const char* type,
                          const std::string& file) {
  return "location = " + uri + " {\n  root " + dir + "/" + kPickupDir +
         ";\n  types { }\n  default_type \"" + type + "\";\n  try_files /" + file + " =404;\n}\n";
}

}  // namespace

bool is_enroll_site(const desired::DesiredState& desired, const desired::Site& site) {
  return desired.enroll && desired.enroll->site == site.name;
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
         "e/[0-9a-f]{32,128}/(bundle\\.p12|bundle\\.mobileconfig)?$\" 1;  # enrollment links\n";
}

std::string pickup_locations(const desired::Enroll& enroll, const std::string& dir,
                             const std::string& dead_link_page) {
  std::string out =
      "# Pickup ([enroll]): the newest certificate and bundle of the device whose certificate "
      "is\n# presented, chosen by its serial ($certgate_device), whatever the allowlists.\n";
  for (const Served& s : kPickup)
    out += file_location(enroll.path + s.name, dir, s.type,
                         std::string("$certgate_device") + s.suffix);
  out += "# First-enrollment links: the open ones in links.conf, any other is dead.\n";
  out += "location ^~ " + enroll.path +
         "e/ {\n  types { }\n  default_type \"text/html; charset=utf-8\";\n  return 404 " +
         nginx_quoted(dead_link_page) + ";\n}\n";
  out += "include " + dir + "/" + kLinksConf + ";\n";
  return out;
}

std::string links_conf(const desired::Enroll& enroll, const std::string& dir,
                       const std::vector<EnrollLinkRef>& links, const std::string& header) {
  std::string out = header;
  for (const EnrollLinkRef& link : links) {
    const std::string base = enroll.path + "e/" + link.token + "/";
    out += "# " + link.device + "\n";
    out += file_location(base, dir, "text/html; charset=utf-8", link.device + ".html");
    out += file_location(base + "bundle.p12", dir, "application/x-pkcs12", link.device + ".p12");
    out += file_location(base + "bundle.mobileconfig", dir, "application/x-apple-aspen-config",
                         link.device + ".mobileconfig");
  }
  return out;
}

}  // namespace certgate::render
