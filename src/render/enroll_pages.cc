#include "render/enroll_pages.h"

#include "base/markup.h"

namespace certgate::render {
namespace {

constexpr std::string_view kHead =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<meta name=\"robots\" content=\"noindex\">\n"
    "<meta name=\"referrer\" content=\"no-referrer\">\n";

// Inline only: the pages load nothing from elsewhere.
constexpr std::string_view kStyle =
    "<style>\n"
    "body{font-family:system-ui,sans-serif;max-width:34em;margin:0 auto;padding:1em;"
    "line-height:1.45;color:#222;background:#fff}\n"
    "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}\n"
    "a.button{display:block;text-align:center;padding:.8em;margin:.6em 0;border-radius:.5em;"
    "background:#0b5cad;color:#fff;text-decoration:none;font-weight:600}\n"
    "small{color:#555}\n"
    "</style>\n";

std::string head(std::string_view title) {
  return std::string(kHead) + "<title>" + base::escape_markup(title) + "</title>\n" +
         std::string(kStyle) + "</head>\n<body>\n";
}

std::string utc_time(base::Instant t) {
  std::string s = base::format_rfc3339(t);  // "2026-12-15T00:00:00Z"
  return s.substr(0, 10) + " " + s.substr(11, 5) + " UTC";
}

}  // namespace

std::optional<std::string> enroll_authority(const desired::Site& site) {
  for (const std::string& name : site.server_names) {
    if (name.starts_with("*.")) continue;
    if (site.probe && site.probe->port != 443) return name + ":" + std::to_string(site.probe->port);
    return name;
  }
  return std::nullopt;
}

std::string enroll_base_url(const desired::Site& site, const desired::Enroll& enroll) {
  const std::optional<std::string> authority = enroll_authority(site);
  CG_CHECK(authority.has_value());
  return "https://" + *authority + enroll.path;
}

std::string enroll_link_url(const desired::Site& site, const desired::Enroll& enroll,
                            std::string_view token) {
  return enroll_base_url(site, enroll) + "e/" + std::string(token) + "/";
}

std::string enroll_page(const EnrollPage& page) {
  const std::string device = base::escape_markup(page.device);
  const std::string ca = base::escape_markup(page.ca_common_name);
  std::string out = head("Certificate for " + std::string(page.device));
  out += "<h1>Certificate for " + device + "</h1>\n";
  out += "<p>This page installs the certificate of <b>" + device + "</b>, issued by " + ca +
         ". You need the password your administrator told you; it is not on this page.</p>\n";
  out +=
      "<h2>iPhone, iPad or Mac</h2>\n"
      "<a class=\"button\" href=\"bundle.mobileconfig\">Download the profile</a>\n"
      "<p>Then open <b>Settings &gt; Profile Downloaded &gt; Install</b> (on a Mac: <b>System "
      "Settings &gt; Privacy &amp; Security &gt; Profiles</b>) and enter the password.</p>\n"
      "<h2>Android</h2>\n"
      "<a class=\"button\" href=\"bundle.p12\">Download the certificate</a>\n"
      "<p>Then open <b>Settings &gt; Security &gt; Encryption &amp; credentials &gt; Install a "
      "certificate &gt; VPN &amp; app user certificate</b>, choose the downloaded "
      "<code>bundle.p12</code> and enter the password.</p>\n"
      "<h2>Windows, Linux or another computer</h2>\n"
      "<a class=\"button\" href=\"bundle.p12\">Download the certificate</a>\n"
      "<p>Open the file (Windows) or import it into your browser's certificates (Firefox: "
      "<b>Settings &gt; Privacy &amp; Security &gt; View Certificates &gt; Your Certificates "
      "&gt; Import</b>), and enter the password.</p>\n";
  out += "<h2>Afterwards</h2>\n<p><small>This link works until " + utc_time(page.expires_at) +
         ", and only for " + device +
         ". Renewed certificates are fetched later with the installed one: "
         "<a href=\"../../bundle.mobileconfig\">profile</a> or "
         "<a href=\"../../bundle.p12\">bundle.p12</a>.</small></p>\n";
  out += "</body>\n</html>\n";
  return out;
}

std::string dead_link_page() {
  std::string out = head("Enrollment link not valid");
  out +=
      "<h1>This link no longer works</h1>\n"
      "<p>This enrollment link has expired or was cancelled. Ask your administrator for a new "
      "one.</p>\n"
      "</body>\n</html>\n";
  return out;
}

}  // namespace certgate::render
