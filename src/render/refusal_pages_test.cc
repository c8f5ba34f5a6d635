#include "render/refusal_pages.h"

#include <doctest/doctest.h>

namespace certgate::render {
namespace {

desired::Site site(const std::string& name) {
  desired::Site s;
  s.name = name;
  return s;
}

TEST_CASE("refusal pages: the server-level gate returns certgate's own code, sent as a 403 page") {
  const std::string out = refusal_server_part(site("nas.home"));
  CHECK(out.find("error_page 490 =403 @certgate_nas_phome_refused;\n") != std::string::npos);
  CHECK(out.find("if ($certgate_nas_phome_gate = 0) {\n  return 490;\n}\n") != std::string::npos);
  // nginx's certificate failures keep the 400 of nginx's own pages.
  CHECK(out.find("error_page 495 496 =400 @certgate_nas_phome_refused;\n") != std::string::npos);
  // One page for all: HTML whatever the default_type or the request's extension.
  CHECK(out.find("location @certgate_nas_phome_refused {\n  types { }\n  default_type "
                 "\"text/html; charset=utf-8\";\n  return 403 \"<!doctype html>") !=
        std::string::npos);
  CHECK(out.find("<p>$certgate_nas_phome_refusal</p>") != std::string::npos);
  // error_page inside a server-level `if` is refused by nginx: every error_page line is bare.
  CHECK(out.find("  error_page") == std::string::npos);
}

TEST_CASE("refusal pages: the location-level gate holds its error_page inside its if") {
  CHECK(
      refusal_location_gate(site("nas")) ==
      "if ($certgate_nas_gate = 0) {\n  error_page 403 @certgate_nas_refused;\n  return 403;\n}\n");
}

TEST_CASE("refusal pages: the sentence map tells every refusal apart") {
  const std::string map = refusal_map(site("admin"), "");
  CHECK(
      map.starts_with("map \"$ssl_client_verify:$certgate_cn\" $certgate_admin_refusal {\n"
                      "  default \"This certificate is not accepted here.\";\n"));
  CHECK(map.find("  \"NONE:\" \"A client certificate of this site's CA is required. Ask the "
                 "administrator for a certificate.\";\n") != std::string::npos);
  CHECK(map.find("  \"~^SUCCESS:.\" \"$certgate_cn is not allowed on admin.\";\n") !=
        std::string::npos);
  CHECK(map.find("\"~^FAILED:certificate revoked\" \"This certificate has been revoked.\"") !=
        std::string::npos);
  CHECK(map.find("\"~^FAILED:certificate has expired\" \"This certificate has expired.\"") !=
        std::string::npos);
  CHECK(map.find("get certificate CRL)|self.signed|certificate signature failure)\" \"This "
                 "certificate was not issued by this site's CA.\"") != std::string::npos);
  // A self-signed certificate's "unable to get certificate CRL" is matched before the CRL
  // problems of the site.
  CHECK(map.find("get certificate CRL)") < map.find("\"~^FAILED:.*CRL\""));
  CHECK(map.find("\"~^FAILED:.*CRL\" \"This site cannot check certificates at the moment.") !=
        std::string::npos);
  CHECK(map.ends_with("\n}\n"));
}

TEST_CASE("refusal pages: an enrollment URL is escaped for HTML and for an nginx string") {
  CHECK(html_escaped_url("https://a.example/.well-known/certgate/?x=1&y=%41#f") ==
        "https://a.example/.well-known/certgate/?x=1&amp;y=%41#f");
  // Quotes would end the nginx string or the attribute, '$' would name an nginx variable.
  CHECK(html_escaped_url("\"'<>$\\{}`^| ") ==
        "&#34;&#39;&#60;&#62;&#36;&#92;&#123;&#125;&#96;&#94;&#124;%20");
  CHECK(html_escaped_url("/caf\xc3\xa9\n") == "/caf%C3%A9%0A");
  const std::string map = refusal_map(site("admin"), "https://e.example/$x\"");
  CHECK(map.find("it starts with https://e.example/&#36;x&#34;e/ and installs") !=
        std::string::npos);
}

}  // namespace
}  // namespace certgate::render
