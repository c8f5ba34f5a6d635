#include "render/enroll_pages.h"

#include <doctest/doctest.h>

namespace certgate::render {
namespace {

using namespace std::chrono;

const base::Instant kExpires = sys_days{2026y / November / 24} + 12h + 30min;

desired::Site site(std::vector<std::string> names, int probe_port = 443) {
  desired::Site s;
  s.name = "admin";
  s.server_names = std::move(names);
  if (probe_port != 0) s.probe = desired::Probe{"", "127.0.0.1", probe_port, "/"};
  return s;
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("enroll pages: links use the first plain server name and a non-443 probe port") {
  const desired::Enroll enroll;  // path /.well-known/certgate/
  const std::string token(40, 'a');
  CHECK(enroll_link_url(site({"admin.example.com", "b.example.com"}), enroll, token) ==
        "https://admin.example.com/.well-known/certgate/e/" + token + "/");
  CHECK(enroll_base_url(site({"*.example.com", "admin.example.com"}), enroll) ==
        "https://admin.example.com/.well-known/certgate/");
  CHECK(enroll_base_url(site({"admin.example.com"}, 8443), enroll) ==
        "https://admin.example.com:8443/.well-known/certgate/");
  CHECK(enroll_base_url(site({"admin.example.com"}, 0), enroll) ==
        "https://admin.example.com/.well-known/certgate/");
  CHECK_FALSE(enroll_authority(site({"*.example.com"})));
  CHECK_FALSE(enroll_authority(site({})));
}

TEST_CASE("enroll pages: the page tells each platform what to tap, with relative links") {
  const std::string page = enroll_page({"alice-phone", "Example Admin CA", kExpires});
  CHECK(page.starts_with("<!DOCTYPE html>\n"));
  CHECK(has(page, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
  CHECK(has(page, "<meta charset=\"utf-8\">"));
  CHECK(has(page, "<h1>Certificate for alice-phone</h1>"));
  CHECK(has(page, "issued by Example Admin CA"));
  CHECK(has(page, "href=\"bundle.mobileconfig\""));
  CHECK(has(page, "href=\"bundle.p12\""));
  CHECK(has(page, "Profile Downloaded &gt; Install"));
  CHECK(has(page, "VPN &amp; app user certificate"));
  CHECK(has(page, "until 2026-11-24 12:30 UTC"));
  CHECK(has(page, "href=\"../../bundle.mobileconfig\""));
  CHECK(page.ends_with("</html>\n"));
}

TEST_CASE("enroll pages: nothing is loaded from elsewhere and every link is relative") {
  for (const std::string& page :
       {enroll_page({"alice-phone", "Example Admin CA", kExpires}), dead_link_page()}) {
    CHECK_FALSE(has(page, "http://"));
    CHECK_FALSE(has(page, "https://"));
    CHECK_FALSE(has(page, "<script"));
    CHECK_FALSE(has(page, "<img"));
    CHECK_FALSE(has(page, "<link"));
    CHECK_FALSE(has(page, "src="));
    CHECK(page.size() < 4096);
  }
}

TEST_CASE("enroll pages: device and CA names are HTML-escaped") {
  const std::string page = enroll_page({"a<b", "Evil & <script>\"CA\"</script>", kExpires});
  CHECK_FALSE(has(page, "<script>"));
  CHECK(has(page, "Evil &amp; &lt;script&gt;&quot;CA&quot;&lt;/script&gt;"));
  CHECK(has(page, "<title>Certificate for a&lt;b</title>"));
}

TEST_CASE("enroll pages: the dead-link page says what happened and names nothing") {
  const std::string page = dead_link_page();
  CHECK(has(page, "expired or was cancelled"));
  CHECK(has(page, "Ask your administrator for a new one"));
  CHECK(has(page, "<meta name=\"viewport\""));
  CHECK_FALSE(has(page, "bundle"));
}

}  // namespace certgate::render
