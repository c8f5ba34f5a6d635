#include "pki/mobileconfig.h"

#include <array>
#include <cctype>

#include "base/markup.h"
#include "pki/ossl.h"
#include "pki/random.h"

namespace certgate::pki {
namespace {

constexpr size_t kBase64LineLength = 64;  // plist readers accept any whitespace inside <data>

// RFC 4648 base64 (padded) of `bytes`, in lines of kBase64LineLength characters.
std::string base64_lines(std::string_view bytes) {
  std::string out;
  constexpr size_t kChunk = kBase64LineLength / 4 * 3;  // input bytes per output line
  std::array<unsigned char, kBase64LineLength + 1> line{};
  for (size_t at = 0; at < bytes.size(); at += kChunk) {
    const std::string_view part = bytes.substr(at, kChunk);
    const int n = EVP_EncodeBlock(line.data(), reinterpret_cast<const unsigned char*>(part.data()),
                                  static_cast<int>(part.size()));
    out.append(reinterpret_cast<const char*>(line.data()), static_cast<size_t>(n));
    out += '\n';
  }
  OPENSSL_cleanse(line.data(), line.size());
  return out;
}

void add_string(std::string& out, std::string_view indent, std::string_view key,
                std::string_view value) {
  out += std::string(indent) + "<key>" + base::escape_markup(key) + "</key>\n";
  out += std::string(indent) + "<string>" + base::escape_markup(value) + "</string>\n";
}

void add_pkcs12_payload(std::string& out, const MobileconfigSpec& spec) {
  const std::string in = "\t\t\t";
  out += "\t\t<dict>\n";
  add_string(out, in, "PayloadCertificateFileName", std::string(spec.device) + ".p12");
  out += in + "<key>PayloadContent</key>\n" + in + "<data>\n";
  out += base64_lines(spec.bundle);
  out += in + "</data>\n";
  add_string(out, in, "PayloadDescription",
             "The certificate and key of " + std::string(spec.device) + ".");
  add_string(out, in, "PayloadDisplayName", spec.device);
  add_string(out, in, "PayloadIdentifier",
             profile_identifier(spec.ca_sha256, spec.device) + ".pkcs12");
  add_string(out, in, "PayloadType", "com.apple.security.pkcs12");
  add_string(out, in, "PayloadUUID", stable_uuid(spec.ca_sha256, spec.device, "pkcs12"));
  out += in + "<key>PayloadVersion</key>\n" + in + "<integer>1</integer>\n";
  out += "\t\t</dict>\n";
}

}  // namespace

Result<std::string> certificate_sha256(std::string_view pem) {
  auto cert = parse_certificate(pem, "CA certificate");
  if (!cert) return cert.error();
  unsigned char* der = nullptr;
  const int n = i2d_X509(cert->get(), &der);
  if (n <= 0) return openssl_error("i2d_X509");
  const std::string hex =
      sha256_hex(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(n)));
  OPENSSL_free(der);
  return hex;
}

std::string stable_uuid(std::string_view ca_sha256, std::string_view device,
                        std::string_view role) {
  // A NUL between the parts keeps ("ab", "c") and ("a", "bc") apart; the prefix keeps these
  // UUIDs apart from any other hash of the same names.
  std::string name = "certgate mobileconfig";
  for (std::string_view part : {ca_sha256, device, role}) {
    name += '\0';
    name += part;
  }
  std::string hex = sha256_hex(name).substr(0, 32);
  // RFC 4122 4.1.3 and 4.1.1: version 5 in the high nibble of octet 6, variant 10 in octet 8.
  hex[12] = '5';
  const int nibble = hex[16] >= 'a' ? hex[16] - 'a' + 10 : hex[16] - '0';
  hex[16] = "89ab"[nibble & 3];
  for (char& c : hex) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::string profile_identifier(std::string_view ca_sha256, std::string_view device) {
  return "certgate." + std::string(ca_sha256.substr(0, 16)) + "." + std::string(device);
}

SecretString make_mobileconfig(const MobileconfigSpec& spec) {
  CG_CHECK(!spec.bundle.empty() && !spec.ca_sha256.empty());
  const std::string device(spec.device);
  // Room for the whole profile at once: growing would leave copies of the bundle in freed memory.
  std::string out;
  out.reserve(spec.bundle.size() / 3 * 4 + spec.bundle.size() / 48 + 4096);
  out +=
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
      "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
      "<plist version=\"1.0\">\n<dict>\n"
      "\t<key>PayloadContent</key>\n\t<array>\n";
  add_pkcs12_payload(out, spec);
  out += "\t</array>\n";
  add_string(out, "\t", "PayloadDescription",
             "Installs the client certificate of " + device + ", issued by " +
                 std::string(spec.ca_common_name) +
                 ". Enter the password your administrator gave you.");
  // U+2014 EM DASH between the device and the CA.
  add_string(out, "\t", "PayloadDisplayName",
             device + " \xE2\x80\x94 " + std::string(spec.ca_common_name));
  add_string(out, "\t", "PayloadIdentifier", profile_identifier(spec.ca_sha256, spec.device));
  add_string(out, "\t", "PayloadOrganization", spec.ca_common_name);
  out += "\t<key>PayloadRemovalDisallowed</key>\n\t<false/>\n";
  add_string(out, "\t", "PayloadType", "Configuration");
  add_string(out, "\t", "PayloadUUID", stable_uuid(spec.ca_sha256, spec.device, "profile"));
  out += "\t<key>PayloadVersion</key>\n\t<integer>1</integer>\n";
  out += "</dict>\n</plist>\n";
  return SecretString(std::move(out));
}

}  // namespace certgate::pki
