#include "render/refusal_pages.h"

#include "render/nginx_files.h"

namespace certgate::render {

namespace {

std::string refused_location(const std::string& id) { return "@certgate_" + id + "_refused"; }

std::string no_certificate_sentence(const std::string& enroll_url) {
  std::string out = "A client certificate of this site's CA is required. ";
  if (enroll_url.empty()) return out + "Ask the administrator for a certificate.";
  const std::string url = html_escaped_url(enroll_url);
  // Not a link: without a certificate that address refuses too. Knowing how a real enrollment
  // link starts helps the owner tell it from a phishing one.
  return out + "Ask the administrator for an enrollment link: it starts with " + url +
         "e/ and installs the certificate on this device.";
}

// The page around the sentence, as an nginx string (quotes escaped): small, valid HTML5 that
// names no server software.
std::string page(const std::string& id) {
  return "\"<!doctype html>\\n<html lang=en><head><meta charset=utf-8>"
         "<meta name=viewport content=\\\"width=device-width, initial-scale=1\\\">"
         "<title>Access refused</title></head>\\n<body><h1>Access refused</h1>\\n<p>$certgate_" +
         id + "_refusal</p>\\n</body></html>\\n\"";
}

}  // namespace

std::string refusal_map(const desired::Site& site, const std::string& enroll_url) {
  const std::string id = nginx_identifier(site.name);
  // Keys: "NONE:" without a certificate; "SUCCESS:NAME" for a valid one of this CA (NAME its
  // common name, the device's: $certgate_cn in http.conf; the serial maps list only devices some
  // site of the target allows); "FAILED:REASON:..." with OpenSSL's reason when nginx rejects it
  // (495). String keys are tried first, then the regexes in order.
  std::string out = "map \"$ssl_client_verify:$certgate_cn\" $certgate_" + id +
                    "_refusal {\n  default \"This certificate is not accepted here.\";\n";
  out += "  \"NONE:\" \"" + no_certificate_sentence(enroll_url) + "\";\n";
  out += "  \"SUCCESS:\" \"This certificate is not allowed here.\";\n";
  out += "  \"~^SUCCESS:.\" \"$certgate_cn is not allowed on " + site.name + ".\";\n";
  out += "  \"~^FAILED:certificate revoked\" \"This certificate has been revoked.\";\n";
  out += "  \"~^FAILED:certificate has expired\" \"This certificate has expired.\";\n";
  // Another CA, as OpenSSL 3.0 words it behind nginx 1.22 (checked): "unable to verify the first
  // certificate" for another CA's name, "certificate signature failure" for a CA that copies
  // this CA's name, "unable to get certificate CRL" for a self-signed certificate (ssl_crl finds
  // no CRL of its issuer; certgate's CRL file holds one for every CA of its own). The other
  // alternatives are OpenSSL's words for the same without a CRL or deeper chains.
  out +=
      "  \"~^FAILED:(unable to (get local issuer|get issuer|verify the first|get certificate "
      "CRL)|self.signed|certificate signature failure)\" \"This certificate was not issued by "
      "this site's CA.\";\n";
  // The CRL itself past its nextUpdate (or otherwise unusable) refuses every certificate
  // (DESIGN.md section 7).
  out +=
      "  \"~^FAILED:.*CRL\" \"This site cannot check certificates at the moment. Tell the "
      "administrator.\";\n}\n";
  return out;
}

std::string refusal_server_part(const desired::Site& site) {
  const std::string id = nginx_identifier(site.name);
  const std::string code = std::to_string(kGateRefusalCode);
  std::string out = "# Every refusal is an HTML page: the gate's " + code +
                    " (certgate's own code, never sent) as a 403,\n# nginx's 495 (a certificate "
                    "it rejects) and 496 (none where one is required) as 400s.\n";
  out += "error_page 495 496 =400 " + refused_location(id) + ";\n";
  out += "error_page " + code + " =403 " + refused_location(id) + ";\n";
  out += "if ($certgate_" + id + "_gate = 0) {\n  return " + code + ";\n}\n";
  // `types { }`: the request's extension ("/logo.png") must not pick the page's type.
  out += "location " + refused_location(id) +
         " {\n  types { }\n  default_type \"text/html; charset=utf-8\";\n  return 403 " + page(id) +
         ";\n}\n";
  return out;
}

std::string refusal_location_gate(const desired::Site& site) {
  const std::string id = nginx_identifier(site.name);
  return "if ($certgate_" + id + "_gate = 0) {\n  error_page 403 " + refused_location(id) +
         ";\n  return 403;\n}\n";
}

std::string html_escaped_url(std::string_view url) {
  static constexpr std::string_view kAsIs = "-._~:/?#[]@!()*+,;=%";
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : url) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        kAsIs.find(ch) != std::string_view::npos) {
      out += ch;
    } else if (c == '&') {
      out += "&amp;";
    } else if (c > 0x20 && c < 0x7f) {
      out += "&#" + std::to_string(c) + ";";
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

}  // namespace certgate::render
