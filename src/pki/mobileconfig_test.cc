#include "pki/mobileconfig.h"

#include <doctest/doctest.h>

#include <regex>

#include "pki/ca.h"
#include "pki/ossl.h"

namespace certgate::pki {
namespace {

using namespace std::chrono;

const std::string kCaSha = std::string(64, 'a');
const std::string kBundle("\x30\x82\x00\x01 binary \xff\x00 bytes of a bundle", 33);

std::string profile(std::string_view device, std::string_view ca_name,
                    std::string_view ca_sha = kCaSha, std::string_view bundle = kBundle) {
  return make_mobileconfig({device, ca_name, ca_sha, bundle}).reveal();
}

// The text between the first `open` after `from` and the next `close`.
std::string between(const std::string& text, const std::string& from, const std::string& open,
                    const std::string& close) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  const size_t start = text.find(open, at) + open.size();
  return text.substr(start, text.find(close, start) - start);
}

}  // namespace

TEST_CASE("mobileconfig: a Configuration profile with one pkcs12 payload and no password") {
  const std::string p = profile("alice-phone", "Example Admin CA");
  CHECK(p.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist"));
  CHECK(p.ends_with("</dict>\n</plist>\n"));
  CHECK(p.find("<key>PayloadType</key>\n\t<string>Configuration</string>") != std::string::npos);
  CHECK(p.find("<string>com.apple.security.pkcs12</string>") != std::string::npos);
  CHECK(p.find("<key>PayloadRemovalDisallowed</key>\n\t<false/>") != std::string::npos);
  CHECK(p.find("<string>alice-phone \xE2\x80\x94 Example Admin CA</string>") != std::string::npos);
  CHECK(p.find("Password") == std::string::npos);
  CHECK(p.find("<string>alice-phone.p12</string>") != std::string::npos);
}

TEST_CASE("mobileconfig: the payload content is the bundle as base64 data") {
  std::string bundle(1000, '\0');
  for (size_t i = 0; i < bundle.size(); ++i) bundle[i] = static_cast<char>(i * 7);
  const std::string p = profile("alice-phone", "CA", kCaSha, bundle);
  const std::string data = between(p, "<array>", "<data>\n", "\t\t\t</data>");
  std::string joined;
  for (char c : data)
    if (c != '\n') joined += c;
  CHECK(base64_decode(joined) == bundle);
  for (size_t line = 0, at = 0; at < data.size(); at = line + 1) {
    line = data.find('\n', at);
    CHECK(line - at <= 64);
  }
}

TEST_CASE("mobileconfig: identifiers and UUIDs are stable per CA and device") {
  const std::string a = profile("alice-phone", "Example Admin CA");
  const std::string renewed =
      profile("alice-phone", "Example Admin CA", kCaSha, "another bundle after renewal");
  const auto ids = [](const std::string& p) {
    return between(p, "</array>", "<key>PayloadIdentifier</key>\n\t<string>", "<") + " " +
           between(p, "</array>", "<key>PayloadUUID</key>\n\t<string>", "<") + " " +
           between(p, "com.apple.security.pkcs12", "<key>PayloadUUID</key>\n\t\t\t<string>", "<");
  };
  CHECK(ids(a) == ids(renewed));
  CHECK(ids(a).starts_with("certgate.aaaaaaaaaaaaaaaa.alice-phone "));
  CHECK(ids(a) != ids(profile("bob-phone", "Example Admin CA")));
  CHECK(ids(a) != ids(profile("alice-phone", "Example Admin CA", std::string(64, 'b'))));
}

TEST_CASE("mobileconfig: stable UUIDs are RFC 4122 version 5 with the RFC variant") {
  const std::regex form("[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");
  for (const char* device : {"alice-phone", "bob-laptop", "c", "d.e_f-g"}) {
    for (const char* role : {"profile", "pkcs12"})
      CHECK(std::regex_match(stable_uuid(kCaSha, device, role), form));
  }
  CHECK(stable_uuid(kCaSha, "alice-phone", "profile") ==
        stable_uuid(kCaSha, "alice-phone", "profile"));
  CHECK(stable_uuid(kCaSha, "alice-phone", "profile") !=
        stable_uuid(kCaSha, "alice-phone", "pkcs12"));
  CHECK(stable_uuid("ab", "c", "profile") != stable_uuid("a", "bc", "profile"));
}

TEST_CASE("mobileconfig: every string is XML-escaped") {
  const std::string p = profile("alice-phone", "Evil <CA> & \"Co\"");
  CHECK(p.find("<CA>") == std::string::npos);
  CHECK(p.find("Evil &lt;CA&gt; &amp; &quot;Co&quot;") != std::string::npos);
}

TEST_CASE("mobileconfig: the CA fingerprint is the SHA-256 of its DER form") {
  const base::Instant now = sys_days{2026y / November / 23};
  auto ca = create_ca({"Test CA", "", "", ""}, base::KeyType::ec_p256, now, now + days{3650});
  REQUIRE(ca);
  auto sha = certificate_sha256(ca->cert_pem);
  REQUIRE(sha);
  CHECK(std::regex_match(*sha, std::regex("[0-9a-f]{64}")));
  // PEM whitespace around the block changes nothing: the DER is hashed.
  CHECK(certificate_sha256("\n" + ca->cert_pem + "\n").value() == *sha);
  auto other = create_ca({"Test CA", "", "", ""}, base::KeyType::ec_p256, now, now + days{3650});
  REQUIRE(other);
  CHECK(certificate_sha256(other->cert_pem).value() != *sha);
  CHECK(certificate_sha256("not a certificate").error().code == Errc::invalid);
}

}  // namespace certgate::pki
